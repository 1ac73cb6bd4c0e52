"""The front in a planner's words (report.md) and in a picture (front.png) against the base and the
reference scenarios."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.optimise.metrics import METRICS
from sim.optimise.search import Search
from sim.output_folder import atomic_file

UNUSED = 0.1   # a lever whose front values span under this share of its range is one the front does not use


def _fmt(m: str, v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    unit = METRICS[m][1]
    if unit == "tenge":
        return f"{v / 1e9:,.2f} bn tenge"
    if unit == "share":
        return f"{100 * v:.1f}%"
    return f"{v:,.0f}"


def _diff(m: str, v: float) -> str:
    if not np.isfinite(v):
        return "n/a"
    unit = METRICS[m][1]
    if unit == "share":
        return f"{100 * v:+.1f} pp"
    return ("+" if v >= 0 else "-") + _fmt(m, abs(v))


def _cell(m: str, r) -> str:
    s = f"{_fmt(m, r[m])} [{_fmt(m, r[m + '_low'])}, {_fmt(m, r[m + '_high'])}]"
    if f"{m}_diff" in r:
        s += f"; vs base {_diff(m, r[m + '_diff'])} [{_diff(m, r[m + '_diff_low'])}, {_diff(m, r[m + '_diff_high'])}]"
    return s


def _err(df: pd.DataFrame, m: str) -> np.ndarray:
    """Error bar lengths below and above the mean (a band that rounds to the mean: zero, not negative)."""
    mid = df[m].to_numpy(float)
    return np.clip(np.vstack([mid - df[m + "_low"].to_numpy(float), df[m + "_high"].to_numpy(float) - mid]), 0, None)


def plot_front(search: Search, df: pd.DataFrame, front: pd.DataFrame, path: Path) -> None:
    """The first two objectives: every trial, the front with 90% bands, the base and the references."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spec = search.spec
    objs = [m for m, _d in spec.objectives]
    x, y = (objs + objs)[1], objs[0]    # cost (or the second objective) across, the first objective up
    fig, (ax, dx) = plt.subplots(1, 2, figsize=(13, 5.5))
    if len(df):
        ax.scatter(df[x], df[y], s=12, c=np.where(df["feasible"], "0.6", "#f4a6a6"), label="trials (pink: over a cap)")
        dx.scatter(df[x + "_diff"], df[y + "_diff"], s=12, c=np.where(df["feasible"], "0.6", "#f4a6a6"))
    points = [("base", search.base, "*", "black")] + [(n, st, "s", f"C{i + 2}") for i, (n, st) in enumerate(search.references.items())]
    for axis, sx, sy in ((ax, "", ""), (dx, "_diff", "_diff")):
        if len(front):
            axis.errorbar(front[x + sx], front[y + sy],
                          xerr=_err(front, x + sx), yerr=_err(front, y + sy),
                          fmt="o", color="#1f77b4", ms=6, lw=1, capsize=2, label="front (90% bands)")
            for _i, r in front.iterrows():
                axis.annotate(r["point"].replace("front_", ""), (r[x + sx], r[y + sy]), fontsize=7, xytext=(3, 3),
                              textcoords="offset points")
        for label, st, marker, colour in points:
            if st and f"{x}{sx}_low" in st:
                one = pd.DataFrame([st])
                axis.errorbar([st[x + sx]], [st[y + sy]], xerr=_err(one, x + sx), yerr=_err(one, y + sy), fmt=marker,
                              color=colour, ms=12 if marker == "*" else 7, lw=1, capsize=2, label=label)
        axis.grid(alpha=0.3)
    dx.axhline(0, color="black", lw=0.8)
    dx.axvline(0, color="black", lw=0.8)
    for m, axis in ((x, ax.set_xlabel), (y, ax.set_ylabel)):
        axis(f"{METRICS[m][0]} ({METRICS[m][1]})", fontsize=9)
    dx.set_xlabel(f"{METRICS[x][1]} more than the base", fontsize=9)
    dx.set_ylabel(f"{METRICS[y][1]} more than the base", fontsize=9)
    dx.set_title("Differences from the base, paired on the same seeds and draws", fontsize=10)
    ax.set_title(f"Policy search '{spec.name}': levers from {spec.start_year}, to {spec.end_year}; "
                 f"{spec.replicates} ensemble draws each", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


def lever_effects(search: Search, df: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Per numeric lever, each objective's change across the lever's searched range with the other levers
    held (a least-squares plane through every trial's means): a rough guide to what a lever moves."""
    spec = search.spec
    levers = [lv for lv in spec.levers if lv.choices is None or all(isinstance(c, (int, float)) for c in lv.choices)]
    if len(df) < len(levers) + 2:
        return {}
    lo = {lv.name: min(lv.choices) if lv.choices else lv.low for lv in levers}
    hi = {lv.name: max(lv.choices) if lv.choices else lv.high for lv in levers}
    X = np.column_stack([np.ones(len(df))] + [(df[lv.name].astype(float) - lo[lv.name]) / (hi[lv.name] - lo[lv.name])
                                               for lv in levers])
    out: dict[str, dict[str, float]] = {lv.name: {} for lv in levers}
    for m, _d in spec.objectives:
        y = df[m].to_numpy(float)
        ok = np.isfinite(y)
        coef = np.linalg.lstsq(X[ok], y[ok], rcond=None)[0]
        for lv, c in zip(levers, coef[1:]):
            out[lv.name][m] = float(c)
    return out


def effect_lines(search: Search, df: pd.DataFrame) -> list[str]:
    spec = search.spec
    eff = lever_effects(search, df)
    if not eff:
        return []
    lines = ["", "What each lever moves over its whole searched range, the others held (a plane fitted through all "
                 f"{len(df)} trials: a guide, not a promise):", ""]
    for lv in spec.levers:
        if lv.name in eff:
            lines.append(f"- **{lv.label}**: " + "; ".join(f"{METRICS[m][0]} {_diff(m, v)}" for m, v in eff[lv.name].items()))
    return lines


def lever_lines(search: Search, front: pd.DataFrame, base: dict[str, Any]) -> list[str]:
    """How each lever varies along the front, ordered by the first objective; which levers it does not use."""
    spec = search.spec
    first = spec.objectives[0][0]
    lines, unused = [], []
    for lv in spec.levers:
        vals = front[lv.name].tolist()
        b = base.get(lv.name)
        if lv.choices is not None:
            counts = pd.Series(vals).value_counts()
            if len(counts) == 1:
                unused.append(f"**{lv.label}** (`{lv.key}`): every front point takes {counts.index[0]!r} (base: {b!r})")
            else:
                lines.append(f"- **{lv.label}** (`{lv.key}`): " + ", ".join(f"{k!r} in {n}" for k, n in counts.items())
                             + f" of {len(vals)} front points (base: {b!r})")
            continue
        lo, hi = float(np.min(vals)), float(np.max(vals))
        span = (hi - lo) / (lv.high - lv.low)
        where = "its lowest" if lo - lv.low < UNUSED * (lv.high - lv.low) and span < UNUSED else \
            "its highest" if lv.high - hi < UNUSED * (lv.high - lv.low) and span < UNUSED else f"about {np.mean(vals):.3g}"
        if span < UNUSED:
            unused.append(f"**{lv.label}** (`{lv.key}`): held at {where} ({lo:.3g} to {hi:.3g} of the "
                          f"{lv.low:g}-{lv.high:g} searched; base {b})")
            continue
        rho = pd.Series(vals).corr(front[first].reset_index(drop=True), method="spearman") if len(vals) > 2 else math.nan
        trend = ("rises as the front keeps more people" if rho > 0.3 else "falls as the front keeps more people"
                 if rho < -0.3 else "varies with no clear link to how many people are kept") if np.isfinite(rho) else "varies"
        lines.append(f"- **{lv.label}** (`{lv.key}`): {lo:.3g} to {hi:.3g} along the front (searched {lv.low:g}-{lv.high:g}, "
                     f"base {b}); it {trend} (rank correlation {rho:+.2f})")
    out = lines or ["- no lever varies along the front"]
    out += ["", "Levers the front does not use (they stay put along the whole front):", ""]
    out += [f"- {u}" for u in unused] or ["- none: every lever varies along the front"]
    return out


def report_text(search: Search, df: pd.DataFrame, front: pd.DataFrame, base: dict[str, Any]) -> str:
    spec = search.spec
    objs = [m for m, _d in spec.objectives]
    feasible = int(df["feasible"].sum()) if len(df) else 0
    caps = "; ".join(f"{n.replace('_', ' ')} {c / 1e9:,.2f} bn tenge (held at the top of the 90% band)"
                     for n, c in spec.constraints) or "none"
    lines = [f"# Policy search '{spec.name}'", "", spec.description, "",
             f"Levers change from January {spec.start_year}; outcomes count the families who arrived from then to "
             f"December {spec.end_year} (retention and returns: those who arrived at least 24 months before the end). "
             f"Every candidate ran the same {spec.replicates} seeds, each with its draw of the "
             f"{'calibrated ensemble' if spec.parameters == 'posterior' else 'schema defaults'}, at scale {spec.scale:g}; "
             f"bands are 90% bands over those draws, differences are paired with the base on the same seeds and draws.",
             "", f"Trials: {len(df)} evaluated ({feasible} within the caps: {caps}); sampler {spec.sampler}, "
             f"{spec.batch} proposals per batch" + ("" if search.complete else f"; the search is unfinished "
                                                    f"({len(df)} of {spec.trials} trials): run the same command to continue"), "",
             "## The base", ""]
    lines += [f"- {METRICS[m][0]}: {_cell(m, {k: v for k, v in search.base.items() if '_diff' not in k})}" for m in objs]
    for name, st in search.references.items():
        over = [n for n, cap in spec.constraints if st.get("max_annual_cost_tenge_high", 0) > cap]
        lines += ["", f"Reference `{name}` (its own levers and policy year; {'over the cap' if over else 'within the cap'}): "
                  + "; ".join(f"{METRICS[m][0]} {_fmt(m, st[m])} ({_diff(m, st[m + '_diff'])} "
                              f"[{_diff(m, st[m + '_diff_low'])}, {_diff(m, st[m + '_diff_high'])}] vs base)" for m in objs)]
    lines += ["", f"## The front: {len(front)} candidates no other beats on every objective", ""]
    head = ["point"] + [lv.label for lv in spec.levers] + [METRICS[m][0] for m in objs]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _i, r in front.iterrows():
        lev = [f"{r[lv.name]:.3g}" if isinstance(r[lv.name], (int, float, np.number)) else str(r[lv.name]) for lv in spec.levers]
        lines.append("| " + " | ".join([r["point"]] + lev + [_cell(m, r) for m in objs]) + " |")
    lines += ["", "Each point is a scenario file in `scenarios/` that `relocsim run` and `relocsim compare` take "
                  "unchanged (see the commands at its top).", "", "## How the levers move along the front", ""]
    lines += lever_lines(search, front, base) if len(front) else ["- the front is empty"]
    lines += effect_lines(search, df)
    lines += ["", "## What to try first", "", first_advice(spec, front)]
    return "\n".join(lines) + "\n"


def first_advice(spec, front: pd.DataFrame) -> str:
    if not len(front) or "retained_24m_persons_diff_low" not in front:
        return "No front point to recommend: no candidate stayed within the caps."
    dom = front[front["dominates_base"]]
    lev = lambda r: ", ".join(f"{lv.label} {r[lv.name]:.3g}" if isinstance(r[lv.name], (int, float, np.number))
                              else f"{lv.label} {r[lv.name]}" for lv in spec.levers)
    if len(dom):
        r = dom.sort_values("retained_24m_persons", ascending=False).iloc[0]
        return (f"{len(dom)} front point(s) keep more people in the north 24 months than the base at no higher cost, "
                f"with the band of the difference above zero. Try {r['point']} first ({lev(r)}): "
                f"{_diff('retained_24m_persons', r['retained_24m_persons_diff'])} persons retained "
                f"[{_diff('retained_24m_persons', r['retained_24m_persons_diff_low'])}, "
                f"{_diff('retained_24m_persons', r['retained_24m_persons_diff_high'])}] for "
                f"{_diff('programme_cost_tenge', r['programme_cost_tenge_diff'])} programme cost.")
    sure = front[front["retained_24m_persons_diff_low"] > 0]
    if len(sure):
        r = sure.sort_values("programme_cost_tenge_diff").iloc[0]
        return (f"No front point keeps more people at no higher cost with the band of the difference above zero. The "
                f"cheapest sure gain is {r['point']} ({lev(r)}): {_gain(r)}. Try it first; points further up the "
                f"front keep more people only for more money.")
    r = front.sort_values("retained_24m_persons_diff", ascending=False).iloc[0]
    return (f"No front point keeps more people than the base with a band excluding zero (within the noise of "
            f"{spec.replicates} draws): the largest gain is {r['point']} ({lev(r)}): {_gain(r)}; more replicates "
            f"narrow the bands.")


def _gain(r) -> str:
    m, c = "retained_24m_persons", "programme_cost_tenge"
    return (f"{_diff(m, r[m + '_diff'])} persons retained 24 months [{_diff(m, r[m + '_diff_low'])}, "
            f"{_diff(m, r[m + '_diff_high'])}] for {_diff(c, r[c + '_diff'])} programme cost "
            f"[{_diff(c, r[c + '_diff_low'])}, {_diff(c, r[c + '_diff_high'])}] over the policy years")
