"""PNG plots of a run: relocations by destination, employment and housing of arrivals, returns,
subsidy spending. Every series is the mean over replicates and, with several replicates, its 5-95%
band, labelled in the legend; labels and units come from `sim.labels`, styles from `sim.plotting`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.i18n import _
from sim.labels import axis_label, label, region_name, scenario_label
from sim.plotting import axes, band, finish, legend, monthly_share, plt, run_note, styles, thousands
from sim.programme import SUBSIDY_TYPES
from sim.regions import DESTINATIONS


def _annual(res, columns: list[str]) -> pd.DataFrame:
    """(year x replicate) annual sums of monthly columns."""
    return pd.DataFrame({i: df.groupby("year")[columns].sum().sum(axis=1) for i, df in enumerate(res.monthly)})


def _draw(ax, tables: dict[str, pd.DataFrame], key: str | None = None, reference: bool = False) -> None:
    style = styles(list(tables), reference=reference)
    for text, t in tables.items():
        band(ax, t.index.to_numpy(), t, text, style[text], key=key)


def relocations(res, path: Path, note: str) -> None:
    fig, ax = plt.subplots(figsize=(9, 5))
    tables = {region_name(d): _annual(res, [f"arrivals_persons_{d}"]) for d in DESTINATIONS}
    _draw(ax, {k: t for k, t in tables.items() if float(t.to_numpy().sum()) > 0})
    axes(ax, _("Relocated persons per year by destination — {scenario}").format(scenario=scenario_label(res.scenario.name)),
         ylabel_text=_("Relocated persons per year"))
    thousands(ax.yaxis)
    legend(ax, len(res.seeds), ncol=2)
    finish(fig, path, note=note)


def employment_housing(res, path: Path, note: str) -> None:
    fig, ax = plt.subplots(figsize=(9, 5))
    _draw(ax, {_("Head employed"): monthly_share(res, "employed_share"),
               _("In rented, provided or own housing"): monthly_share(res, "housed_share")}, key="employed_share")
    axes(ax, _("Employment and housing of households in the destination regions"),
         ylabel_text=_("Share of households in the destination regions (%)"))
    ax.set_ylim(0, 102)
    legend(ax, len(res.seeds), loc="lower right")
    finish(fig, path, note=note)


def returns(res, path: Path, note: str) -> None:
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    ret = _annual(res, [c for c in res.monthly[0].columns if c.startswith("returns_persons_")])
    arr = _annual(res, [c for c in res.monthly[0].columns if c.startswith("arrivals_persons_")])
    _draw(ax1, {label("returned_persons").text: ret})
    _draw(ax2, {_("Returned / relocated so far"): ret.cumsum() / arr.cumsum().replace(0, np.nan)}, key="return_share")
    axes(ax1, _("Returned persons per year"), ylabel_text=_("Returned persons per year"))
    axes(ax2, _("Cumulative return share"), "return_share")
    thousands(ax1.yaxis)
    legend(ax1, len(res.seeds))
    legend(ax2, len(res.seeds))
    finish(fig, path, title=_("Returns to the regions of origin — {scenario}").format(scenario=scenario_label(res.scenario.name)),
           note=note)


def subsidy_spending(res, path: Path, note: str) -> None:
    fig, ax = plt.subplots(figsize=(9, 5))
    tables = {_("{outcome}, all types").format(outcome=label("subsidies_paid_tenge").text): _annual(res, [f"paid_{t}_tenge" for t in SUBSIDY_TYPES])}
    tables.update({label(f"subsidies_paid_tenge.{t}").text: _annual(res, [f"paid_{t}_tenge"]) for t in SUBSIDY_TYPES})
    tables[label("reimbursed_tenge").text] = _annual(res, ["reimbursed_tenge"])
    _draw(ax, tables, key="subsidies_paid_tenge", reference=True)  # the total as the thick dark line
    axes(ax, _("Subsidy spending"), ylabel_text=_("{axis} per year").format(axis=axis_label("subsidies_paid_tenge")))
    thousands(ax.yaxis)
    legend(ax, len(res.seeds))
    finish(fig, path, note=note)


def write_plots(res, out: Path) -> None:
    note = run_note(res.seeds[0] if len(res.seeds) == 1 else None, len(res.seeds), res.scale)
    relocations(res, out / "relocations_by_destination.png", note)
    employment_housing(res, out / "employment_housing.png", note)
    returns(res, out / "returns.png", note)
    subsidy_spending(res, out / "subsidy_spending.png", note)
