"""What the page shows, computed from an `Outcome` without the web framework: headline cards, yearly
series with 90% bands, outcomes by group. Labels, units and number formats come from sim/labels.py."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.i18n import _
from sim.labels import SHARE, axis_label, format_difference, format_value, group_name, label, scenario_label, short_region_name
from sim.plotting import axes, band, legend, styles, thousands
from sim.regions import DESTINATIONS
from sim.dashboard.runs import Outcome

BUDGET = "subsidies_paid_tenge.total"
CARDS = ("relocated_persons", "returned_persons", "return_share", "employed_share_12m", BUDGET,
         "cost_per_retained_person_24m_tenge")
GROUP_OUTCOMES = ("relocated_persons", "return_share", "employed_share_12m")
DIMENSIONS = ("gender", "marital_status", "age_group", "education")


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    value: str        # "42,200 persons"
    band: str         # "90% band 42,020 persons to 42,380 persons"
    difference: str   # "+200 persons"
    diff_band: str    # "paired 90% band +20 persons to +380 persons"
    help: str


def table_row(table: pd.DataFrame, scenario: str, outcome: str) -> pd.Series | None:
    rows = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)]
    return None if rows.empty else rows.iloc[0]


def number(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def cards(out: Outcome, keys: tuple[str, ...] = CARDS) -> list[Card]:
    """Headline outcomes with their 90% band over replicates and the paired difference from the baseline."""
    n = len(out.result.seeds)
    res = []
    for key in keys:
        r = table_row(out.table, "scenario", key)
        if r is None:
            continue
        one = n < 2
        band = (_("one replicate: no band") if one else _("90% band {low} to {high}").format(
            low=format_value(key, number(r["low"])), high=format_value(key, number(r["high"]))))
        diff_band = ("" if one else _("paired 90% band {low} to {high}").format(
            low=format_difference(key, number(r["diff_low"])), high=format_difference(key, number(r["diff_high"]))))
        res.append(Card(key, label(key).text, format_value(key, number(r["mean"])), band,
                        format_difference(key, number(r["diff_from_first"])), diff_band, label(key).help))
    return res


def group_table(out: Outcome) -> pd.DataFrame:
    """Outcomes by gender, marital status, age group and education: value and difference from the baseline."""
    rows = []
    for dim in DIMENSIONS:
        prefix = f"breakdowns.{dim}."
        groups = dict.fromkeys(k[len(prefix):].split(".")[0] for k in out.table["outcome"] if k.startswith(prefix))
        for g in groups:
            row = {_("Characteristic"): group_name(dim), _("Group"): group_name(g)}
            for o in GROUP_OUTCOMES:
                r = table_row(out.table, "scenario", f"{prefix}{g}.{o}")
                row[label(o).text] = format_value(o, number(r["mean"]) if r is not None else None)
                row[_("{outcome}: vs baseline").format(outcome=label(o).text)] = format_difference(
                    o, number(r["diff_from_first"]) if r is not None else None)
            rows.append(row)
    return pd.DataFrame(rows)


def html_table(df: pd.DataFrame) -> str:
    """A small table as HTML, every cell escaped."""
    head = "".join(f"<th style='text-align:left; padding: 2px 8px'>{html.escape(str(c))}</th>" for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td style='padding: 2px 8px'>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table style='border-collapse: collapse; font-size: 0.9em'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


# --------------------------------------------------------------------------- yearly series

def yearly(res, columns: list[str]) -> pd.DataFrame:
    """(year x replicate) sums over the months of each year of the given monthly columns."""
    return pd.DataFrame({i: df.groupby("year")[columns].sum().sum(axis=1) for i, df in enumerate(res.monthly)})


def finish_figure(fig: Figure, ax, key: str, title: str, replicates: int) -> Figure:
    axes(ax, title, ylabel_text=_("{axis} per year").format(axis=axis_label(key)), fontsize=10)
    if label(key).kind != SHARE:
        thousands(ax.yaxis)
    legend(ax, replicates, fontsize=7, frameon=False, ncol=2)
    fig.tight_layout()
    return fig


def relocations_figure(out: Outcome) -> Figure:
    """Arrivals per year by destination (persons), mean over replicates with 90% bands."""
    fig = Figure(figsize=(7, 3.6), dpi=100)
    ax = fig.add_subplot()
    tables = {short_region_name(d): yearly(out.result, [f"arrivals_persons_{d}"]) for d in DESTINATIONS}
    tables = {name: t for name, t in tables.items() if float(t.to_numpy().sum()) > 0}
    style = styles(list(tables), reference=False)
    for name, t in tables.items():
        band(ax, t.index.to_numpy(), t, name, style[name], key="arrivals_persons")
    return finish_figure(fig, ax, "relocated_persons", _("Relocated persons per year by destination"), len(out.result.seeds))


def versus_names(out: Outcome) -> list[str]:
    """The legend's names of the baseline and the chosen run (told apart when the chosen run is the baseline changed)."""
    names = [scenario_label("baseline"), scenario_label(out.settings.scenario)]
    if names[1] == names[0]:
        names[1] = _("{scenario} with the levers set here").format(scenario=names[1])
    return names


def _versus_baseline(out: Outcome, columns_of, key: str, title: str) -> Figure:
    fig = Figure(figsize=(7, 3.2), dpi=100)
    ax = fig.add_subplot()
    names = versus_names(out)
    style = styles(names)  # the baseline thick and dark underneath, as in the compare plots
    for res, text in zip((out.baseline, out.result), names):
        t = yearly(res, columns_of(res.monthly[0]))
        band(ax, t.index.to_numpy(), t, text, style[text], key=key)
    return finish_figure(fig, ax, key, title, len(out.result.seeds))


def returns_figure(out: Outcome) -> Figure:
    """Returned persons per year (summed over destinations), this scenario and the baseline; by reason: sim.dashboard.returns."""
    return _versus_baseline(out, lambda df: [c for c in df.columns if c.startswith("returns_persons_")],
                            "returned_persons", _("Returned persons per year"))


def budget_figure(out: Outcome) -> Figure:
    """Subsidies paid per year (relocation, rent and employer), this scenario and the baseline."""
    return _versus_baseline(out, lambda df: [c for c in df.columns if c.startswith("paid_") and c.endswith("_tenge")],
                            BUDGET, _("Budget: subsidies paid per year"))


def yearly_csv(out: Outcome) -> str:
    """Yearly series per replicate of both runs (persons and tenge), for the CSV download."""
    frames = []
    for res, name in ((out.baseline, "baseline"), (out.result, out.settings.scenario)):
        for i, (seed, df) in enumerate(zip(res.seeds, res.monthly)):
            y = df.drop(columns=["month"]).groupby("year").agg(
                {c: ("mean" if c.endswith("_share") else "sum") for c in df.columns if c not in ("year", "month")})
            y.insert(0, "seed", seed)
            y.insert(0, "replicate", i)
            y.insert(0, "run", name)
            frames.append(y.reset_index())
    return pd.concat(frames, ignore_index=True).to_csv(index=False, float_format=lambda v: f"{v:.6g}" if np.isfinite(v) else "")
