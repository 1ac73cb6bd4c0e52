"""Returns as competing hazards, moves on within the north, and repayment (issue 9; IOM executive
summary: 770 of 9,206 returned; IOM 3.4.4: social contract of 5 years, subsidies asked back on breach).

Each month an arrived household faces one hazard per reason (`sim.states.ReturnReason`), each zero
where its reason cannot apply (`reason_hazards`):

* climate: in the heating season, per unit of the winter-severity gap to the origin, larger in a
  village heated by stoves (IOM 3.4.6), eased once told of the winters before moving (orientation on the
  destination locality, IOM Table 25 and its footnote 6), given adaptation services, or adapted;
* housing: without housing, in a temporary centre, or in provided housing unsuitable for living;
* job: the head jobless three months or more after arrival;
* money: the budget in deficit after debt service, savings gone;
* family: a divorced, widowed or single head without contacts in the region, and family events back home;
* other: a residual, larger while not adapted.

Every hazard falls with months since arrival from its first-months level towards a late level
(`return_late_factor`), so a cohort's returns are front-loaded; and every hazard falls with the money a
household expects to repay on return (the repayment rule's amount times compliance). One uniform
decides whether a household returns (total hazard), another which reason, in proportion to the hazards.
A household may instead move on to the nearest other destination (secondary movement, IOM rec. 6.2).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.adaptation import adapted
from sim.behaviour.awareness import add_contacts
from sim.behaviour.common import choose
from sim.behaviour.finances import WINTER_MONTHS
from sim.protocol import ModelView
from sim.rng import declare
from sim.states import Housing, Job, Marital, ReturnReason, State

RETURN = declare("return", "returns", 0, "an arrived household returns home this month", __name__)
MOVE_ON = declare("move_on", "returns", 1, "an arrived household moves on to another destination", __name__)
REPAYS = declare("repays", "returns", 2, "a returning household repays what the rules ask back", __name__)
RETURN_REASON = declare("return_reason", "returns", 3, "the reason for a return, in proportion to its hazard", __name__)


def jobless_after_search(m: ModelView, idx: np.ndarray) -> np.ndarray:
    """A head who seeks work and is still jobless `return_jobless_after_months` or more after arrival."""
    return (m.job[idx] == Job.NONE) & ~m.hh.inactive[idx] & (m.month - m.arrival_month[idx] >= m.b.return_jobless_after_months)


def reason_hazards(m: ModelView, idx: np.ndarray) -> np.ndarray:
    """Monthly hazard of each return reason (columns in ReturnReason order) for arrived households `idx`."""
    b, hh, w = m.b, m.hh, m.world
    since = m.month - m.arrival_month[idx]
    d = m.dest[idx].astype(np.int64)
    is_adapted = adapted(m, idx)
    h = np.zeros((len(idx), len(ReturnReason) - 1))
    gap = np.maximum(w.winter_severity[d] - w.origin_winter_severity[hh.origin[idx]], 0.0)
    if m.month % 12 in WINTER_MONTHS:
        h[:, ReturnReason.CLIMATE] = (b.return_h_climate * gap * (1.0 + b.return_w_stove * m.rural_dest[idx])
                                      * (1.0 - b.return_climate_services * (m.briefed[idx] | is_adapted)))
    hs = m.housing_status[idx]
    # from `return_unhoused_after_months` (the arrival month being spent moving in or queuing); without a
    # bed and without contacts in the region a household has nowhere to stay from the start
    late = since >= b.return_unhoused_after_months
    h[:, ReturnReason.HOUSING] = np.select(
        [(hs == Housing.NONE) & (late | ~m.has_contacts[idx]), (hs == Housing.TEMPORARY) & late,
         (hs == Housing.PROVIDED) & m.poor_housing[idx] & late],
        [b.return_h_unhoused, b.return_h_temporary, b.return_h_poor_housing], 0.0)
    h[:, ReturnReason.JOB] = b.return_h_jobless * jobless_after_search(m, idx)
    h[:, ReturnReason.MONEY] = b.return_h_money * m.deficit[idx]
    alone = (hh.marital[idx] != Marital.MARRIED) & ~m.has_contacts[idx]
    h[:, ReturnReason.FAMILY] = b.return_h_family_home + b.return_h_alone * alone
    h[:, ReturnReason.OTHER] = b.return_h_other * (1.0 + b.return_w_unadapted * ~is_adapted)
    settling = b.return_late_factor + (1.0 - b.return_late_factor) * np.exp(-since / b.return_settle_months)
    owed_mci = m.prog.repayment_due(m.subsidy_reloc[idx], m.subsidy_rent[idx], since) / m.mci
    deterrent = np.exp(-b.return_w_repayment * b.repayment_compliance * owed_mci / 100.0)
    return h * (b.return_level * settling * deterrent)[:, None]


def returns(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        m.return_risk = (idx, np.zeros(0))
        return
    b, s, mo = m.b, m.streams, m.month
    h = reason_hazards(m, idx)
    p = 1.0 - np.exp(-h.sum(axis=1))
    m.return_risk = (idx, p)  # for observers: the expected returns (calibration/observe.py)
    go_mask = s.draw(RETURN, mo, idx) < p
    go = idx[go_mask]
    if len(go):
        reason = choose(h[go_mask] + 1e-300, s.draw(RETURN_REASON, mo, go))
        _return_home(m, go, reason)
    stay = idx[m.state[idx] == State.ARRIVED]
    p_on = b.move_on_rate * np.where(jobless_after_search(m, stay), b.move_on_jobless_factor, 1.0)
    mover = stay[s.draw(MOVE_ON, mo, stay) < p_on]
    if len(mover):
        _move_on(m, mover)


def _return_home(m: ModelView, who: np.ndarray, reason: np.ndarray) -> None:
    mo, prog, rec = m.month, m.prog, m.record
    d = m.first_dest[who].astype(np.int64)  # counted against the region they relocated to
    due = prog.repayment_due(m.subsidy_reloc[who], m.subsidy_rent[who], mo - m.arrival_month[who])
    pays = m.streams.draw(REPAYS, mo, who) < m.b.repayment_compliance
    m.reimbursed[who] += np.where(pays, due, 0.0)
    rec.reimbursed[mo] += float(np.where(pays, due, 0.0).sum())
    rec.asked_back[mo] += float(due.sum())
    m.state[who] = State.RETURNED
    m.return_month[who] = mo
    m.return_reason[who] = reason
    _leave_housing_and_work(m, who)
    rec.returns_hh[mo] += len(who)
    np.add.at(rec.returns_persons_dest[mo], d, m.hh.size[who])
    np.add.at(rec.returns_persons_reason[mo], reason, m.hh.size[who])
    add_contacts(m, who, m.mover_contacts, -1)


def _leave_housing_and_work(m: ModelView, who: np.ndarray) -> None:
    m.housing_status[who] = Housing.NONE
    m.poor_housing[who] = False
    m.job[who] = Job.NONE
    m.side_business[who] = False
    m.hired_month[who] = -1


def _move_on(m: ModelView, who: np.ndarray) -> None:
    """Move to the nearest other destination open this year; housing and job search start again."""
    w, y = m.world, m.year_index
    km = w.dest_dest_km[m.dest[who].astype(np.int64)].copy()
    km[:, ~m.prog.active[y]] = np.inf
    km[np.arange(len(who)), m.dest[who]] = np.inf
    ok = np.isfinite(km.min(axis=1))
    who, km = who[ok], km[ok]
    m.record.moved_on_hh[m.month] += len(who)
    m.dest[who] = km.argmin(axis=1).astype(np.int8)
    _leave_housing_and_work(m, who)
