"""The demand side as the page shows it: whether quotas bind (sim.compare's test, the same as
`relocsim compare` writes), and headline figures for applications and the wait-list.

Where a scenario's quotas bind, approvals stop at the quota, so a lever acting on demand (subsidies,
information, housing) moves first applications, the wait-list and the wait, not relocations; the page
says so above the cards, so that "no change in relocated persons" is not read as "the lever does nothing".
"""

from __future__ import annotations

import math

from sim.compare import BINDING, RATIONING, binding_shares, quota_state, quotas_bind, rationed_shares
from sim.labels import scenario_label
from sim.dashboard.runs import Outcome
from sim.dashboard.views import Card, cards

DEMAND_CARDS = ("applications_first_households", "waitlisted_households_end",
                "median_application_to_approval_months", "share_approved_within_1_month", "quota_rationed_share")
RUNS = ("baseline", "scenario")  # the comparison's labels (sim.dashboard.runs.LABELS)


def run_names(out: Outcome) -> dict[str, str]:
    """The two runs as a reader names them; the chosen run is the baseline itself when nothing differs."""
    this = scenario_label(out.settings.scenario)
    if out.settings.overrides:
        this += " with the levers set here"
    return {"baseline": "the baseline", "scenario": this}


def same_run(out: Outcome) -> bool:
    return out.settings.key() == out.settings.baseline().key()


def _percent(v: float) -> str:
    return "n/a" if not math.isfinite(v) else f"{100 * v:.0f}%"


def quota_notice(out: Outcome) -> str | None:
    """The warning shown when the chosen scenario's or the baseline's quotas bind; None when neither does."""
    binds, shares, names = quotas_bind(out.comparison), binding_shares(out.comparison), run_names(out)
    runs = [r for r in (("baseline",) if same_run(out) else RUNS) if binds[r]]
    if not runs:
        return None
    where = " and in ".join(f"{names[r]} ({_percent(shares[r])} of the quota lay in destination-years whose "
                            "approvals reached it)" if i == 0 else f"{names[r]} ({_percent(shares[r])})"
                            for i, r in enumerate(runs))
    return (f"Quotas bind in {where}. There a lever acting on demand (subsidies, information, housing) moves "
            "first applications, the wait-list and the wait, not relocations: read the demand figures below.")


def quota_status(out: Outcome) -> str:
    """One line on the quotas, always shown: the share of the quota in binding destination-years per run."""
    shares, names = binding_shares(out.comparison), run_names(out)
    runs = ("baseline",) if same_run(out) else RUNS
    text = ", ".join(f"{names[r]} {_percent(shares[r])}" for r in runs)
    rationed = rationed_shares(out.comparison)
    deferred = ", ".join(f"{names[r]} {_percent(rationed[r])}" for r in runs)
    binds = quotas_bind(out.comparison)
    states = {quota_state(binds[r], rationed[r]) for r in runs}
    if "bind" in states:
        state = "bind"
    elif "ration" in states:
        state = (f"ration part of demand (from {_percent(RATIONING)} of choices deferred): a lever acting on demand "
                 "moves deferred choices more than relocations")
    else:
        state = "are slack: relocations follow demand"
    return (f"Share of the quota (persons) in destination-years whose approvals reached it: {text}; attempts to "
            f"choose a region deferred for want of quota room: {deferred}. Quotas bind from {_percent(BINDING)} "
            f"of either; here they {state}.")


def demand_cards(out: Outcome) -> list[Card]:
    """First applications, wait-list at the end, median wait, share approved within a month and share of
    choices deferred for want of quota room, each with its band and paired difference from the baseline."""
    return cards(out, DEMAND_CARDS)
