"""Job search matched by sector and skill against vacancies (IOM Tables 9, 30-31).

Each month every jobless head searches. The chance of a job in their own sector rises with the
region's openings in that sector per searcher (IOM Table 9 stock, renewed at the scenario's
turnover), and with the employer subsidy, courses and a skills assessment; hires never exceed the
openings. Failing that, a head may take a job outside their qualification, or, having come to start a
business, start one.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.common import choose, fill_in_order
from sim.protocol import ModelView
from sim.regions import SECTORS
from sim.rng import declare
from sim.states import Job, State

JOB_OWN_SECTOR = declare("job_own_sector", "jobs", 0, "a jobless head finds a job in their own sector this month", __name__)
JOB_OTHER = declare("job_other", "jobs", 1, "a jobless head takes a job outside their qualification", __name__)
BUSINESS_START = declare("business_start", "jobs", 2, "a jobless head with business intent starts a business", __name__)
EMPLOYER_CLAIM = declare("employer_claim", "jobs", 3, "the employer claims the employer subsidy", __name__)
OTHER_SECTOR = declare("other_sector", "jobs", 4, "the sector of a job outside one's qualification", __name__)
CAME_FOR_BUSINESS = declare("came_for_business", "jobs", 5, "came to start a business (fixed per household)", __name__, per_household=True)
SIDE_BUSINESS = declare("side_business", "jobs", 6, "an employed head with business intent starts a side business", __name__)
BUSINESS_EXIT = declare("business_exit", "jobs", 7, "a business closes this month", __name__)
FIRST_BUSINESS = declare("first_business", "jobs", 9, "a head who came for business starts one before searching", __name__)


def employment(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    _business_turnover(m, idx)
    seek = idx[(m.job[idx] == Job.NONE) & ~m.hh.inactive[idx]]
    if len(seek) == 0:
        return
    b, hh, prog, s, mo = m.b, m.hh, m.prog, m.streams, m.month

    y = m.year_index
    ns = len(SECTORS)
    d = m.dest[seek].astype(np.int64)
    sec = hh.sector[seek].astype(np.int64)
    cell = d * ns + sec
    searchers = np.bincount(cell, minlength=m.openings.size).reshape(m.openings.shape)
    tight = np.minimum(1.0, m.openings / np.maximum(searchers, 1))
    employer = 1.0 + b.employer_subsidy_effect * prog.employer_take_up * prog.employer_mci[y] / 450.0
    rate = (b.job_rate_matched * tight[d, sec] * employer
            * np.where(hh.qualified[seek], 1.0, b.job_rate_unqualified_factor)
            * (1.0 + b.courses_effect * m.took_courses[seek])
            * (1.0 + b.skills_assessment_effect * m.skills_assessed[seek]))
    u = s.draw(JOB_OWN_SECTOR, mo, seek)
    want = u < 1.0 - np.exp(-rate)
    cand = seek[want]
    hired = cand[fill_in_order(cell[want], u[want], np.ones(len(cand)), m.openings.ravel().copy())]
    np.subtract.at(m.openings, (m.dest[hired].astype(np.int64), hh.sector[hired].astype(np.int64)), 1.0)
    m.job[hired] = Job.MATCHED
    m.hired_month[hired] = mo
    m.job_sector[hired] = hh.sector[hired]
    # outside one's qualification: any opening left in the region
    rest = seek[m.job[seek] == Job.NONE]
    dr = m.dest[rest].astype(np.int64)
    left = m.openings.sum(axis=1)
    rest_per_region = np.bincount(dr, minlength=len(left))
    p_other = 1.0 - np.exp(-b.job_rate_other * np.minimum(1.0, left / np.maximum(rest_per_region, 1))[dr])
    u2 = s.draw(JOB_OTHER, mo, rest)
    other_cand = rest[u2 < p_other]
    other = other_cand[fill_in_order(m.dest[other_cand].astype(np.int64), u2[u2 < p_other], np.ones(len(other_cand)), np.floor(left))]
    _take_openings(m.openings, np.bincount(m.dest[other], minlength=len(left)))
    m.job[other] = Job.OTHER
    m.hired_month[other] = mo
    # the sector taken outside one's qualification: drawn in proportion to the region's openings
    if len(other):
        share = m.openings[m.dest[other].astype(np.int64)] + 1e-9
        m.job_sector[other] = choose(share, s.draw(OTHER_SECTOR, mo, other)).astype(np.int8)
    # own business for those with business intent who found no job this month
    rest = rest[m.job[rest] == Job.NONE]
    biz = rest[hh.business_intent[rest] & (s.draw(BUSINESS_START, mo, rest) < business_chance(m, rest))]
    m.job[biz] = Job.BUSINESS
    _employer_subsidy(m, idx)


def came_for_business(m: ModelView, idx: np.ndarray) -> np.ndarray:
    """Heads who came to start a business (IOM Table 17): a fixed share of those with business intent."""
    return m.hh.business_intent[idx] & (m.streams.draw(CAME_FOR_BUSINESS, m.month, idx) < m.b.business_intent_first)


def business_chance(m: ModelView, idx: np.ndarray) -> np.ndarray:
    """Monthly chance of starting a business, raised by a start-up grant or microcredit."""
    return np.minimum(1.0, m.b.business_rate * (1.0 + m.b.business_grant_effect * m.business_grant[idx]))


def _business_turnover(m: ModelView, idx: np.ndarray) -> None:
    """Businesses close; heads who came for business start one before searching; employed heads with
    business intent start side businesses."""
    b, s, mo, job = m.b, m.streams, m.month, m.job[idx]
    closing = idx[(job == Job.BUSINESS) & (s.draw(BUSINESS_EXIT, mo, idx) < b.business_exit_rate)]
    m.job[closing] = Job.NONE
    first = idx[(m.job[idx] == Job.NONE) & ~m.hh.inactive[idx]]
    first = first[came_for_business(m, first)]
    m.job[first[s.draw(FIRST_BUSINESS, mo, first) < business_chance(m, first)]] = Job.BUSINESS
    side = idx[((job == Job.MATCHED) | (job == Job.OTHER)) & m.hh.business_intent[idx] & ~m.side_business[idx]]
    m.side_business[side[s.draw(SIDE_BUSINESS, mo, side) < b.business_side_rate]] = True


def _take_openings(openings: np.ndarray, take: np.ndarray) -> None:
    """Remove `take[d]` openings from region d's sectors in proportion to what is left (stays >= 0)."""
    total = openings.sum(axis=1, keepdims=True)
    openings -= openings / np.maximum(total, 1e-12) * np.minimum(take, total[:, 0])[:, None]


def _employer_subsidy(m: ModelView, idx: np.ndarray) -> None:
    """Employers claim the subsidy for a share of participants (take-up) once they have kept them the
    rules' minimum time (3 years in the 2021 rules, IOM 3.4.5; 2 years in 2024, source 000), paid once."""
    prog, y = m.prog, m.year_index
    employed = idx[np.isin(m.job[idx], (Job.MATCHED, Job.OTHER)) & ~m.employer_claimed[idx] & (m.hired_month[idx] >= 0)]
    due = employed[m.month - m.hired_month[employed] >= prog.employer_min_months[y]]
    if len(due) == 0:
        return
    m.employer_claimed[due] = True
    claim = due[m.streams.draw(EMPLOYER_CLAIM, m.month, due) < prog.employer_take_up]
    amount = prog.employer_mci[y] * m.mci
    m.subsidy_employer[claim] += amount
    m.record.paid[m.month, 2] += amount * len(claim)


def employment_value_mci(m: ModelView, idx: np.ndarray) -> np.ndarray:
    """Monthly earnings of the head (MCI) by job type and education."""
    b, wage, j = m.b, m.wage_mci[m.hh.education[idx]], m.job[idx]
    earnings = np.where(j == Job.MATCHED, wage, np.where(j == Job.OTHER, wage * b.wage_other_factor, np.where(j == Job.BUSINESS, wage * b.wage_business_factor, 0.0)))
    return earnings + m.side_business[idx] * b.business_side_income_mci
