"""The plots of `relocsim compare`: outcomes over time with 5-95% bands over replicates, cost per
retained person, outcomes by group and the paired differences from the first scenario. One function
per figure; labels and units come from `sim.labels`, lines and bands from `sim.plotting`."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim.compare import PRINTED, SUBSIDY_TOTAL, Comparison
from sim.labels import RETURN_REASON_LABELS, axis_label, group_name, label
from sim.plotting import BAND_NOTE, band, finish, plt, yerr

NOTE = BAND_NOTE + " (common random numbers)"
GROUP_PLOTS = ("gender", "marital_status")
GROUP_OUTCOMES = ("relocated_persons", "return_share", "employed_share_12m")


def _colours(labels: list[str]) -> dict:
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if len(labels) > len(colors):  # distinct colours for up to 20 scenarios
        colors = [plt.get_cmap("tab20")(i) for i in range(20)]
    return {lab: colors[i % len(colors)] for i, lab in enumerate(labels)}


def _wide(annual: pd.DataFrame, label_: str, col: str) -> pd.DataFrame:
    return annual[annual["scenario"] == label_].pivot(index="year", columns="replicate", values=col)


def _marker(x) -> str | None:
    return "." if len(x) < 30 else None


def _means(table: pd.DataFrame, outcome: str, labels: list[str]) -> pd.DataFrame:
    return table[table["outcome"] == outcome].set_index("scenario").loc[labels]


def relocations(comp: Comparison, annual: pd.DataFrame, color: dict, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(9, 5))
    for lab in comp.labels:
        t = _wide(annual, lab, "arrivals_persons")
        band(ax, t.index, t, lab, color[lab], marker=_marker(t.index))
    ax.set(xlabel="year", ylabel="persons per year", title="Relocated persons per year")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    finish(fig, path, note=NOTE)


def employment(comp: Comparison, color: dict, path: Path) -> None:
    """Share of households in the destination regions whose head works, monthly."""
    fig, ax = plt.subplots(figsize=(9, 5))
    for lab, res in zip(comp.labels, comp.results):
        m0 = res.monthly[0]
        x = m0["year"].to_numpy() + (m0["month"].to_numpy() - 1) / 12
        band(ax, x, pd.DataFrame({i: df["employed_share"].to_numpy() for i, df in enumerate(res.monthly)}), lab, color[lab],
             marker=_marker(x))
    ax.set(xlabel="year", ylabel="share of households", title="Heads employed among households in the destination regions")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    finish(fig, path, note=NOTE)


def returns(comp: Comparison, annual: pd.DataFrame, color: dict, path: Path) -> None:
    """Returned persons per year and the cumulative return share."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    for lab in comp.labels:
        ret = _wide(annual, lab, "returned_persons")
        arr = _wide(annual, lab, "arrivals_persons")
        band(ax1, ret.index, ret, lab, color[lab], marker=_marker(ret.index))
        band(ax2, ret.index, ret.cumsum() / arr.cumsum().replace(0, np.nan), lab, color[lab], marker=_marker(ret.index))
    ax1.set(xlabel="year", ylabel="persons per year", title="Returned persons per year")
    ax2.set(xlabel="year", ylabel="returned / relocated", title="Cumulative return share")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    finish(fig, path, note=NOTE)


def budget(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, color: dict, path: Path) -> None:
    """Subsidies paid per year (all types) and, over the whole run, by type."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [3, 2]})
    for lab in comp.labels:
        t = _wide(annual, lab, "paid_total_tenge")
        band(ax1, t.index, t, lab, color[lab], scale=1e6, marker=_marker(t.index))
    ax1.set(xlabel="year", ylabel=f"{axis_label(SUBSIDY_TOTAL)} per year", title="Subsidies paid per year (all types)")
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    types = [o for o in table["outcome"].unique() if o.startswith("subsidies_paid_tenge.") and o != SUBSIDY_TOTAL]
    x = np.arange(len(comp.labels))
    bottom = np.zeros(len(x))
    for t in types:
        vals = _means(table, t, comp.labels)["mean"].to_numpy() / 1e9
        ax2.bar(x, vals, bottom=bottom, label=label(t).text)
        bottom += np.nan_to_num(vals)
    reimb = _means(table, "reimbursed_tenge", comp.labels)["mean"].to_numpy() / 1e9
    ax2.plot(x, reimb, "kv", label=label("reimbursed_tenge").text)
    ax2.set_xticks(x, comp.labels, rotation=20, ha="right", fontsize=8)
    ax2.set(ylabel="billion tenge, whole run", title="Subsidies by type")
    ax2.legend(fontsize=8)
    finish(fig, path, note=NOTE)


def cost_per_retained(comp: Comparison, table: pd.DataFrame, color: dict, path: Path) -> None:
    x = np.arange(len(comp.labels))
    fig, ax = plt.subplots(figsize=(min(16.0, max(6.0, 0.9 * len(x) + 3)), 5.5))
    rows = _means(table, "cost_per_retained_person_24m_tenge", comp.labels)
    ax.bar(x, rows["mean"] / 1e3, yerr=yerr(rows["mean"], rows["low"], rows["high"]) / 1e3, capsize=5,
           color=[color[lab] for lab in comp.labels])
    for xi, v in zip(x, rows["mean"]):
        if not np.isfinite(v):
            ax.text(xi, 0, "n/a", ha="center", va="bottom")
    ax.set_xticks(x, comp.labels, rotation=20, ha="right", fontsize=8)
    ax.set(ylabel="thousand tenge per person", title="Net subsidies per person still in the north 24 months after arrival")
    ax.grid(alpha=0.3, axis="y")
    finish(fig, path, note=NOTE)


def by_group(comp: Comparison, table: pd.DataFrame, color: dict, path: Path) -> None:
    """Outcomes by gender and marital status: one panel per (group, outcome), bars per scenario."""
    fig, axes = plt.subplots(len(GROUP_PLOTS), len(GROUP_OUTCOMES), figsize=(5 * len(GROUP_OUTCOMES), 4 * len(GROUP_PLOTS)),
                             squeeze=False)
    width = 0.8 / len(comp.labels)
    for r, group in enumerate(GROUP_PLOTS):
        prefix = f"breakdowns.{group}."
        cats = list(dict.fromkeys(o[len(prefix):].split(".")[0] for o in table["outcome"] if o.startswith(prefix)))
        for c, outcome in enumerate(GROUP_OUTCOMES):
            ax = axes[r][c]
            for j, lab in enumerate(comp.labels):
                sel = table[(table["scenario"] == lab)].set_index("outcome").reindex([f"{prefix}{cat}.{outcome}" for cat in cats])
                ax.bar(np.arange(len(cats)) + (j - (len(comp.labels) - 1) / 2) * width, sel["mean"].fillna(0), width,
                       yerr=yerr(sel["mean"], sel["low"], sel["high"]), capsize=2, color=color[lab], label=lab)
            ax.set_xticks(np.arange(len(cats)), [group_name(cat) for cat in cats], fontsize=8)
            ax.set_title(f"{label(outcome).text} by {group.replace('_', ' ')}", fontsize=10)
            ax.grid(alpha=0.3, axis="y")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=min(len(names), 4), fontsize=8, frameon=False)
    finish(fig, path, note=NOTE, rect_top=1 - 0.035 * math.ceil(len(names) / 4))


def differences(comp: Comparison, table: pd.DataFrame, color: dict, path: Path) -> None:
    """Paired differences from the first scenario, % of its mean, with their 90% bands."""
    others = comp.labels[1:]
    fig, ax = plt.subplots(figsize=(9, min(30.0, max(5.0, 2.0 + 0.3 * len(PRINTED) * len(others)))))
    y0 = np.arange(len(PRINTED))
    h = 0.8 / len(others)
    base = table[table["scenario"] == comp.labels[0]].set_index("outcome").reindex(list(PRINTED))["mean"].abs()
    for j, lab in enumerate(others):
        rows = table[table["scenario"] == lab].set_index("outcome").reindex(list(PRINTED))
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = 100 * rows[["diff_from_first", "diff_low", "diff_high"]].div(base.replace(0, np.nan), axis=0)
        ax.barh(y0 + (j - (len(others) - 1) / 2) * h, rel["diff_from_first"].fillna(0), h,
                xerr=yerr(rel["diff_from_first"], rel["diff_low"], rel["diff_high"]), capsize=2, color=color[lab], label=lab)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y0, [label(o).text for o in PRINTED], fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel=f"paired difference from {comp.labels[0]}, % of its mean",
           title=f"Differences from {comp.labels[0]} (paired by replicate)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    finish(fig, path, note=NOTE)


def return_reasons(comp: Comparison, table: pd.DataFrame, color: dict, path: Path) -> None:
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
                yerr=yerr(bars["mean"], bars["low"], bars["high"]), capsize=2, color=color[lab], label=lab)
        prof = rows.reindex([f"{profile}.{t}" for t in months])
        ax2.errorbar(months, 100 * prof["mean"], yerr=100 * yerr(prof["mean"], prof["low"], prof["high"]), marker="o",
                     capsize=3, color=color[lab], label=lab)
    ax1.set_xticks(np.arange(len(reasons)), [RETURN_REASON_LABELS[r] for r in reasons], rotation=20, ha="right", fontsize=8)
    ax1.set(ylabel=axis_label("returned_persons_by_reason"), title="Returned persons by reason")
    ax2.set(xlabel="months since arrival", ylabel="% of relocated persons",
            title="Returned within t months of arrival (cohorts observed t months)")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3, axis="y")
    ax1.legend(fontsize=8)
    finish(fig, path, note=NOTE)


def write_plots(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, out: Path) -> list[str]:
    """Every comparison figure into `out`; returns the file names."""
    color = _colours(comp.labels)
    figures = {
        "relocations_over_time.png": lambda p: relocations(comp, annual, color, p),
        "employment_over_time.png": lambda p: employment(comp, color, p),
        "returns_over_time.png": lambda p: returns(comp, annual, color, p),
        "return_reasons.png": lambda p: return_reasons(comp, table, color, p),
        "budget_over_time.png": lambda p: budget(comp, table, annual, color, p),
        "cost_per_retained.png": lambda p: cost_per_retained(comp, table, color, p),
        "outcomes_by_group.png": lambda p: by_group(comp, table, color, p),
        "differences.png": lambda p: differences(comp, table, color, p),
    }
    for name, draw in figures.items():
        draw(out / name)
    return list(figures)
