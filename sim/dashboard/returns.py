"""Why and when people return, as the page shows it: returned persons by reason with the paired
difference from the baseline, returns per year by reason with 90% bands, and the cumulative return
share by months since arrival against the baseline. Reasons are the model's competing return hazards
(sim.states.ReturnReason); their counts sum to the returned persons in every replicate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.i18n import _, number as localised
from sim.labels import RETURN_REASON_LABELS, format_difference, format_value, reason_name, scenario_label
from sim.plotting import axes, band, dodge, legend, points, styles
from sim.dashboard.runs import Outcome
from sim.dashboard.views import finish_figure, number, table_row, versus_names, yearly

REASONS = tuple(RETURN_REASON_LABELS)
BY_REASON = "returned_persons_by_reason"
PROFILE = "cumulative_return_share_by_months_since_arrival"
TOTAL = "returned_persons"


@dataclass(frozen=True)
class ReasonRow:
    reason: str        # a key of RETURN_REASON_LABELS, or "" for the total
    title: str         # "Climate and heating"
    persons: float     # mean over replicates
    value: str         # "1,530 persons"
    share: str         # "34.1%" of returns
    difference: str    # "+120 persons" (paired with the baseline)
    diff_band: str     # "+20 persons to +380 persons", "" with one replicate


def _reason_row(out: Outcome, reason: str, key: str, title: str, total: float | None) -> ReasonRow:
    r = table_row(out.table, "scenario", key)
    mean = number(r["mean"]) if r is not None else None
    share = localised(100 * mean / total, ".1f") + "%" if mean is not None and total else ""
    diff_band = ("" if r is None or len(out.result.seeds) < 2 else _("{low} to {high}").format(
        low=format_difference(TOTAL, number(r["diff_low"])), high=format_difference(TOTAL, number(r["diff_high"]))))
    return ReasonRow(reason, title, mean if mean is not None else float("nan"), format_value(TOTAL, mean),
                     share, format_difference(TOTAL, number(r["diff_from_first"]) if r is not None else None), diff_band)


def reason_rows(out: Outcome) -> list[ReasonRow]:
    """Returned persons by reason for the chosen scenario (mean over replicates), then the total."""
    t = table_row(out.table, "scenario", TOTAL)
    total = number(t["mean"]) if t is not None else None
    rows = [_reason_row(out, r, f"{BY_REASON}.{r}", reason_name(r), total) for r in RETURN_REASON_LABELS]
    return rows + [_reason_row(out, "", TOTAL, _("All reasons"), total)]


def reason_table(out: Outcome) -> pd.DataFrame:
    """The rows of `reason_rows` as the page's table."""
    paired = len(out.result.seeds) > 1
    out_rows = []
    for r in reason_rows(out):
        row = {_("Reason"): r.title, _("Returned persons"): r.value, _("Share of returns"): r.share,
               _("vs baseline"): r.difference}
        if paired:
            row[_("paired 90% band")] = r.diff_band
        out_rows.append(row)
    return pd.DataFrame(out_rows)


def yearly_by_reason(out: Outcome) -> dict[str, pd.DataFrame]:
    """(year x replicate) returned persons per year by reason, for the chosen scenario."""
    return {r: yearly(out.result, [f"returned_{r}_persons"]) for r in REASONS}


def reasons_figure(out: Outcome) -> Figure:
    """Returned persons per year by reason for the chosen scenario, mean with 90% bands over replicates."""
    fig = Figure(figsize=(7, 3.6), dpi=100)
    ax = fig.add_subplot()
    names = [reason_name(r) for r in REASONS]
    style = styles(names, reference=False)
    for r, t in yearly_by_reason(out).items():
        band(ax, t.index.to_numpy(), t, reason_name(r), style[reason_name(r)], key=TOTAL)
    title = _("Returned persons per year by reason: {scenario}").format(scenario=scenario_label(out.settings.scenario))
    return finish_figure(fig, ax, TOTAL, title, len(out.result.seeds))


def profile(out: Outcome, scenario: str) -> pd.DataFrame:
    """Cumulative return share by months since arrival (rows: months; mean, low, high) of one run
    of the comparison ("baseline" or "scenario")."""
    rows = out.table[(out.table["scenario"] == scenario) & out.table["outcome"].str.startswith(PROFILE + ".")]
    frame = rows.assign(months=rows["outcome"].str.rsplit(".", n=1).str[1].astype(int)).set_index("months")
    return frame[["mean", "low", "high"]].sort_index()


def profile_figure(out: Outcome) -> Figure:
    """Share of arrivals who returned within 6, 12, 24, 36 and 60 months, this scenario and the
    baseline: points with 90% bars, side by side."""
    fig = Figure(figsize=(7, 3.2), dpi=100)
    ax = fig.add_subplot()
    names = versus_names(out)
    style = styles(names)
    months = []
    for j, (run, name) in enumerate(zip(("baseline", "scenario"), names)):
        p = profile(out, run)
        months = list(p.index)
        x = np.arange(len(months)) + dodge(j, 2, 0.3)
        points(ax, x, 100 * p["mean"], 100 * p["low"], 100 * p["high"], name, style[name])
    ax.set_xticks(np.arange(len(months)), [str(m) for m in months])
    axes(ax, _("Returned within t months of arrival (cohorts observed t months)"), ylabel_text=_("% of relocated persons"),
         xlabel=_("Months since arrival"), fontsize=10)
    n = len(out.result.seeds)
    legend(ax, 1, fontsize=7, frameon=False, title=_("bars: 90% band over {n} replicates").format(n=n) if n > 1 else None,
           title_fontsize=7)
    fig.tight_layout()
    return fig
