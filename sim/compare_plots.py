"""The plots of `relocsim compare`: outcomes over time with 5-95% bands over replicates, cost per
retained person, outcomes by group and the paired differences from the first scenario. One function
per figure. Every scenario has its own colour, line style and marker, the first (the reference) a
thick dark line drawn underneath, so that scenarios that overlap stay visible; shares are points
with error bars; differences are in the outcome's own unit (percentage points, million tenge,
persons). Labels and units come from `sim.labels`, styles, bands and points from `sim.plotting`."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from sim.comparison import PRINTED, SUBSIDY_TOTAL, Comparison
from sim.i18n import _, number
from sim.labels import (RETURN_REASON_LABELS, COUNT_HOUSEHOLDS, COUNT_PERSONS, SHARE, axis_label, group_name, label,
                        reason_name, scale_for_plot, scenario_label)
from sim.plotting import Style, axes, band, dodge, finish, legend, monthly_share, plt, points, run_note, same_as, styles, thousands, yerr

GROUP_PLOTS = ("gender", "marital_status")
GROUP_OUTCOMES = ("relocated_persons", "return_share", "employed_share_12m")


def _note(comp: Comparison) -> str:
    return _("{run}; common random numbers; bands and error bars: 90% over replicates").format(
        run=run_note(comp.seed, len(comp.seeds), comp.scale))


def _wide(annual: pd.DataFrame, label_: str, col: str) -> pd.DataFrame:
    return annual[annual["scenario"] == label_].pivot(index="year", columns="replicate", values=col)


def _means(table: pd.DataFrame, outcome: str, labels: list[str]) -> pd.DataFrame:
    return table[table["outcome"] == outcome].set_index("scenario").reindex(labels)


def _ticks(ax, comp: Comparison, x) -> None:
    ax.set_xticks(x, [scenario_label(lab) for lab in comp.labels], rotation=20, ha="right", fontsize=8)


def _lines(ax, comp: Comparison, tables: dict[str, pd.DataFrame], style: dict[str, Style], key: str | None = None) -> None:
    """One mean line and band per scenario; a scenario whose line lies on the reference's says so in the legend."""
    ref = comp.labels[0]
    same = same_as(tables, ref)
    for lab, t in tables.items():
        text = (_("{scenario} (same as {reference})").format(scenario=scenario_label(lab), reference=scenario_label(ref))
                if lab in same else scenario_label(lab))
        band(ax, t.index.to_numpy(), t, text, style[lab], key=key)
    if key is None or label(key).kind != SHARE:
        thousands(ax.yaxis)


def relocations(comp: Comparison, annual: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 5))
    _lines(ax, comp, {lab: _wide(annual, lab, "arrivals_persons") for lab in comp.labels}, style)
    axes(ax, _("Relocated persons per year"), ylabel_text=_("Relocated persons per year"))
    legend(ax, len(comp.seeds))
    finish(fig, path, note=_note(comp))


def employment(comp: Comparison, style: dict[str, Style], path: Path) -> None:
    """Share of households in the destination regions whose head works, monthly, in %."""
    fig, ax = plt.subplots(figsize=(9, 5))
    _lines(ax, comp, {lab: monthly_share(res, "employed_share") for lab, res in zip(comp.labels, comp.results)}, style,
           key="employed_share")
    axes(ax, _("Heads employed among households in the destination regions"), "employed_share")
    ax.set_ylim(0, 102)
    legend(ax, len(comp.seeds), loc="lower right")
    finish(fig, path, note=_note(comp))


def returns(comp: Comparison, annual: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    """Returned persons per year and the cumulative return share (%)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    ret = {lab: _wide(annual, lab, "returned_persons") for lab in comp.labels}
    arr = {lab: _wide(annual, lab, "arrivals_persons") for lab in comp.labels}
    _lines(ax1, comp, ret, style)
    _lines(ax2, comp, {lab: ret[lab].cumsum() / arr[lab].cumsum().replace(0, np.nan) for lab in comp.labels}, style, key="return_share")
    axes(ax1, _("Returned persons per year"), ylabel_text=_("Returned persons per year"))
    axes(ax2, _("Cumulative return share (returned / relocated so far)"), "return_share")
    legend(ax1, len(comp.seeds))
    finish(fig, path, note=_note(comp))


def budget(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    """Subsidies paid per year (all types) and, over the whole run, by type (million tenge)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [3, 2]})
    _lines(ax1, comp, {lab: _wide(annual, lab, "paid_total_tenge") for lab in comp.labels}, style, key=SUBSIDY_TOTAL)
    axes(ax1, _("Subsidies paid per year (all types)"), ylabel_text=_("{axis} per year").format(axis=axis_label(SUBSIDY_TOTAL)))
    legend(ax1, len(comp.seeds))
    types = [o for o in table["outcome"].unique() if o.startswith("subsidies_paid_tenge.") and o != SUBSIDY_TOTAL]
    x = np.arange(len(comp.labels))
    bottom = np.zeros(len(x))
    for t, hatch in zip(types, ["", "//", ".."] * len(types)):
        vals = np.nan_to_num(scale_for_plot(t, _means(table, t, comp.labels)["mean"].to_numpy()))
        ax2.bar(x, vals, bottom=bottom, label=label(t).text, hatch=hatch, edgecolor="white")
        bottom += vals
    reimb = scale_for_plot("reimbursed_tenge", _means(table, "reimbursed_tenge", comp.labels)["mean"].to_numpy())
    ax2.plot(x, reimb, "kv", ls="none", label=label("reimbursed_tenge").text)
    _ticks(ax2, comp, x)
    axes(ax2, _("Subsidies by type, whole run (mean)"), ylabel_text=_("Million tenge, whole run"), xlabel=_("Scenario"))
    thousands(ax2.yaxis)
    ax2.set_ylim(0, 1.35 * max(float(np.nanmax(bottom)), 1.0))
    ax2.legend(fontsize=8, ncol=2, loc="upper left")
    finish(fig, path, note=_note(comp))


def cost_per_retained(comp: Comparison, table: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    key = "cost_per_retained_person_24m_tenge"
    x = np.arange(len(comp.labels))
    fig, ax = plt.subplots(figsize=(min(16.0, max(6.5, 0.9 * len(x) + 3)), 5.5))
    rows = _means(table, key, comp.labels)
    mean, low, high = (scale_for_plot(key, rows[c].to_numpy()) for c in ("mean", "low", "high"))
    ax.bar(x, np.nan_to_num(mean), yerr=yerr(mean, low, high), capsize=5, color=[style[lab].color for lab in comp.labels],
           alpha=0.8)
    for xi, v in zip(x, mean):  # the value inside its bar, clear of the error bar
        ax.text(xi, v / 2 if np.isfinite(v) else 0, number(v, ",.2f"), ha="center",
                va="center" if np.isfinite(v) else "bottom", fontsize=9,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    _ticks(ax, comp, x)
    axes(ax, _("Net subsidies per person still in the north 24 months after arrival"), key, xlabel=_("Scenario"))
    ax.grid(alpha=0.3, axis="y")
    ax.grid(False, axis="x")
    finish(fig, path, note=_note(comp))


def by_group(comp: Comparison, table: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    """Outcomes by gender and marital status: one panel per (group, outcome); counts as bars,
    shares as points with error bars, side by side per scenario."""
    fig, grid = plt.subplots(len(GROUP_PLOTS), len(GROUP_OUTCOMES), figsize=(5 * len(GROUP_OUTCOMES), 4 * len(GROUP_PLOTS)),
                             squeeze=False)
    n = len(comp.labels)
    width = 0.8 / n
    for r, group in enumerate(GROUP_PLOTS):
        prefix = f"breakdowns.{group}."
        cats = list(dict.fromkeys(o[len(prefix):].split(".")[0] for o in table["outcome"] if o.startswith(prefix)))
        xs = np.arange(len(cats))
        for c, outcome in enumerate(GROUP_OUTCOMES):
            ax = grid[r][c]
            share = label(outcome).kind == SHARE
            for j, lab in enumerate(comp.labels):
                sel = table[(table["scenario"] == lab)].set_index("outcome").reindex([f"{prefix}{cat}.{outcome}" for cat in cats])
                mean, low, high = (scale_for_plot(outcome, sel[k].to_numpy()) for k in ("mean", "low", "high"))
                if share:
                    points(ax, xs + dodge(j, n, 0.6), mean, low, high, scenario_label(lab), style[lab])
                else:
                    ax.bar(xs + (j - (n - 1) / 2) * width, np.nan_to_num(mean), width, yerr=yerr(mean, low, high), capsize=2,
                           color=style[lab].color, label=scenario_label(lab), hatch=["", "//", "..", "xx"][j % 4], edgecolor="white")
            ax.set_xticks(xs, [group_name(cat) for cat in cats], fontsize=8)
            axes(ax, _("{outcome} by {group}").format(outcome=label(outcome).text, group=group_name(group).lower()), outcome,
                 xlabel=group_name(group), fontsize=10)
            ax.grid(False, axis="x")
            if not share:
                thousands(ax.yaxis)
            if share:
                ax.set_ylim(0, min(102.0, max(5.0, 1.08 * ax.get_ylim()[1])))
                ax.set_xlim(-0.5, len(cats) - 0.5)
    handles, names = grid[0][1].get_legend_handles_labels()
    if len(comp.seeds) > 1:
        handles.append(plt.Line2D([], [], color="grey", marker="|", ms=10, ls="none"))
        names.append(_("error bars: 90% band over {n} replicates").format(n=len(comp.seeds)))
    fig.legend(handles, names, loc="upper center", ncol=min(len(names), 4), fontsize=8, frameon=False)
    finish(fig, path, note=_note(comp), rect_top=1 - 0.035 * math.ceil(len(names) / 4))


def differences(comp: Comparison, table: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    """Paired differences from the first scenario, one panel per outcome in its own unit (percentage
    points for shares, million tenge for money, persons or households for counts), with 90% bands."""
    others = comp.labels[1:]
    cols = 2
    rows_n = math.ceil(len(PRINTED) / cols)
    fig, grid = plt.subplots(rows_n, cols, figsize=(12, min(40.0, rows_n * (1.0 + 0.35 * len(others)) + 1.2)), squeeze=False)
    ref = scenario_label(comp.labels[0])
    y = np.arange(len(others))
    for i, outcome in enumerate(PRINTED):
        ax = grid[i // cols][i % cols]
        rows = _means(table, outcome, others)
        for j, lab in enumerate(others):
            d, lo, hi = (scale_for_plot(outcome, np.array([rows.loc[lab, k]], float)) for k in ("diff_from_first", "diff_low", "diff_high"))
            points(ax, y[j:j + 1], d, lo, hi, None, style[lab], horizontal=True)
        ax.axvline(0, color=style[comp.labels[0]].color, lw=1.5)
        ax.set_yticks(y, [scenario_label(lab) for lab in others], fontsize=8)
        ax.set_ylim(len(others) - 0.5, -0.5)
        lab_ = label(outcome)
        ax.set_title(lab_.text, fontsize=10)
        ax.set_xlabel(_("difference from {reference} ({unit})").format(reference=ref, unit=lab_.diff_unit), fontsize=9)
        ax.grid(alpha=0.3, axis="x")
        if lab_.kind != SHARE:
            thousands(ax.xaxis)
        ax.xaxis.set_major_locator(MaxNLocator(7, symmetric=True, integer=lab_.kind in (COUNT_PERSONS, COUNT_HOUSEHOLDS)))
        if np.allclose(rows[["diff_from_first", "diff_low", "diff_high"]].to_numpy(float), 0, equal_nan=True):
            ax.text(0.02, 0.5, _("same as {reference} in every replicate").format(reference=ref), transform=ax.transAxes,
                    fontsize=8, color="grey", va="center")
        lim = float(np.max(np.abs(ax.get_xlim())))
        lim = max(lim, 1.0) if lab_.kind in (COUNT_PERSONS, COUNT_HOUSEHOLDS) else lim  # whole persons
        if np.isfinite(lim) and lim > 0:
            ax.set_xlim(-lim, lim)  # zero in the middle: the sign reads at a glance
    for k in range(len(PRINTED), rows_n * cols):
        grid[k // cols][k % cols].set_visible(False)
    finish(fig, path, title=_("Differences from {reference}, paired by replicate (point: mean; bar: 90% band)").format(reference=ref),
           note=_note(comp))


def return_reasons(comp: Comparison, table: pd.DataFrame, style: dict[str, Style], path: Path) -> None:
    """Returned persons by reason (bars per scenario) and the cumulative return share by months since arrival."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    reasons = list(RETURN_REASON_LABELS)
    width = 0.8 / len(comp.labels)
    profile = "cumulative_return_share_by_months_since_arrival"
    months = sorted({int(o.rsplit(".", 1)[1]) for o in table["outcome"] if o.startswith(profile + ".")})
    for j, lab in enumerate(comp.labels):
        rows = table[table["scenario"] == lab].set_index("outcome")
        bars = rows.reindex([f"returned_persons_by_reason.{r}" for r in reasons])
        ax1.bar(np.arange(len(reasons)) + (j - (len(comp.labels) - 1) / 2) * width, bars["mean"].fillna(0), width,
                yerr=yerr(bars["mean"], bars["low"], bars["high"]), capsize=2, color=style[lab].color, label=scenario_label(lab))
        prof = rows.reindex([f"{profile}.{t}" for t in months])
        ax2.errorbar(months, 100 * prof["mean"], yerr=100 * yerr(prof["mean"], prof["low"], prof["high"]), marker=style[lab].marker,
                     linestyle=style[lab].ls, capsize=3, color=style[lab].color, label=scenario_label(lab))
    ax1.set_xticks(np.arange(len(reasons)), [reason_name(r) for r in reasons], rotation=20, ha="right", fontsize=8)
    ax1.set(xlabel=_("Reason for returning"), ylabel=axis_label("returned_persons_by_reason"), title=_("Returned persons by reason"))
    ax2.set(xlabel=_("months since arrival"), ylabel=_("% of relocated persons"),
            title=_("Returned within t months of arrival (cohorts observed t months)"))
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3, axis="y")
    ax1.legend(fontsize=8)
    finish(fig, path, note=_note(comp))


def write_plots(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, out: Path) -> list[str]:
    """Every comparison figure into `out`; returns the file names."""
    style = styles(comp.labels)
    figures = {
        "relocations_over_time.png": lambda p: relocations(comp, annual, style, p),
        "employment_over_time.png": lambda p: employment(comp, style, p),
        "returns_over_time.png": lambda p: returns(comp, annual, style, p),
        "return_reasons.png": lambda p: return_reasons(comp, table, style, p),
        "budget_over_time.png": lambda p: budget(comp, table, annual, style, p),
        "cost_per_retained.png": lambda p: cost_per_retained(comp, table, style, p),
        "outcomes_by_group.png": lambda p: by_group(comp, table, style, p),
        "differences.png": lambda p: differences(comp, table, style, p),
    }
    for name, draw in figures.items():
        draw(out / name)
    return list(figures)
