"""What a run reports: monthly counters, the monthly table, origin-destination flows and the summary.

Counts are of simulated households and persons; `summary` scales them by 1/scale to national totals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.population import EDUCATION, MARITAL
from sim.programme import SUBSIDY_TYPES
from sim.regions import DESTINATIONS, ORIGINS
from sim.states import N_REASONS, N_STATES, RECORD, RETURN_REASONS, Housing, Job, Known, State

# months since arrival at which cohorts' cumulative return shares are reported (issue 9)
RETURN_PROFILE_MONTHS = (6, 12, 24, 36, 60)


class MonthlyRecord:
    """Counters filled by the phases during each month, one array per counter of `sim.states.RECORD`."""

    def __init__(self, months: int, n_origins: int, n_dest: int, n_years: int):
        # the length of each axis the counters are declared with
        self.axes = {"month": months, "year": n_years, "origin": n_origins, "destination": n_dest,
                     "reason": N_REASONS, "subsidy": len(SUBSIDY_TYPES), "state": N_STATES}
        for counter in RECORD:  # every counter as declared in sim.states
            setattr(self, counter.name, counter.allocate(self.axes))
        self.month = 0

    def start_month(self, month: int) -> None:
        self.month = month

    def end_month(self, m) -> None:
        mo = self.month
        self.state_counts[mo] = m.state_counts()
        idx = m.active_idx(State.ARRIVED)
        self.in_destination_persons[mo] = int(m.hh.size[idx].sum())
        if len(idx):
            self.employed_share[mo] = np.count_nonzero(m.job[idx] != Job.NONE) / len(idx)
            self.housed_share[mo] = np.count_nonzero(m.housing_status[idx] >= Housing.RENTED) / len(idx)


# --------------------------------------------------------------------------- tables

# counters of MonthlyRecord reported as they are, in the monthly table's column order
MONTHLY_COLUMNS = ("applications_hh", "approvals_hh", "rejections_hh", "arrivals_hh", "arrivals_persons", "returns_hh",
                   "moved_on_hh", "in_destination_persons", "employed_share", "housed_share", "temp_queue")


def monthly_table(m) -> pd.DataFrame:
    """Monthly series of the months run so far, scaled to national totals (shares as they are), one row per month."""
    r, t = m.record, m.month
    cols = {c: getattr(r, c)[:t] for c in MONTHLY_COLUMNS}
    cols["waitlisted_hh"] = r.state_counts[:t, State.WAITLISTED]
    cols["aware_hh"] = m.n - r.state_counts[:t, State.UNAWARE]
    cols.update({f"paid_{s}_tenge": r.paid[:t, i] for i, s in enumerate(SUBSIDY_TYPES)})
    cols["reimbursed_tenge"] = r.reimbursed[:t]
    cols["services_cost_tenge"] = r.services_cost[:t]
    cols["campaign_cost_tenge"] = r.campaign_cost[:t]
    k = 1.0 / m.scale
    df = pd.DataFrame({c: v if c.endswith("_share") else v * k for c, v in cols.items()})
    df.insert(0, "year", np.repeat(m.years, 12)[: len(df)])
    df.insert(1, "month", np.tile(np.arange(1, 13), len(m.years))[: len(df)])
    for j, d in enumerate(DESTINATIONS):
        df[f"arrivals_persons_{d}"] = m.record.arrivals_persons_dest[: len(df), j] * k
        df[f"returns_persons_{d}"] = m.record.returns_persons_dest[: len(df), j] * k
    for j, reason in enumerate(RETURN_REASONS):
        df[f"returned_{reason}_persons"] = m.record.returns_persons_reason[: len(df), j] * k
    return df


def flows_table(m) -> pd.DataFrame:
    """Arrivals by year, origin and destination (persons, scaled), long format."""
    f = m.record.flows_persons
    y, o, d = np.nonzero(f)
    return pd.DataFrame({
        "year": m.years[y], "origin": np.array(ORIGINS)[o], "destination": np.array(DESTINATIONS)[d],
        "persons": f[y, o, d] / m.scale,
    })


# --------------------------------------------------------------------------- summary

GROUPS = {
    "gender": lambda hh: (hh.female.astype(int), ("men", "women")),
    "marital_status": lambda hh: (hh.marital, MARITAL),
    "age_group": lambda hh: (hh.age_group, ("under_30", "30_plus")),
    "education": lambda hh: (hh.education, EDUCATION),
}


def _outcomes(m, mask: np.ndarray) -> dict:
    """Outcome block for the households in `mask` (arrived at some time)."""
    k = 1.0 / m.scale
    arrived = mask & (m.arrival_month >= 0)
    size = m.hh.size
    returned = arrived & (m.return_month >= 0)
    e12 = arrived & (m.employed_12m != Known.UNKNOWN)
    employed_now = arrived & (m.state == State.ARRIVED) & (m.job != Job.NONE)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {
            "relocated_households": float(arrived.sum() * k),
            "relocated_persons": float(size[arrived].sum() * k),
            "returned_persons": float(size[returned].sum() * k),
            "return_share": _ratio(size[returned].sum(), size[arrived].sum()),
            "employed_share_12m": _ratio(np.count_nonzero(m.employed_12m[e12] == Known.YES), e12.sum()),
            "skill_matched_share": _ratio(np.count_nonzero(m.job[employed_now] == Job.MATCHED), employed_now.sum()),
        }


def _ratio(a, b) -> float | None:
    return float(a) / float(b) if b else None


def summary(m) -> dict:
    """The run's key outcomes (persons unless named otherwise, totals over the run, national scale)."""
    k = 1.0 / m.scale
    r = m.record
    arrived = m.arrival_month >= 0
    size = m.hh.size
    all_out = _outcomes(m, np.ones(m.n, bool))
    by_dest, ret_dest = {}, {}
    for j, d in enumerate(DESTINATIONS):
        arr_d = r.arrivals_persons_dest[:, j].sum()
        by_dest[d] = float(arr_d * k)
        ret_dest[d] = _ratio(r.returns_persons_dest[:, j].sum(), arr_d)
    paid = {t: float(r.paid[:, i].sum() * k) for i, t in enumerate(SUBSIDY_TYPES)}
    out = {
        "applications_households": float(r.applications_hh.sum() * k),
        "approved_households": float(r.approvals_hh.sum() * k),
        "rejected_households": float(r.rejections_hh.sum() * k),
        "relocated_households": all_out["relocated_households"],
        "relocated_persons": all_out["relocated_persons"],
        "relocated_persons_by_destination": by_dest,
        "returned_persons": all_out["returned_persons"],
        "return_share": all_out["return_share"],
        "return_share_by_destination": ret_dest,
        "returned_persons_by_reason": {reason: float(r.returns_persons_reason[:, j].sum() * k) for j, reason in enumerate(RETURN_REASONS)},
        "cumulative_return_share_by_months_since_arrival": return_profile(m),
        "moved_on_households": float(r.moved_on_hh.sum() * k),
        "employed_share_12m": all_out["employed_share_12m"],
        "skill_matched_share": all_out["skill_matched_share"],
        "subsidies_paid_tenge": paid,
        "reimbursed_tenge": float(r.reimbursed.sum() * k),
        "services_cost_tenge": float(r.services_cost.sum() * k),
        "campaign_cost_tenge": float(r.campaign_cost.sum() * k),
        "asked_back_tenge": float(r.asked_back.sum() * k),
        "cost_per_retained_person_24m_tenge": _cost_per_retained(m),
        "in_destination_persons_end": float(size[m.state == State.ARRIVED].sum() * k),
        **demand_summary(m),
        "breakdowns": {},
    }
    for name, fn in GROUPS.items():
        codes, labels = fn(m.hh)
        out["breakdowns"][name] = {lab: _outcomes(m, arrived & (codes == i)) for i, lab in enumerate(labels)}
    return out


def return_profile(m, months: tuple[int, ...] = RETURN_PROFILE_MONTHS) -> dict[str, float | None]:
    """Share of persons returned within t months of arrival, over the cohorts that arrived at least t
    months before the end of the run (key: t as text; None where no cohort is that old)."""
    arrived = m.arrival_month >= 0
    size = m.hh.size
    out: dict[str, float | None] = {}
    for t in months:
        cohort = arrived & (m.arrival_month <= m.month - t)
        back = cohort & (m.return_month >= 0) & (m.return_month - m.arrival_month < t)
        out[str(t)] = _ratio(size[back].sum(), size[cohort].sum())
    return out


def demand_summary(m) -> dict:
    """Applications, the wait-list, experienced waits and how full the quotas were (issue 8)."""
    k, r = 1.0 / m.scale, m.record
    approved = m.approval_month >= 0
    wait = (m.approval_month - m.application_month)[approved]
    t = min(m.month, len(r.approvals_hh))
    years = np.asarray(m.years)[: (t + 11) // 12]
    arrivals_year = r.arrivals_persons_dest[: len(years) * 12].reshape(len(years), 12, -1)
    quota = r.quota_persons_year[: len(years)]
    fill = {}
    for j, d in enumerate(DESTINATIONS):
        fill[d] = {str(y): _ratio(arrivals_year[i, :, j].sum(), quota[i, j]) for i, y in enumerate(years) if quota[i, j] > 0}
    last = arrivals_year[-1].sum() if len(years) else 0
    binding = quota > 0
    return {
        "applications_first_households": float(r.applications_first_hh.sum() * k),
        "gave_up_households": float(r.gave_up_hh.sum() * k),
        "deferred_decisions_households": float(r.deferred_hh.sum() * k),
        # of the households' attempts to choose a region, the share told that none had quota room
        "quota_rationed_share": _ratio(r.deferred_hh.sum(), r.deferred_hh.sum() + r.chose_hh.sum()),
        "waitlisted_households_end": float(np.count_nonzero(m.state == State.WAITLISTED) * k),
        "median_application_to_approval_months": float(np.median(wait)) if len(wait) else None,
        "share_approved_within_1_month": _ratio(np.count_nonzero(wait < 1), len(wait)),
        "quota_fill_share": fill,
        # weighted by the quota's persons, so that a small region's one-family quota counts for little
        "quota_binding_share": _ratio(quota[binding & (r.approved_persons_year[: len(years)] >= 0.95 * quota)].sum(),
                                      quota[binding].sum()),
        "arrived_by_july_share": _ratio(arrivals_year[-1, :6].sum(), last) if len(years) else None,
    }


def _cost_per_retained(m) -> float | None:
    """Net programme cost (subsidies paid less repaid, and services given) per person still in the north
    24 months after arrival, over the cohorts that arrived at least 24 months before the end of the run."""
    cohort = (m.arrival_month >= 0) & (m.arrival_month <= m.month - 24)
    if not cohort.any():
        return None
    cost = (m.subsidy_reloc + m.subsidy_rent + m.subsidy_employer + m.services_cost - m.reimbursed)[cohort].sum()
    kept = cohort & ((m.return_month < 0) | (m.return_month > m.arrival_month + 24))
    persons = m.hh.size[kept].sum()
    return float(cost / persons) if persons else None
