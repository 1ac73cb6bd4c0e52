"""What a comparison is: the scenarios run under common random numbers (`Comparison`) and the
outcome names its table, printed summary and plots share.

Kept apart from `sim.compare`, which runs and writes comparisons and draws them with
`sim.compare_plots`, so that the plots read these names without importing the module that calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.runner import RunResult
from sim.scenario import Scenario

SUBSIDY_TOTAL = "subsidies_paid_tenge.total"
NET_SUBSIDIES = "net_subsidies_tenge"

# Outcomes listed first in compare.csv (the rest follow in the order of the run summary).
HEADLINE = (
    "relocated_persons", "applications_households", "relocated_households", "employed_share_12m",
    "skill_matched_share", "returned_persons", "return_share", SUBSIDY_TOTAL,
    "subsidies_paid_tenge.relocation", "subsidies_paid_tenge.rent", "subsidies_paid_tenge.employer",
    "reimbursed_tenge", NET_SUBSIDIES, "cost_per_retained_person_24m_tenge", "in_destination_persons_end",
)
# Outcomes printed by the command and drawn in differences.png.
PRINTED = (
    "applications_households", "relocated_persons", "returned_persons", "return_share", "employed_share_12m",
    "skill_matched_share", SUBSIDY_TOTAL, "cost_per_retained_person_24m_tenge",
)


@dataclass
class Comparison:
    """Scenarios run with the same replicate seeds; `labels` name them in tables and plots."""

    labels: list[str]
    scenarios: list[Scenario]
    results: list[RunResult]
    seeds: list[int]
    seed: int
    overrides: list[Any]                # --set strings, or (dotted key, value) pairs from a dict
    scale: float
    parameters: str = "defaults"        # "posterior": drawn from an ensemble; "defaults": the schema's
    parameter_sets: list | None = None  # ensemble trial per replicate (None: schema defaults)
