"""What a policy search measures of one run: outcomes of the households that arrived from the policy year.

Every metric is read from the finished model and its monthly table (the run summary's own sources) and
counts only what the policy can change: arrivals from the policy's first year, and money paid in the
policy years. Persons are at national scale (divided by the population scale), as in the run summary.

* ``retained_24m_persons``: persons who arrived from the policy year, at least 24 months before the
  run's end, and were still in the north 24 months after arrival;
* ``relocated_persons``: persons who arrived in the policy years;
* ``return_share_24m``: of the persons who arrived from the policy year at least 24 months before the
  end, the share who went back within 24 months (the run summary's return profile, for these cohorts);
* ``employed_share_12m``: of the households that arrived from the policy year and were followed 12
  months, the share employed 12 months after arrival;
* ``programme_cost_tenge``: subsidies paid in the policy years (relocation, rent, employer) and the
  services given in them (orientation, assessments, adaptation services, courses, women's package:
  `sim.schema.SERVICE_COSTS`) and an information campaign's cost, less what was repaid in them;
* ``max_annual_cost_tenge``: the largest year's programme cost before repayments (subsidies, services and
  campaign) in the policy years (the budget cap);
* ``cost_per_retained_24m_tenge``: programme cost over retained persons.
"""

from __future__ import annotations

import math

import numpy as np

from sim.states import Known

# metric -> (planners' words, unit)
METRICS = {
    "retained_24m_persons": ("persons still in the north 24 months after arrival", "persons"),
    "programme_cost_tenge": ("programme cost in the policy years (subsidies, services and campaign paid less repaid)", "tenge"),
    "return_share_24m": ("share of arrivals back in the south within 24 months", "share"),
    "employed_share_12m": ("share of arrivals employed 12 months after arrival", "share"),
    "relocated_persons": ("persons relocated in the policy years", "persons"),
    "max_annual_cost_tenge": ("largest year's subsidies and services paid in the policy years", "tenge"),
    "cost_per_retained_24m_tenge": ("programme cost per person retained 24 months", "tenge"),
}


def policy_metrics(model, monthly, start_year: int) -> dict[str, float]:
    """The metrics above for one finished run (`monthly`: `sim.outcomes.monthly_table(model)`)."""
    k = 1.0 / model.scale
    first = (int(start_year) - int(model.years[0])) * 12     # month index of January of the policy year
    size = model.hh.size
    arrived = model.arrival_month >= max(first, 0)  # -1: never arrived
    cohort = arrived & (model.arrival_month <= model.month - 24)
    back = cohort & (model.return_month >= 0) & (model.return_month - model.arrival_month < 24)
    followed = arrived & (model.employed_12m != Known.UNKNOWN)
    policy = monthly[monthly["year"] >= int(start_year)]
    paid_cols = [c for c in monthly.columns if c.startswith("paid_") and c.endswith("_tenge")]
    paid = policy[paid_cols].sum(axis=1) + policy["services_cost_tenge"] + policy["campaign_cost_tenge"]
    annual = paid.groupby(policy["year"]).sum()
    cost = float(paid.sum() - policy["reimbursed_tenge"].sum())
    retained = float((size[cohort].sum() - size[back].sum()) * k)
    persons_cohort = size[cohort].sum()
    return {
        "retained_24m_persons": retained,
        "programme_cost_tenge": cost,
        "return_share_24m": float(size[back].sum() / persons_cohort) if persons_cohort else math.nan,
        "employed_share_12m": (float(np.count_nonzero(model.employed_12m[followed] == Known.YES) / followed.sum())
                               if followed.any() else math.nan),
        "relocated_persons": float(size[arrived].sum() * k),
        "max_annual_cost_tenge": float(annual.max()) if len(annual) else 0.0,
        "cost_per_retained_24m_tenge": cost / retained if retained else math.nan,
    }


def model_evaluator(task: dict) -> dict[str, float]:
    """The default evaluation of one candidate on one replicate: run its scenario file for the replicate's
    seed (and that seed's draw of the ensemble) and measure it. Module-level, so workers pickle it by name."""
    from sim.optimise.candidate import load_candidate
    from sim.outcomes import monthly_table
    from sim.runner import run_scenario

    sc = load_candidate(task["toml"])
    res = run_scenario(sc, seed=task["seed"], replicates=1, ensemble=task["ensemble"], keep_models=True)
    out = policy_metrics(res.models[0], monthly_table(res.models[0]), task["start_year"])
    out["parameter_set"] = math.nan if res.parameter_sets[0] is None else float(res.parameter_sets[0])
    return out
