"""The demand side as the page shows it: whether quotas bind (sim.compare's test, the same as
`relocsim compare` writes), and headline figures for applications and the wait-list.

Where a scenario's quotas bind, approvals stop at the quota, so a lever acting on demand (subsidies,
information, housing) moves first applications, the wait-list and the wait, not relocations; the page
says so above the cards, so that "no change in relocated persons" is not read as "the lever does nothing".
"""

from __future__ import annotations

import math

from sim.compare import BINDING, RATIONING, binding_shares, quota_state, quotas_bind, rationed_shares
from sim.i18n import _, number
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
        this = _("{scenario} with the levers set here").format(scenario=this)
    return {"baseline": _("the baseline"), "scenario": this}


def same_run(out: Outcome) -> bool:
    return out.settings.key() == out.settings.baseline().key()


def _percent(v: float) -> str:
    return _("n/a") if not math.isfinite(v) else number(100 * v, ".0f") + "%"


def quota_notice(out: Outcome) -> str | None:
    """The warning shown when the chosen scenario's or the baseline's quotas bind; None when neither does."""
    binds, shares, names = quotas_bind(out.comparison), binding_shares(out.comparison), run_names(out)
    runs = [r for r in (("baseline",) if same_run(out) else RUNS) if binds[r]]
    if not runs:
        return None
    where = _(" and in ").join(_("{run} ({share} of the quota lay in destination-years whose approvals reached it)").format(
        run=names[r], share=_percent(shares[r])) if i == 0 else f"{names[r]} ({_percent(shares[r])})" for i, r in enumerate(runs))
    return _("Quotas bind in {where}. There a lever acting on demand (subsidies, information, housing) moves "
             "first applications, the wait-list and the wait, not relocations: read the demand figures below.").format(where=where)


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
        state = _("here they bind")
    elif "ration" in states:
        state = _("here they ration part of demand (from {share} of choices deferred): a lever acting on demand "
                  "moves deferred choices more than relocations").format(share=_percent(RATIONING))
    else:
        state = _("here they are slack: relocations follow demand")
    return _("Share of the quota (persons) in destination-years whose approvals reached it: {shares}; attempts to "
             "choose a region deferred for want of quota room: {deferred}. Quotas bind from {binding} "
             "of either; {state}.").format(shares=text, deferred=deferred, binding=_percent(BINDING), state=state)


def demand_cards(out: Outcome) -> list[Card]:
    """First applications, wait-list at the end, median wait, share approved within a month and share of
    choices deferred for want of quota room, each with its band and paired difference from the baseline."""
    return cards(out, DEMAND_CARDS)
