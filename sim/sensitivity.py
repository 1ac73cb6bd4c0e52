"""`relocsim sensitivity`: global sensitivity analysis of key outcomes with SALib (Sobol or Morris).

A sensitivity spec is a TOML file like a sweep spec (see `sim.sweep`), with ranges only::

    scenario = "baseline"
    method = "morris"            # or give --method; morris | sobol
    trajectories = 6             # morris: trajectories r (runs = r x (keys + 1))
    levels = 4                   # morris: grid levels p (even, default 4)
    samples = 64                 # sobol: base samples N, a power of 2 (runs = N x (keys + 2), or
    second_order = false         #        N x (2 keys + 2) with second-order indices)
    replicates = 1               # seeds per sample point; outputs are averaged over them
    seed = 1
    scale = 0.02
    overrides = ["time.end_year=2019"]
    parameters = "posterior"     # other behavioural parameters: each seed's draw from the calibrated
                                 # ensemble (if shipped) or "defaults"; swept keys always win
    outputs = ["relocated_persons", "employed_share_12m", "returned_persons", "return_share",
               "cost_per_retained_person_24m_tenge"]     # the default; any scalar outcome column

    [keys]
    "rent_subsidy.months" = { low = 6, high = 24 }        # integer keys are rounded (schema says so)
    "behaviour.decide_w_subsidy" = { low = 0.5, high = 3 }
    "behaviour.return_level" = {}                           # numeric keys default to their schema bounds

The sample runs through the same executors, streaming and resume as `relocsim sweep` (runs land in
OUT/runs/<run_id>.parquet; rerunning skips finished runs). Then each output is analysed and written to

    OUT/indices.csv   tidy: output, parameter, index (S1, ST, S2 / mu, mu_star, sigma), value, confidence
    OUT/indices.png   bars per output (Sobol: S1 and ST; Morris: mu* and sigma), with confidence bars
"""

from __future__ import annotations

import logging
import math
import warnings
from pathlib import Path
from typing import Mapping

import numpy as np

from sim.ensemble import ParameterEnsemble
from sim.extras import require
from sim.output_folder import atomic_file, safe_name
from sim.scenario import ScenarioError, is_number
from sim.sweep.execute import execute
from sim.sweep.output import read_runs
from sim.sweep.plan import Plan, build_plan
from sim.sweep.spec import (COMMON_KEYS, RUN_COLUMNS, Param, SpecProblems, check_common, is_int, key_problems, parse_params,
                            resolve_base, spec_source)

log = logging.getLogger("relocsim")

METHODS = ("sobol", "morris")
DEFAULT_OUTPUTS = ("relocated_persons", "employed_share_12m", "returned_persons", "return_share",
                   "cost_per_retained_person_24m_tenge")
SENS_KEYS = COMMON_KEYS + ("method", "samples", "trajectories", "levels", "second_order", "outputs",
                              "num_resamples", "conf_level")
INDEX_COLUMNS = ("output", "parameter", "index", "value", "confidence")


def _problem(params: list[Param]) -> dict:
    return {"num_vars": len(params), "names": [p.key for p in params], "bounds": [list(p.unit_bounds()) for p in params]}


def load_sensitivity_spec(spec_path: str | Path | Mapping, method: str | None = None, ensemble: ParameterEnsemble | None = None) -> Plan:
    """Read and validate a sensitivity spec, sample it with SALib and lay out the runs; `ensemble` as
    in `sim.sweep.load_sweep_spec`."""
    spec_path, spec = spec_source(spec_path)   # a file, or a dict from a Python caller
    probs = SpecProblems(spec_path)
    replicates, seed = check_common(spec, probs, SENS_KEYS)
    method = method or spec.get("method")
    if method not in METHODS:
        probs.err("method", f"{'missing (give --method or method = ...)' if method is None else f'value {method!r} not allowed'}; "
                            f"allowed: {', '.join(METHODS)}")
        method = None
    samples, trajectories = spec.get("samples"), spec.get("trajectories")
    levels, second = spec.get("levels", 4), spec.get("second_order", False)
    if method == "sobol":
        if not is_int(samples) or samples < 1:
            probs.err("samples", f"{'missing' if samples is None else f'expected a whole number >= 1, got {samples!r}'}; "
                                 "allowed: Saltelli base samples N, a power of 2 (runs = N x (keys + 2))")
        elif samples & (samples - 1):
            lo = 1 << (samples.bit_length() - 1)
            log.warning("%s: key 'samples': %d is not a power of 2; Sobol' convergence holds for powers of 2 (e.g. %d or %d)",
                        spec_path, samples, lo, 2 * lo)
        if not isinstance(second, bool):
            probs.err("second_order", f"expected true or false, got {second!r}")
    if method == "morris":
        if not is_int(trajectories) or trajectories < 2:
            probs.err("trajectories", f"{'missing' if trajectories is None else f'expected a whole number >= 2, got {trajectories!r}'}; "
                                      "allowed: Morris trajectories r >= 2 (runs = r x (keys + 1))")
        if not is_int(levels) or levels < 2 or levels % 2:
            probs.err("levels", f"expected an even whole number >= 2, got {levels!r}; allowed: Morris grid levels, e.g. 4")
    outputs = spec.get("outputs", list(DEFAULT_OUTPUTS))
    if not isinstance(outputs, list) or not outputs or not all(isinstance(o, str) and o for o in outputs):
        probs.err("outputs", f"expected a non-empty list of outcome names, e.g. {list(DEFAULT_OUTPUTS)}, got {outputs!r}")
    nres = spec.get("num_resamples", 100)
    if not is_int(nres) or nres < 1:
        probs.err("num_resamples", f"expected a whole number >= 1 (bootstrap resamples for confidence), got {nres!r}")
    conf = spec.get("conf_level", 0.95)
    if not is_number(conf) or not 0 < conf < 1:
        probs.err("conf_level", f"expected a number between 0 and 1, e.g. 0.95, got {conf!r}")
    params = parse_params(spec, probs, allow_lists=False, need_levels=False, allow_levels=False,
                              bounds_from_schema=True, what="a sensitivity analysis")
    if len(params) < 2 and not any("keys" in p for p in probs.items):
        probs.err("keys", "a sensitivity analysis needs at least 2 keys")
    bits = resolve_base(spec, spec_path, probs)
    probs.items += key_problems(bits, params, spec_path)
    probs.raise_if_any()

    require("SALib", "sensitivity", "relocsim sensitivity")
    problem = _problem(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # SALib's power-of-2 warning: given above with the spec's name
        if method == "sobol":
            from SALib.sample import sobol as sampler

            X = sampler.sample(problem, samples, calc_second_order=second, seed=seed)
            settings = {"method": method, "samples": samples, "second_order": second}
        else:
            from SALib.sample import morris as sampler

            X = sampler.sample(problem, trajectories, num_levels=levels, seed=seed)
            settings = {"method": method, "trajectories": trajectories, "levels": levels}
    points = [{p.key: p.from_continuous(x) for p, x in zip(params, row)} for row in X]
    extra = {"sensitivity": {**settings, "problem": problem, "sample": X.tolist(), "outputs": outputs,
                             "num_resamples": nres, "conf_level": conf}}
    return build_plan("sensitivity", spec_path, spec, bits, params, points, replicates, seed, settings, extra, ensemble)


# --------------------------------------------------------------------------- analysis

def _outputs_matrix(plan: Plan, out: Path, outputs: list[str]):
    """Y[point, output]: each output averaged over the replicates of each sample point."""
    import pyarrow.parquet as pq

    runs_dir = out / "runs"
    first = next(runs_dir.glob("*.parquet"))
    available = pq.read_schema(first).names
    missing = [o for o in outputs if o not in available]
    if missing:
        allowed = [c for c in available if c not in RUN_COLUMNS and c not in plan.keys]
        raise ScenarioError([f"{plan.spec_path}: key 'outputs': unknown outcome(s) {', '.join(missing)}; allowed: {', '.join(allowed)}"])
    df = read_runs(out, columns=["run_id", *outputs]).set_index("run_id")
    ids = [rid for i in range(len(plan.points)) for rid in plan.point_run_ids(i)]
    values = df.loc[ids, outputs].to_numpy(dtype=float)
    return values.reshape(len(plan.points), len(plan.seeds), len(outputs)).mean(axis=1)


def analyse(plan: Plan, out: str | Path):
    """Indices of every output as a tidy DataFrame (output, parameter, index, value, confidence)."""
    import pandas as pd

    out = Path(out)
    sa = plan.extra["sensitivity"]
    outputs, problem = sa["outputs"], sa["problem"]
    Y = _outputs_matrix(plan, out, outputs)
    X = np.asarray(sa["sample"], float)
    rows = []
    for j, name in enumerate(outputs):
        y = Y[:, j]
        bad = int(np.isnan(y).sum())
        if bad:
            log.warning("output %s is undefined in %d of %d sample points (too short a horizon or too small a scale?): "
                        "not analysed", name, bad, len(y))
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if sa["method"] == "sobol":
                from SALib.analyze import sobol

                res = sobol.analyze(problem, y, calc_second_order=sa["second_order"], num_resamples=sa["num_resamples"],
                                    conf_level=sa["conf_level"], seed=plan.identity["seed"])
                for k, p in enumerate(problem["names"]):
                    rows.append((name, p, "S1", res["S1"][k], res["S1_conf"][k]))
                    rows.append((name, p, "ST", res["ST"][k], res["ST_conf"][k]))
                if sa["second_order"]:
                    for a in range(len(problem["names"])):
                        for b in range(a + 1, len(problem["names"])):
                            rows.append((name, f"{problem['names'][a]} & {problem['names'][b]}", "S2",
                                         res["S2"][a, b], res["S2_conf"][a, b]))
            else:
                from SALib.analyze import morris

                res = morris.analyze(problem, X, y, num_resamples=sa["num_resamples"], conf_level=sa["conf_level"],
                                     num_levels=sa["levels"], seed=plan.identity["seed"])
                for k, p in enumerate(problem["names"]):
                    rows.append((name, p, "mu", res["mu"][k], math.nan))
                    rows.append((name, p, "mu_star", res["mu_star"][k], res["mu_star_conf"][k]))
                    rows.append((name, p, "sigma", res["sigma"][k], math.nan))
    df = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
    df["value"] = df["value"].astype(float)
    df["confidence"] = df["confidence"].astype(float)
    return df


def plot_indices(df, method: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    labels = {"S1": "S1 (first order)", "ST": "ST (total)", "mu_star": "mu* (mean |effect|)", "sigma": "sigma (interactions, non-linearity)"}
    outputs = list(dict.fromkeys(df["output"]))
    params = list(dict.fromkeys(df.loc[df["index"].isin(shown), "parameter"]))
    n = max(1, len(outputs))
    height = max(2.0, 0.32 * len(params) + 1.0)
    fig, axes = plt.subplots(n, 1, figsize=(9, height * n), squeeze=False)
    ypos = np.arange(len(params))
    bar = 0.8 / len(shown)
    for ax, name in zip(axes[:, 0], outputs or ["(no output could be analysed)"]):
        sub = df[df["output"] == name]
        for i, idx in enumerate(shown):
            s = sub[sub["index"] == idx].set_index("parameter").reindex(params)
            err = s["confidence"].to_numpy(float)
            ax.barh(ypos + (i - (len(shown) - 1) / 2) * bar, s["value"].to_numpy(float), height=bar, label=labels[idx],
                    xerr=None if np.all(np.isnan(err)) else np.nan_to_num(err), capsize=2)
        ax.set_yticks(ypos, params, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(name, fontsize=10)
        ax.axvline(0, color="grey", lw=0.5)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle(f"{'Sobol' if method == 'sobol' else 'Morris'} sensitivity indices", fontsize=11)
    fig.tight_layout()
    with atomic_file(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def write_indices(df, plan: Plan, out: Path) -> tuple[Path, Path]:
    csv, png = out / "indices.csv", out / "indices.png"
    with atomic_file(csv) as tmp:
        df.to_csv(tmp, index=False)
    plot_indices(df, plan.extra["sensitivity"]["method"], png)
    return csv, png


def run_sensitivity(spec_path: str | Path | Mapping, method: str | None = None, backend: str = "serial", workers: int | None = 1,
                    scheduler: str | None = None, out: str | Path | None = None, quiet: bool = True,
                    max_runs: int | None = None, ensemble: ParameterEnsemble | None = None):
    """Sample, run (or resume) and analyse; returns the tidy indices (empty if runs remain). `ensemble`:
    what a spec with `parameters = "posterior"` draws from (without one, the schema defaults)."""
    import pandas as pd

    plan = load_sensitivity_spec(spec_path, method, ensemble)
    out = Path(out) if out is not None else Path("results") / "sensitivity" / safe_name(plan.name)
    stats = execute(plan, out, backend=backend, workers=workers, scheduler=scheduler, quiet=quiet, max_runs=max_runs)
    if stats.remaining:
        df = pd.DataFrame(columns=list(INDEX_COLUMNS))
    else:
        df = analyse(plan, out)
        write_indices(df, plan, out)
    df.attrs.update({"out": str(out), "runs_total": stats.total, "runs_executed": stats.executed,
                     "runs_skipped": stats.skipped, "runs_remaining": stats.remaining})
    return df
