"""A search's results in OUT: trials.parquet, front.csv, a scenario file per front point, front.png, report.md.

The front is the non-dominated set of the feasible trials (every constraint held at the top of its 90%
band), judged on the objectives' means over the replicates (the same seeds and ensemble draws for
every candidate). Each objective carries its 90% band and its difference from the base, paired by
replicate, with that difference's 90% band.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.optimise.candidate import candidate_toml, load_candidate
from sim.optimise.metrics import METRICS
from sim.optimise.search import Search
from sim.optimise.spec import OptimiseSpec
from sim.output_folder import atomic_file, write_text_atomic

STAT_SUFFIXES = ("", "_low", "_high", "_diff", "_diff_low", "_diff_high")


def trials_frame(search: Search) -> pd.DataFrame:
    """One row per told trial: its levers, every metric with band and difference from the base, feasibility
    and whether it is on the front."""
    spec = search.spec
    rows = []
    for t in search.trials:
        row = {"trial": t["trial"], "batch": t["batch"], "candidate": t["id"]}
        row.update({lv.name: t["values"][lv.name] for lv in spec.levers})
        row.update({k: v for k, v in t.items() if k not in ("trial", "batch", "id", "values")})
        rows.append(row)
    df = pd.DataFrame(rows)
    if len(df):
        df["on_front"] = front_mask(df, spec)
    return df


def dominated(a: np.ndarray, b: np.ndarray) -> bool:
    """Is a dominated by b (both as values to minimise)?"""
    return bool(np.all(b <= a) and np.any(b < a))


def front_mask(df: pd.DataFrame, spec: OptimiseSpec) -> np.ndarray:
    """Feasible trials no other feasible trial dominates (a candidate proposed twice counts once)."""
    signs = np.array([-1.0 if d == "maximise" else 1.0 for _m, d in spec.objectives])
    vals = df[[m for m, _d in spec.objectives]].to_numpy(float) * signs
    vals = np.where(np.isfinite(vals), vals, np.inf)
    ok = df["feasible"].to_numpy(bool) & ~df["candidate"].duplicated().to_numpy()
    mask = np.zeros(len(df), bool)
    for i in np.flatnonzero(ok):
        mask[i] = not any(dominated(vals[i], vals[j]) for j in np.flatnonzero(ok) if j != i)
    return mask


def front_frame(df: pd.DataFrame, spec: OptimiseSpec) -> pd.DataFrame:
    """front.csv: the front's candidates, best first by the first objective."""
    first, d = spec.objectives[0]
    cols = (["point", "trial", "candidate"] + [lv.name for lv in spec.levers]
            + [f"{m}{s}" for m in dict(spec.objectives) for s in STAT_SUFFIXES]
            + [f"{CON}{s}" for CON in _constrained(spec) for s in ("", "_low", "_high")]
            + ["dominates_base", "scenario_file"])
    front = df[df["on_front"]].sort_values(first, ascending=d == "minimise").reset_index(drop=True)
    front.insert(0, "point", [f"front_{i + 1:02d}" for i in range(len(front))])
    front["dominates_base"] = [dominates_base(r, spec) for _i, r in front.iterrows()]
    front["scenario_file"] = [f"scenarios/{p}.toml" for p in front["point"]]
    return front[[c for c in dict.fromkeys(cols) if c in front.columns]]


def _constrained(spec: OptimiseSpec) -> list[str]:
    from sim.optimise.spec import CONSTRAINTS

    return [CONSTRAINTS[name] for name, _cap in spec.constraints]


def dominates_base(row, spec: OptimiseSpec) -> bool:
    """More persons retained 24 months than the base (the paired band excludes zero) at no higher cost."""
    r = row.get("retained_24m_persons_diff_low", math.nan)
    c = row.get("programme_cost_tenge_diff", math.nan)
    return bool(np.isfinite(r) and r > 0 and np.isfinite(c) and c <= 0)


def base_values(spec: OptimiseSpec) -> dict[str, Any]:
    """Each lever's value in the base in the policy year."""
    data = load_candidate(candidate_toml(spec, {}, name="base")).data
    out = {}
    for lv in spec.levers:
        node: Any = data
        for part in lv.key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):   # a schedule: the step in force in the policy year
            steps = sorted((int(y), v) for y, v in node.items() if int(y) <= spec.start_year)
            node = steps[-1][1] if steps else None
        out[lv.name] = node
    return out


def write_outputs(search: Search) -> dict[str, Path]:
    """Write every output file into the search's folder (each atomically); returns name -> path (empty
    while not even the first batch is told: there is nothing to compare yet)."""
    spec, out = search.spec, search.out
    if not search.trials:
        return {}
    df = trials_frame(search)
    front = front_frame(df, spec)
    paths = {"trials": out / "trials.parquet", "front": out / "front.csv", "plot": out / "front.png",
             "report": out / "report.md"}
    with atomic_file(paths["trials"]) as tmp:
        df.to_parquet(tmp, index=False)
    with atomic_file(paths["front"]) as tmp:
        front.to_csv(tmp, index=False)
    scen = out / "scenarios"
    scen.mkdir(exist_ok=True)
    seeds = f"--seed {spec.seed} --replicates {spec.replicates}" + ("" if spec.parameters == "posterior" else " --parameters defaults")
    write_text_atomic(scen / "base.toml", candidate_toml(
        spec, {}, name=f"{spec.name}_base", header=f"The base of policy search '{spec.name}'.\nRun: relocsim run {scen / 'base.toml'} {seeds}"))
    for _i, r in front.iterrows():
        values = {lv.name: _py(r[lv.name]) for lv in spec.levers}
        head = (f"Front point {r['point']} of policy search '{spec.name}' (trial {r['trial']}).\n"
                f"Run: relocsim run {scen / (r['point'] + '.toml')} {seeds}\n"
                f"Compare: relocsim compare {scen / 'base.toml'} {scen / (r['point'] + '.toml')} {seeds}")
        write_text_atomic(scen / f"{r['point']}.toml", candidate_toml(spec, values, name=f"{spec.name}_{r['point']}", header=head))
    from sim.optimise.report import plot_front, report_text

    plot_front(search, df, front, paths["plot"])
    write_text_atomic(paths["report"], report_text(search, df, front, base_values(spec)))
    return paths


def _py(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def metric_text(m: str) -> str:
    return METRICS[m][0]
