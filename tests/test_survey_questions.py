"""Each survey answer is measured the way IOM put the question (issue 19; docs/ODD.md 8.7): hand-built
households give the answer their question implies, and a recent arrival is never left out of a table
whose question it could answer."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from calibration.survey import QUESTIONS, survey_frame, tables
from calibration.text_targets import simulated_text_targets
from sim.behaviour.adaptation import adaptation
from sim.regions import DESTINATIONS
from sim.states import Channel, DecisionMode, Housing, HousingRoute, Job, Known

SURVEY_MONTH = 120
NK = DESTINATIONS.index("north_kazakhstan")


def snapshot(**columns) -> dict:
    """A survey frame snapshot of n households in North Kazakhstan at `SURVEY_MONTH`: every household
    answers every question (a job, a channel, a decision, housing, paid subsidies) unless a column says otherwise."""
    n = len(next(iter(columns.values())))
    z8, ones = np.zeros(n, np.int8), np.ones(n, bool)
    base = {
        "month": SURVEY_MONTH, "household": np.arange(n), "dest": np.full(n, NK, np.int8), "first_dest": np.full(n, NK, np.int8),
        "arrival_month": np.full(n, SURVEY_MONTH - 24), "adapt_needed": np.zeros(n, np.float32),
        "origin": z8, "settlement": z8, "housing_before": z8, "female": ~ones, "young": ~ones,
        "marital": np.ones(n, np.int8), "education": z8, "sector": z8, "inactive": ~ones, "size": np.full(n, 3),
        "qualified": ones, "job": np.full(n, Job.MATCHED, np.int8), "job_sector": z8,
        "housing_status": np.full(n, Housing.RENTED, np.int8), "housing_route": np.full(n, HousingRoute.SEARCHED, np.int8),
        "housed_month": np.full(n, SURVEY_MONTH - 24), "decision_mode": np.full(n, DecisionMode.INDEPENDENT, np.int8),
        "pay_bin": np.ones(n, np.int8), "pay_month": np.full(n, SURVEY_MONTH - 24), "collect_month": np.full(n, 10),
        "application_month": np.full(n, 11), "approval_month": np.full(n, 12), "subsidy_reloc": np.ones(n),
        "subsidy_rent": np.ones(n), "job_problems": ~ones, "side_business": ~ones, "rural_dest": ~ones,
        "took_courses": ~ones, "supported": ~ones, "aware_channel": np.full(n, Channel.MEDIA, np.int8),
    }
    base.update(columns)
    return base


def share(snap: dict, target: str, cell: str, group: str = "all") -> tuple[float, float]:
    """(share, base) of a table cell in the unweighted virtual survey of `snap`."""
    tab = tables(survey_frame(snap))
    row = tab[(tab["target"] == target) & (tab["group"] == group) & (tab["cell"] == cell)]
    if len(row):
        return float(row["share"].iloc[0]), float(row["n"].iloc[0])
    base = tab[(tab["target"] == target) & (tab["group"] == group)]["n"]
    return 0.0, float(base.iloc[0]) if len(base) else 0.0


class _Arrived:
    """The part of the model the adaptation phase reads: arrived households at `month`."""

    def __init__(self, month, arrival_month, job, inactive):
        n = len(job)
        self.month = month
        self.arrival_month = np.asarray(arrival_month, np.int16)
        self.job = np.asarray(job, np.int8)
        self.hh = SimpleNamespace(inactive=np.asarray(inactive, bool))
        self.job_problems = np.zeros(n, bool)
        self.employed_12m = np.full(n, Known.UNKNOWN, np.int8)

    def active_idx(self, state):
        return np.arange(len(self.job))


def run_months(m: _Arrived, months: range, jobs: dict[int, list[int]] | None = None) -> None:
    """Run the adaptation phase month by month, setting the jobs given for a month first."""
    for mo in months:
        m.month = mo
        if jobs and mo in jobs:
            m.job[:] = jobs[mo]
        adaptation(m)


def test_a_household_three_months_in_without_a_job_reports_job_problems():
    # arrived 3 months before the survey: jobless (in the labour force), employed, jobless but inactive
    m = _Arrived(SURVEY_MONTH - 3, [SURVEY_MONTH - 3] * 3, [Job.NONE, Job.MATCHED, Job.NONE], [False, False, True])
    run_months(m, range(SURVEY_MONTH - 3, SURVEY_MONTH + 1))
    assert m.job_problems.tolist() == [True, False, False]
    snap = snapshot(arrival_month=m.arrival_month, job=m.job, inactive=m.hh.inactive, job_problems=m.job_problems)
    s, n = share(snap, "t27_arrival_problems", "problems_job")
    assert (s, n) == (pytest.approx(1 / 3), 3)  # all three answer; the jobless one reports the problem


def test_job_problems_freeze_at_six_months():
    # A: jobless at 6 months, hired at 8 (still reports it); B: employed at 6, lost the job at 9 (does not)
    m = _Arrived(0, [0, 0], [Job.NONE, Job.MATCHED], [False, False])
    run_months(m, range(0, 13), jobs={8: [Job.MATCHED, Job.MATCHED], 9: [Job.MATCHED, Job.NONE]})
    assert m.job_problems.tolist() == [True, False]
    # a head hired in month 4 no longer reports it once it has a job
    m = _Arrived(0, [0], [Job.NONE], [False])
    run_months(m, range(0, 8), jobs={4: [Job.OTHER]})
    assert m.job_problems.tolist() == [False]


def test_job_match_is_answered_only_by_heads_with_a_job():
    job = [Job.MATCHED, Job.OTHER, Job.OTHER, Job.NONE, Job.BUSINESS, Job.NONE]
    inactive = [False, False, False, False, False, True]
    snap = snapshot(job=np.array(job, np.int8), inactive=np.array(inactive))
    s, n = share(snap, "t31_job_education_match", "matching_fully")
    assert (s, n) == (pytest.approx(1 / 3), 3)
    assert share(snap, "t31_job_education_match", "partly_or_not_matching") == (pytest.approx(2 / 3), 3)
    assert "partly_or_no_job" not in set(tables(survey_frame(snap))["cell"])


def test_income_sources_count_a_side_business_as_supplementary_income():
    job = np.array([Job.MATCHED, Job.OTHER, Job.MATCHED, Job.BUSINESS, Job.NONE], np.int8)
    side = np.array([False, False, True, False, False])
    got = simulated_text_targets(snapshot(job=job, side_business=side))
    assert got[("text_income_sources", "all", "wages_only")] == pytest.approx(2 / 5)
    assert got[("text_income_sources", "all", "supplementary_income")] == pytest.approx(1 / 5)
    assert got[("text_income_sources", "all", "business")] == pytest.approx(1 / 5)


def test_a_household_that_never_chose_gives_no_decision_answer():
    modes = np.array([DecisionMode.UNKNOWN, DecisionMode.INDEPENDENT, DecisionMode.WITH_RELATIVES], np.int8)
    assert share(snapshot(decision_mode=modes), "t14_decision", "independently") == (pytest.approx(1 / 2), 2)


# Tables whose question needs a job (sector, skill match): a recent arrival answers them when it has one.
@pytest.mark.parametrize("months_in", [0, 1, 3, 5])
def test_a_recent_arrival_is_never_left_out_of_a_table_it_could_answer(months_in):
    """A household that arrived `months_in` months before the survey, with a job, a channel, a
    decision and housing, is in the base of every modelled table's ALL row; jobless, it is in every
    one except those about the job one has (Tables 30 and 31), and it reports job problems."""
    arrival = np.array([SURVEY_MONTH - 24, SURVEY_MONTH - months_in])
    for recent_job, absent in ((Job.MATCHED, set()), (Job.NONE, {"t30_employment_sector", "t31_job_education_match"})):
        m = _Arrived(arrival[1], arrival, [Job.MATCHED, recent_job], [False, False])
        run_months(m, range(int(arrival[1]), SURVEY_MONTH + 1))
        snap = snapshot(arrival_month=arrival, job=m.job, job_problems=m.job_problems,
                        housed_month=np.maximum(arrival, arrival), pay_month=arrival)
        tab = tables(survey_frame(snap))
        all_rows = tab[tab["group"] == "all"].groupby("target")["n"].max()
        for target in QUESTIONS:
            assert all_rows.get(target, 0) == (1 if target in absent else 2), (target, recent_job, months_in)
        assert share(snap, "t27_arrival_problems", "problems_job")[0] == (0.5 if recent_job == Job.NONE else 0.0)
