"""`relocsim compare`: run several scenarios under common random numbers and compare their outcomes.

Every scenario is run with the same replicate seeds (`sim.runner.replicate_seeds`), and the model
keys every random draw by (stream, month, household), so replicate r of scenario B differs from
replicate r of scenario A by policy, not by noise. Each outcome therefore gets, per scenario, its
mean and 90% band over replicates (5th-95th percentile) and the difference from the first scenario
computed replicate by replicate (paired), with its own 90% band: with common random numbers these
paired bands are much tighter than the difference of two independent bands.

Results go to `DIR/<timestamp>-seed<N>/` (default DIR `results/compare`), written into a hidden
`.partial` folder and renamed when complete:

    compare.csv             one row per (outcome, scenario): mean, low, high, diff_from_first,
                            diff_low, diff_high, n (replicates with a value)
    compare_replicates.csv  every outcome of every replicate (scenario, replicate, seed, outcome, value)
    annual.csv              yearly series per scenario and replicate (arrivals, returns, subsidies...)
    compare.json            run metadata: scenarios and what differs from the first, seeds,
                            overrides, scale, package versions
    *.png                   relocations, employment, returns and budget over time with bands; cost
                            per retained person; outcomes by gender and marital status; differences
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from sim.cli import _positive_int
from sim.results import _flatten
from sim.runner import PARAMETER_SOURCES, RunResult, replicate_seeds, run_scenario
from sim.scenario import Scenario, ScenarioError, load

log = logging.getLogger("relocsim")

DEFAULT_OUT = Path("results") / "compare"
DEFAULT_REPLICATES = 5
BAND = (5.0, 95.0)  # percentiles of the 90% band, as in sim.results.combine
COLUMNS = ["scenario", "outcome", "mean", "low", "high", "diff_from_first", "diff_low", "diff_high", "n"]
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
GROUP_PLOTS = ("gender", "marital_status")
GROUP_OUTCOMES = (("relocated_persons", "relocated persons"), ("return_share", "return share"),
                  ("employed_share_12m", "employed at 12 months"))


# --------------------------------------------------------------------------- running

@dataclass
class Comparison:
    """Scenarios run with the same replicate seeds; `labels` name them in tables and plots."""

    labels: list[str]
    scenarios: list[Scenario]
    results: list[RunResult]
    seeds: list[int]
    seed: int
    overrides: list[str]
    scale: float
    parameters: str = "posterior"
    parameter_sets: list | None = None  # calibrated-ensemble trial per replicate (None: schema defaults)


def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique by a suffix where two scenarios share one."""
    out: list[str] = []
    for sc in scenarios:
        label, k = sc.name, 2
        while label in out:
            label, k = f"{sc.name}#{k}", k + 1
        out.append(label)
    return out


def load_scenarios(names_or_paths: Sequence[str | Path], overrides: Sequence[str] = ()) -> list[Scenario]:
    """Load and validate every scenario first; one ScenarioError lists the problems of all of them."""
    if len(names_or_paths) < 2:
        raise ScenarioError([f"compare: expected at least two scenarios, got {len(names_or_paths)}: "
                             f"{', '.join(map(str, names_or_paths)) or 'none'}"])
    scenarios, problems = [], []
    for name in names_or_paths:
        try:
            scenarios.append(load(name, list(overrides)))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))  # a scenario named twice reports once
    return scenarios


def _all_overrides(overrides: Sequence[str] | None, scale: float | None) -> list[str]:
    out = list(overrides or [])
    if scale is not None:
        out.append(f"population.scale={float(scale)!r}")  # validated against the schema's bounds
    return out


def run_comparison(names_or_paths: Sequence[str | Path], replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                   scale: float | None = None, overrides: Sequence[str] | None = None,
                   on_month: Callable[[], None] | None = None, parameters: str = "posterior") -> Comparison:
    """Validate all scenarios, then run each for the same replicate seeds. Behavioural parameters
    come from the calibrated ensemble (one draw per replicate seed, hence the same draw for every
    scenario) or, with parameters="defaults", from the schema."""
    if int(replicates) < 1:
        raise ScenarioError([f"compare: replicates must be a positive whole number, got {replicates}"])
    over = _all_overrides(overrides, scale)
    scenarios = load_scenarios(names_or_paths, over)
    seeds = replicate_seeds(seed, int(replicates))
    labels = _labels(scenarios)
    results = []
    for label, sc in zip(labels, scenarios):
        log.debug("compare: running %s for seeds %s", label, seeds)
        res = run_scenario(sc, seed=seed, replicates=int(replicates), on_month=on_month, parameters=parameters)
        # common random numbers: every scenario sees the same seeds and the same parameter draws
        same_draws = not results or res.parameter_sets == results[0].parameter_sets
        if res.seeds != seeds or not same_draws:
            raise RuntimeError(f"{label}: replicate seeds {res.seeds} / parameter sets {res.parameter_sets} differ "
                               f"from the first scenario's")
        results.append(res)
    return Comparison(labels, scenarios, results, seeds, int(seed), over, results[0].scale, parameters,
                      list(results[0].parameter_sets))


# --------------------------------------------------------------------------- outcomes

def _number(v) -> float:
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return math.nan
    return float(v)


def outcome_values(summary: dict) -> dict[str, float]:
    """A run summary as {outcome: number} (NaN where undefined), with total and net subsidies added
    after the subsidies by type and after the repayments."""
    flat = {k: _number(v) for k, v in _flatten(summary).items()
            if not k.startswith(("bands_90.", "run.", "replicate_summaries")) and not isinstance(v, (str, list))}
    paid = [k for k in flat if k.startswith("subsidies_paid_tenge.")]
    total = float(np.sum([flat[k] for k in paid]))
    out: dict[str, float] = {}
    for k, v in flat.items():
        out[k] = v
        if paid and k == paid[-1]:
            out[SUBSIDY_TOTAL] = total
        if k == "reimbursed_tenge":
            out[NET_SUBSIDIES] = total - v
    out.setdefault(SUBSIDY_TOTAL, total)
    return out


def _outcome_order(keys: list[str]) -> list[str]:
    head = [k for k in HEADLINE if k in keys]
    return head + [k for k in keys if k not in head]


def _stats(x: np.ndarray) -> tuple[float, float, float, int]:
    ok = x[np.isfinite(x)]
    if len(ok) == 0:
        return math.nan, math.nan, math.nan, 0
    return float(ok.mean()), float(np.percentile(ok, BAND[0])), float(np.percentile(ok, BAND[1])), len(ok)


def replicate_table(comp: Comparison) -> pd.DataFrame:
    """Every outcome of every replicate, long: scenario, replicate, seed, outcome, value."""
    rows = []
    for label, res in zip(comp.labels, comp.results):
        for i, (s, summ) in enumerate(zip(res.seeds, res.summaries)):
            for outcome, v in outcome_values(summ).items():
                rows.append((label, i, s, outcome, v))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "seed", "outcome", "value"])


def compare_table(comp: Comparison) -> pd.DataFrame:
    """One row per (outcome, scenario): mean and 90% band over replicates, and the paired
    difference from the first scenario with its 90% band."""
    values = [[outcome_values(s) for s in res.summaries] for res in comp.results]
    keys: list[str] = []
    for per_scenario in values:
        for rep in per_scenario:
            keys.extend(k for k in rep if k not in keys)
    rows = []
    for outcome in _outcome_order(keys):
        mat = np.array([[rep.get(outcome, math.nan) for rep in per_scenario] for per_scenario in values], float)
        for j, label in enumerate(comp.labels):
            mean, low, high, n = _stats(mat[j])
            dmean, dlow, dhigh, _ = _stats(mat[j] - mat[0])  # paired by replicate seed
            rows.append((label, outcome, mean, low, high, dmean, dlow, dhigh, n))
    return pd.DataFrame(rows, columns=COLUMNS)


def compare_scenarios(names_or_paths: Sequence[str | Path], replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                      scale: float | None = None, overrides: Sequence[str] | None = None,
                      parameters: str = "posterior") -> pd.DataFrame:
    """Run the scenarios with common random numbers and return the comparison table (see module doc)."""
    return compare_table(run_comparison(names_or_paths, replicates, seed, scale, overrides, parameters=parameters))


def annual_table(comp: Comparison) -> pd.DataFrame:
    """Yearly series per scenario and replicate (national totals; employed_share is the mean of months)."""
    frames = []
    for label, res in zip(comp.labels, comp.results):
        for i, (s, df) in enumerate(zip(res.seeds, res.monthly)):
            g = df.groupby("year")
            paid = [c for c in df.columns if c.startswith("paid_") and c.endswith("_tenge")]
            out = pd.DataFrame({
                "applications_hh": g["applications_hh"].sum(),
                "arrivals_persons": g["arrivals_persons"].sum(),
                "returned_persons": df.filter(like="returns_persons_").sum(axis=1).groupby(df["year"]).sum(),
                "returns_hh": g["returns_hh"].sum(),
                "employed_share": g["employed_share"].mean(),
                "in_destination_persons_december": g["in_destination_persons"].last(),
                **{c: g[c].sum() for c in paid},
                "paid_total_tenge": df[paid].sum(axis=1).groupby(df["year"]).sum(),
                "reimbursed_tenge": g["reimbursed_tenge"].sum(),
            }).reset_index()
            out.insert(0, "seed", s)
            out.insert(0, "replicate", i)
            out.insert(0, "scenario", label)
            frames.append(out)
    return pd.concat(frames, ignore_index=True)


def scenario_differences(comp: Comparison) -> dict[str, dict[str, dict]]:
    """Per scenario, the resolved keys whose values differ from the first scenario's."""
    first = _flatten(comp.scenarios[0].data)
    out = {}
    for label, sc in zip(comp.labels, comp.scenarios):
        flat = _flatten(sc.data)
        keys = [k for k in list(first) + [k for k in flat if k not in first] if first.get(k) != flat.get(k)]
        out[label] = {k: {"first": first.get(k), "this": flat.get(k)} for k in keys if k not in ("name", "description")}
    return out


# --------------------------------------------------------------------------- plots

def _plt():
    from sim.plots import plt  # the Agg backend is chosen there

    return plt


def _finish(fig, path: Path, title: str | None = None, rect_top: float = 1.0) -> None:
    from sim.plots import SOURCE

    if title:
        fig.suptitle(title)
    fig.text(0.01, 0.005, SOURCE + "; bands: 5-95% over replicates (common random numbers)", fontsize=7, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, rect_top))
    fig.savefig(path, dpi=110)
    _plt().close(fig)


def _band(ax, x, table: pd.DataFrame, label: str, color=None, scale: float = 1.0) -> None:
    t = table / scale
    line = ax.plot(x, t.mean(axis=1), label=label, color=color, marker="." if len(x) < 30 else None)[0]
    if t.shape[1] > 1:
        ax.fill_between(x, t.quantile(BAND[0] / 100, axis=1), t.quantile(BAND[1] / 100, axis=1),
                        color=line.get_color(), alpha=0.2)


def _wide(annual: pd.DataFrame, label: str, col: str) -> pd.DataFrame:
    return annual[annual["scenario"] == label].pivot(index="year", columns="replicate", values=col)


def _yerr(rows: pd.DataFrame) -> np.ndarray:
    return np.vstack([np.clip(rows["mean"] - rows["low"], 0, None), np.clip(rows["high"] - rows["mean"], 0, None)])


def write_plots(comp: Comparison, table: pd.DataFrame, annual: pd.DataFrame, out: Path) -> list[str]:
    plt = _plt()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if len(comp.labels) > len(colors):  # distinct colours for up to 20 scenarios
        colors = [plt.get_cmap("tab20")(i) for i in range(20)]
    color = {lab: colors[i % len(colors)] for i, lab in enumerate(comp.labels)}
    written = []

    def save(fig, name, title=None):
        _finish(fig, out / name, title)
        written.append(name)

    # relocations per year
    fig, ax = plt.subplots(figsize=(9, 5))
    for lab in comp.labels:
        t = _wide(annual, lab, "arrivals_persons")
        _band(ax, t.index, t, lab, color[lab])
    ax.set(xlabel="year", ylabel="persons per year", title="Relocated persons per year")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "relocations_over_time.png")
    # employment share of households in the destination regions, monthly
    fig, ax = plt.subplots(figsize=(9, 5))
    for lab, res in zip(comp.labels, comp.results):
        m0 = res.monthly[0]
        x = m0["year"].to_numpy() + (m0["month"].to_numpy() - 1) / 12
        _band(ax, x, pd.DataFrame({i: df["employed_share"].to_numpy() for i, df in enumerate(res.monthly)}), lab, color[lab])
    ax.set(xlabel="year", ylabel="share of households", title="Heads employed among households in the destination regions")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, "employment_over_time.png")
    # returns: per year and cumulative share
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    for lab in comp.labels:
        ret = _wide(annual, lab, "returned_persons")
        arr = _wide(annual, lab, "arrivals_persons")
        _band(ax1, ret.index, ret, lab, color[lab])
        _band(ax2, ret.index, ret.cumsum() / arr.cumsum().replace(0, np.nan), lab, color[lab])
    ax1.set(xlabel="year", ylabel="persons per year", title="Returned persons per year")
    ax2.set(xlabel="year", ylabel="returned / relocated", title="Cumulative return share")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    save(fig, "returns_over_time.png")
    # budget: subsidies by year and by type
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [3, 2]})
    for lab in comp.labels:
        t = _wide(annual, lab, "paid_total_tenge")
        _band(ax1, t.index, t, lab, color[lab], scale=1e6)
    ax1.set(xlabel="year", ylabel="million tenge per year", title="Subsidies paid per year (all types)")
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    types = [o for o in table["outcome"].unique() if o.startswith("subsidies_paid_tenge.") and o != SUBSIDY_TOTAL]
    x = np.arange(len(comp.labels))
    bottom = np.zeros(len(x))
    for t in types:
        vals = table[table["outcome"] == t].set_index("scenario").loc[comp.labels, "mean"].to_numpy() / 1e9
        ax2.bar(x, vals, bottom=bottom, label=t.split(".")[-1])
        bottom += np.nan_to_num(vals)
    reimb = table[table["outcome"] == "reimbursed_tenge"].set_index("scenario").loc[comp.labels, "mean"].to_numpy() / 1e9
    ax2.plot(x, reimb, "kv", label="repaid by returners")
    ax2.set_xticks(x, comp.labels, rotation=20, ha="right", fontsize=8)
    ax2.set(ylabel="billion tenge, whole run", title="Subsidies by type")
    ax2.legend(fontsize=8)
    save(fig, "budget_over_time.png")
    # cost per retained person
    fig, ax = plt.subplots(figsize=(min(16.0, max(6.0, 0.9 * len(x) + 3)), 5.5))
    rows = table[table["outcome"] == "cost_per_retained_person_24m_tenge"].set_index("scenario").loc[comp.labels]
    ax.bar(x, rows["mean"] / 1e3, yerr=_yerr(rows) / 1e3, capsize=5, color=[color[lab] for lab in comp.labels])
    for xi, v in zip(x, rows["mean"]):
        if not np.isfinite(v):
            ax.text(xi, 0, "n/a", ha="center", va="bottom")
    ax.set_xticks(x, comp.labels, rotation=20, ha="right", fontsize=8)
    ax.set(ylabel="thousand tenge per person",
           title="Net subsidies per person still in the north 24 months after arrival")
    ax.grid(alpha=0.3, axis="y")
    save(fig, "cost_per_retained.png")
    # outcomes by gender and marital status
    fig, axes = plt.subplots(len(GROUP_PLOTS), len(GROUP_OUTCOMES), figsize=(5 * len(GROUP_OUTCOMES), 4 * len(GROUP_PLOTS)), squeeze=False)
    width = 0.8 / len(comp.labels)
    for r, group in enumerate(GROUP_PLOTS):
        prefix = f"breakdowns.{group}."
        cats = list(dict.fromkeys(o[len(prefix):].split(".")[0] for o in table["outcome"] if o.startswith(prefix)))
        for c, (outcome, title) in enumerate(GROUP_OUTCOMES):
            ax = axes[r][c]
            for j, lab in enumerate(comp.labels):
                sel = table[(table["scenario"] == lab)].set_index("outcome").reindex([f"{prefix}{cat}.{outcome}" for cat in cats])
                ax.bar(np.arange(len(cats)) + (j - (len(comp.labels) - 1) / 2) * width, sel["mean"].fillna(0), width,
                       yerr=np.nan_to_num(_yerr(sel)), capsize=2, color=color[lab], label=lab)
            ax.set_xticks(np.arange(len(cats)), cats, fontsize=8)
            ax.set_title(f"{title} by {group.replace('_', ' ')}", fontsize=10)
            ax.grid(alpha=0.3, axis="y")
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=min(len(names), 4), fontsize=8, frameon=False)
    _finish(fig, out / "outcomes_by_group.png", rect_top=1 - 0.035 * math.ceil(len(names) / 4))
    written.append("outcomes_by_group.png")
    # paired differences from the first scenario, % of its mean
    others = comp.labels[1:]
    fig, ax = plt.subplots(figsize=(9, min(30.0, max(5.0, 2.0 + 0.3 * len(PRINTED) * len(others)))))
    y0 = np.arange(len(PRINTED))
    h = 0.8 / len(others)
    for j, lab in enumerate(others):
        rows = table[table["scenario"] == lab].set_index("outcome").reindex(list(PRINTED))
        base = table[table["scenario"] == comp.labels[0]].set_index("outcome").reindex(list(PRINTED))["mean"].abs()
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = 100 * rows[["diff_from_first", "diff_low", "diff_high"]].div(base.replace(0, np.nan), axis=0)
        err = np.vstack([np.clip(rel["diff_from_first"] - rel["diff_low"], 0, None), np.clip(rel["diff_high"] - rel["diff_from_first"], 0, None)])
        ax.barh(y0 + (j - (len(others) - 1) / 2) * h, rel["diff_from_first"].fillna(0), h, xerr=np.nan_to_num(err),
                capsize=2, color=color[lab], label=lab)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y0, PRINTED, fontsize=8)
    ax.invert_yaxis()
    ax.set(xlabel=f"paired difference from {comp.labels[0]}, % of its mean",
           title=f"Differences from {comp.labels[0]} (paired by replicate)")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    save(fig, "differences.png")
    return written


# --------------------------------------------------------------------------- writing

def _target(parent: Path, seed: int) -> Path:
    from sim.results import run_id

    base = run_id(seed)
    target, k = parent / base, 2
    while target.exists() or (parent / f".{target.name}.partial").exists():
        target, k = parent / f"{base}-{k}", k + 1
    return target


def write_comparison(comp: Comparison, out_parent: Path = DEFAULT_OUT, table: pd.DataFrame | None = None,
                     command: list[str] | None = None) -> Path:
    """Write tables, plots and metadata into `out_parent/<timestamp>-seed<N>/` atomically."""
    from sim.results import versions

    out_parent = Path(out_parent)
    out_parent.mkdir(parents=True, exist_ok=True)
    target = _target(out_parent, comp.seed)
    tmp = out_parent / f".{target.name}.partial"
    tmp.mkdir()
    try:
        table = compare_table(comp) if table is None else table
        table.to_csv(tmp / "compare.csv", index=False)
        replicate_table(comp).to_csv(tmp / "compare_replicates.csv", index=False)
        annual = annual_table(comp)
        annual.to_csv(tmp / "annual.csv", index=False)
        plots = write_plots(comp, table, annual, tmp)
        diffs = scenario_differences(comp)
        meta = {
            "compare_id": target.name,
            "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": command,
            "scenarios": [
                {"label": lab, "name": sc.name, "file": sc.source, "description": sc.data.get("description", ""),
                 "differs_from_first": diffs[lab]}
                for lab, sc in zip(comp.labels, comp.scenarios)
            ],
            "first": comp.labels[0],
            "overrides": comp.overrides,
            "seed": comp.seed,
            "replicates": len(comp.seeds),
            "replicate_seeds": comp.seeds,
            "parameters": comp.parameters,
            "parameter_sets": comp.parameter_sets,
            "common_random_numbers": "every scenario ran the same replicate seeds; diff_* columns are paired by seed",
            "band": f"{BAND[0]:g}th-{BAND[1]:g}th percentile over replicates",
            "scale": comp.scale,
            "outcomes": list(table["outcome"].unique()),
            "files": ["compare.csv", "compare_replicates.csv", "annual.csv", "compare.json", *plots],
            "versions": versions(),
        }
        (tmp / "compare.json").write_text(json.dumps(meta, indent=2, default=str))
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


# --------------------------------------------------------------------------- command line

def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "compare", help="run several scenarios with common random numbers and compare their outcomes",
        description="Run scenarios with the same replicate seeds; write compare.csv (mean, 90% band, paired "
                    "difference from the first scenario), plots and compare.json into DIR/<timestamp>/.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="two or more shipped scenario names or paths; the first is the reference")
    p.add_argument("--replicates", type=_positive_int, default=DEFAULT_REPLICATES,
                   help=f"replicates per scenario, the same seeds for all (default {DEFAULT_REPLICATES})")
    p.add_argument("--seed", type=int, default=0, help="seed the replicate seeds derive from (default 0)")
    p.add_argument("--scale", type=float, default=None, help="fraction of households simulated (default: each scenario's)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key in every scenario, e.g. --set time.end_year=2020 (repeatable)")
    p.add_argument("--parameters", choices=PARAMETER_SOURCES, default="posterior",
                   help="behavioural parameters: draws from the calibrated ensemble, one per replicate seed and the "
                        "same for every scenario (default), or the schema defaults")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"parent folder of the result folder (default {DEFAULT_OUT})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_compare)
    return p


def _fmt(outcome: str, v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    if "share" in outcome:
        return f"{v:.1%}" if abs(v) <= 1 else f"{v:.3g}"
    return f"{v:,.0f}"


def _fmt_diff(outcome: str, row) -> str:
    if not np.isfinite(row["diff_from_first"]):
        return "n/a"
    if "share" in outcome:
        f = lambda v: f"{100 * v:+.1f} pt"  # noqa: E731
    else:
        f = lambda v: f"{v:+,.0f}"  # noqa: E731
    return f"{f(row['diff_from_first'])} [{f(row['diff_low'])}, {f(row['diff_high'])}]"


def print_summary(comp: Comparison, table: pd.DataFrame) -> None:
    print(f"differences from {comp.labels[0]}, paired over {len(comp.seeds)} replicate(s), 90% band in brackets")
    for outcome in PRINTED:
        rows = table[table["outcome"] == outcome].set_index("scenario")
        if rows.empty:
            continue
        print(f"  {outcome}")
        for lab in comp.labels:
            r = rows.loc[lab]
            diff = "" if lab == comp.labels[0] else f"  {_fmt_diff(outcome, r)}"
            print(f"    {lab:32s} {_fmt(outcome, r['mean']):>16s}{diff}")


def cmd_compare(args) -> int:
    from tqdm import tqdm

    over = _all_overrides(args.overrides, args.scale)
    scenarios = load_scenarios(args.scenarios, over)  # every scenario validated before anything runs
    total = sum(sc.months for sc in scenarios) * args.replicates
    log.info("comparing %s: %d replicate(s) each, seeds from %d", ", ".join(sc.name for sc in scenarios), args.replicates, args.seed)
    with tqdm(total=total, unit="month", disable=True if args.quiet else None, desc="compare") as bar:
        comp = run_comparison(args.scenarios, args.replicates, args.seed, args.scale, args.overrides,
                              on_month=lambda: bar.update(1), parameters=args.parameters)
    table = compare_table(comp)
    command = ["relocsim", "compare", *map(str, args.scenarios), "--replicates", str(args.replicates), "--seed", str(args.seed)]
    if args.scale is not None:
        command += ["--scale", repr(args.scale)]
    command += ["--parameters", args.parameters]
    for o in args.overrides:
        command += ["--set", o]
    final = write_comparison(comp, args.out, table, command)
    print(f"wrote {final}")
    print_summary(comp, table)
    return 0
