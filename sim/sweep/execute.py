"""Running a plan's unfinished runs on a backend (serial, processes, Dask) and streaming each result to disk."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from sim import scenario as scn
from sim.ensemble import ParameterEnsemble
from sim.executors import BACKENDS, make_executor, sigterm_as_interrupt
from sim.extras import require
from sim.output_folder import safe_name
from sim.results import flatten
from sim.scenario import ScenarioError
from sim.sweep import claims
from sim.sweep.output import read_runs, write_row
from sim.sweep.plan import Plan, load_sweep_spec, prepare_out
from sim.sweep.spec import is_int, point_overrides

log = logging.getLogger("relocsim")

WORKER_PRELOAD = ("sim.runner", "sim.sweep")   # imported once by the fork server of local workers


def run_task(task: dict) -> dict:
    """Worker side: build the scenario from the task's data, run one replicate, return one flat row."""
    from sim.runner import run_scenario

    try:
        sc = scn.from_dict(scn.apply_overrides(task["raw"], task["overrides"]), task["where"])
        res = run_scenario(sc, seed=task["seed"], replicates=1, ensemble=task["ensemble"])
        outcomes = {k: v for k, v in flatten(res.summaries[0]).items() if v is None or isinstance(v, (bool, int, float, str))}
    except Exception as exc:
        raise RuntimeError(f"run {task['run_id']} (point {task['point']}, replicate {task['replicate']}, "
                           f"seed {task['seed']}, {task['params']}) failed: {exc!r}") from exc
    trial = res.parameter_sets[0] if res.parameter_sets else None
    return {"run_id": task["run_id"], "point": task["point"], "replicate": task["replicate"], "seed": task["seed"],
            "scale": res.scale, "parameter_set": None if trial is None else int(trial), "params": task["params"],
            "outcomes": outcomes}


@dataclass
class Stats:
    total: int
    skipped: int
    executed: int = 0
    elsewhere: int = 0    # runs another live process (a second sweep into the same folder) was doing

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - self.executed


def execute(plan: Plan, out: str | Path, backend: str = "serial", workers: int | None = 1, scheduler: str | None = None,
            quiet: bool = True, max_runs: int | None = None,
            on_result: Callable[[dict], None] | None = None) -> Stats:
    """Run the plan's unfinished runs on a backend, writing each as it finishes. `max_runs` stops after
    that many new runs (run again to continue)."""
    from tqdm import tqdm

    if backend not in BACKENDS:
        raise ScenarioError([f"backend {backend!r} not allowed; allowed: {', '.join(BACKENDS)}"])
    if scheduler and backend != "dask":
        raise ScenarioError([f"--scheduler {scheduler}: a scheduler address is for --backend dask, not {backend}"])
    if workers is not None and (not is_int(workers) or workers < 1):
        raise ScenarioError([f"--workers {workers!r}: expected a whole number >= 1"])
    require("pyarrow", "sweep", "sweep results (Parquet)")
    if backend == "dask":
        require("distributed", "sweep", "--backend dask")
    runs_dir = prepare_out(plan, Path(out))
    todo = [r for r in plan.runs if not (runs_dir / f"{r.run_id}.parquet").exists()]
    stats = Stats(total=len(plan.runs), skipped=len(plan.runs) - len(todo))
    if max_runs is not None:
        todo = todo[:max(0, max_runs)]
    if stats.skipped:
        log.info("%s: %d of %d runs already done, skipped", out, stats.skipped, stats.total)
    if not todo:
        return stats

    held: set[str] = set()

    def tasks():   # claimed one at a time as the executor asks for work (sim.sweep.claims)
        for r in todo:
            if (runs_dir / f"{r.run_id}.parquet").exists():
                stats.skipped += 1        # finished meanwhile by another sweep into this folder
                continue
            if not claims.claim(runs_dir, r.run_id):
                stats.elsewhere += 1
                continue
            held.add(r.run_id)
            point = plan.points[r.point]
            yield {"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed, "params": point,
                   "overrides": point_overrides(point), "raw": plan.base_raw, "where": plan.where,
                   "ensemble": plan.ensemble}

    try:
        with sigterm_as_interrupt(), make_executor(backend, workers, scheduler, preload=WORKER_PRELOAD) as ex:
            if not quiet:
                log.info("%s: %d runs to do on %s", plan.name, len(todo), ex.describe())
            with tqdm(total=stats.total, initial=stats.skipped, unit="run", desc=plan.name, file=sys.stderr,
                      disable=True if quiet else None, dynamic_ncols=True) as bar:
                for row in ex.imap_unordered(run_task, tasks()):
                    write_row(row, plan, runs_dir)
                    claims.release(runs_dir, row["run_id"])
                    held.discard(row["run_id"])
                    stats.executed += 1
                    bar.update(1)
                    if on_result is not None:
                        on_result(row)
    finally:
        for run_id in held:
            claims.release(runs_dir, run_id)
    if stats.elsewhere:
        log.info("%s: %d run(s) left to another sweep running into the same folder", out, stats.elsewhere)
    return stats


def run_sweep(spec_path: str | Path | Mapping, backend: str = "serial", workers: int | None = 1, scheduler: str | None = None,
              out: str | Path | None = None, quiet: bool = True, max_runs: int | None = None,
              ensemble: ParameterEnsemble | None = None):
    """Run (or resume) a sweep and return its results read back from disk: a tidy DataFrame, one row
    per run. `spec_path`: a spec file or the same keys as a dict. `df.attrs` holds the counts of runs
    executed now, skipped (already done) and remaining.
    `ensemble`: what a spec with `parameters = "posterior"` draws from, e.g.
    `calibration.ensemble.posterior()` (without one, the schema defaults)."""
    plan = load_sweep_spec(spec_path, ensemble)
    out = Path(out) if out is not None else Path("results") / "sweeps" / safe_name(plan.name)
    stats = execute(plan, out, backend=backend, workers=workers, scheduler=scheduler, quiet=quiet, max_runs=max_runs)
    df = read_runs(out)
    df.attrs.update({"out": str(out), "runs_total": stats.total, "runs_executed": stats.executed,
                     "runs_skipped": stats.skipped, "runs_remaining": stats.remaining})
    return df

