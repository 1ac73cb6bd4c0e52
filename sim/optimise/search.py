"""The search: Optuna's multi-objective samplers asked in fixed batches, candidates run on a backend.

Why Optuna: it is already the project's optimiser (calibration), its NSGA-II sampler handles several
objectives and constraints (a candidate over the budget cap is dominated by every one within it) and
mixed integer, real and categorical levers, and its ask-and-tell interface leaves the runs to us, so
they go through the same executors as sweeps. NSGA-II (the default) keeps a spread-out front from a
population of `batch` candidates per generation; `sampler = "tpe"` (multi-objective TPE) uses fewer
runs to find good regions but spreads the front less.

Determinism and resume: the sampler is seeded, and each batch of `batch` proposals is asked only once
the previous batch is told, in trial order, so the proposals depend on the spec and seed only, never on
which backend or worker finished first. Each run (candidate x replicate) is written atomically to
OUT/runs/<candidate>-r<k>.json as it finishes; a resumed search replays the asks, finds the runs already
on disk and runs only what is missing, so nothing is lost or repeated. The base (and any reference
scenarios) are runs of the same kind, so every candidate is compared with the base on the same seeds
and the same draws of the calibrated ensemble (common random numbers).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from sim.ensemble import ParameterEnsemble
from sim.executors import make_executor, sigterm_as_interrupt
from sim.optimise.candidate import candidate_toml
from sim.optimise.metrics import model_evaluator
from sim.optimise.spec import CONSTRAINTS, OptimiseSpec
from sim.output_folder import claim_own_folder, clean_stale_files, write_text_atomic
from sim.runner import replicate_seeds
from sim.scenario import ScenarioError

log = logging.getLogger("relocsim")
COMMAND = "optimise"
PRELOAD = ("sim.runner", "sim.optimise.metrics")
BAND = (5.0, 95.0)   # percentiles of the 90% band, as in sim.compare


@dataclass
class Search:
    """What a search found: every evaluated trial's summary rows, the base's and the references'."""

    spec: OptimiseSpec
    out: Path
    seeds: list[int]
    trials: list[dict] = field(default_factory=list)      # one per told trial: number, values, id, stats
    base: dict = field(default_factory=dict)
    references: dict[str, dict] = field(default_factory=dict)
    executed: int = 0                                      # runs done by this call
    reused: int = 0                                        # runs found on disk
    complete: bool = False


def candidate_id(values: dict) -> str:
    return "c" + hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()[:12]


def _evaluate(task: dict) -> tuple[str, dict]:
    """Worker side: one run of one candidate (module level: pickled by reference)."""
    metrics = task["evaluator"](task)
    return task["run_id"], {k: float(v) for k, v in metrics.items()}


def stats(runs: list[dict], base_runs: list[dict] | None) -> dict:
    """Per metric: mean and 90% band over replicates, and the difference from the base paired by replicate."""
    out: dict[str, float] = {}
    for m in runs[0]:
        if m == "parameter_set":
            continue
        x = np.array([r[m] for r in runs], float)
        ok = x[np.isfinite(x)]
        out[m] = float(ok.mean()) if len(ok) else math.nan
        out[f"{m}_low"], out[f"{m}_high"] = (map(float, np.percentile(ok, BAND)) if len(ok) else (math.nan, math.nan))
        if base_runs is not None:
            d = x - np.array([r[m] for r in base_runs], float)
            d = d[np.isfinite(d)]
            out[f"{m}_diff"] = float(d.mean()) if len(d) else math.nan
            out[f"{m}_diff_low"], out[f"{m}_diff_high"] = (map(float, np.percentile(d, BAND)) if len(d) else (math.nan, math.nan))
    return out


def violation(spec: OptimiseSpec, st: dict) -> list[float]:
    """Optuna's constraint values (<= 0 is feasible): a cap must hold at the top of the metric's 90% band."""
    return [st[f"{CONSTRAINTS[name]}_high"] / cap - 1.0 for name, cap in spec.constraints]


def prepare(spec: OptimiseSpec, out: Path) -> Path:
    """Claim the output folder (new, empty or this search's) and record the spec; returns OUT/runs."""
    out = claim_own_folder(out, COMMAND)
    meta = out / "_optimise.json"
    identity = json.loads(json.dumps(spec.identity(), default=str))
    if meta.exists():
        try:
            was = json.loads(meta.read_text()).get("identity", {})
        except (OSError, ValueError) as exc:
            raise ScenarioError([f"{meta}: unreadable ({exc}); allowed: another --out folder"]) from None
        if was != identity:
            differ = sorted(k for k in set(was) | set(identity) if was.get(k) != identity.get(k))
            raise ScenarioError([f"{out}: holds a different policy search (it differs in: {', '.join(differ)}); "
                                 f"allowed: the same spec (trials may grow) or another --out folder"])
    else:
        write_text_atomic(meta, json.dumps({"identity": identity, "spec_file": spec.path}, indent=1, default=str))
    runs = out / "runs"
    runs.mkdir(exist_ok=True)
    clean_stale_files(runs)
    return runs


def _sampler(spec: OptimiseSpec):
    import optuna

    # Optuna 5 reads constraints set on the trial (Trial.set_constraint); earlier versions take a function
    extra = {} if NEW_CONSTRAINTS() else {"constraints_func": _constraints}
    if spec.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=spec.seed % 2**32, multivariate=True, **extra)
    return optuna.samplers.NSGAIISampler(seed=spec.seed % 2**32, population_size=spec.batch, **extra)


def NEW_CONSTRAINTS() -> bool:
    import optuna

    return hasattr(optuna.trial.Trial, "set_constraint")


def _constraints(trial) -> list[float]:
    return trial.user_attrs.get("constraints", [])


def _distributions(spec: OptimiseSpec) -> dict:
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    return {lv.name: CategoricalDistribution(list(lv.choices)) if lv.choices is not None else
            IntDistribution(int(lv.low), int(lv.high)) if lv.integer else FloatDistribution(lv.low, lv.high)
            for lv in spec.levers}


def run_search(spec: OptimiseSpec, out: str | Path, backend: str = "serial", workers: int | None = 1,
               scheduler: str | None = None, max_trials: int | None = None, ensemble: ParameterEnsemble | None = None,
               evaluator: Callable[[dict], dict] = model_evaluator, on_batch: Callable[[int], None] | None = None) -> Search:
    """Run (or resume) a policy search; returns what is evaluated so far. `max_trials` stops after that many
    newly evaluated candidates (run again to continue). `evaluator(task) -> {metric: value}` measures one run
    (task: values, toml, seed, replicate, start_year, ensemble); the default runs the model, a test passes an
    analytic function (module level, for worker processes)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out = Path(out)
    runs_dir = prepare(spec, out)
    seeds = replicate_seeds(spec.seed, spec.replicates)
    result = Search(spec, out, seeds)
    ens = ensemble if spec.parameters == "posterior" else None
    directions = ["maximize" if d == "maximise" else "minimize" for _m, d in spec.objectives]
    study = optuna.create_study(directions=directions, sampler=_sampler(spec))
    dists = _distributions(spec)
    fixed = [("base", {}, None)] + [(f"ref-{r}", {}, r) for r in spec.reference]
    new_trials = 0
    with sigterm_as_interrupt(), make_executor(backend, workers, scheduler, preload=PRELOAD) as ex:
        done = 0
        first = True
        while done < spec.trials:
            n = min(spec.batch, spec.trials - done)
            asked = [study.ask(dists) for _ in range(n)]
            cands = [(candidate_id(t.params), dict(t.params), None) for t in asked]
            if first:
                cands = fixed + cands
            fresh = [c for c in cands if c[0].startswith("c") and not _have(runs_dir, c[0], seeds)]
            if max_trials is not None and len(fresh) + new_trials > max_trials:
                allowed = {c[0] for c in fresh[:max(0, max_trials - new_trials)]}
                _run(ex, spec, [c for c in cands if not c[0].startswith("c") or c[0] in allowed], seeds, runs_dir,
                     ens, evaluator, result)
                return _finish(result, out, False)
            new_trials += len(fresh)
            _run(ex, spec, cands, seeds, runs_dir, ens, evaluator, result)
            if first:
                base_runs = _read(runs_dir, "base", seeds)
                result.base = {"id": "base", "values": {}, **stats(base_runs, base_runs)}
                for cid, _v, ref in fixed[1:]:
                    result.references[ref] = {"id": cid, "values": {}, **stats(_read(runs_dir, cid, seeds), base_runs)}
                first = False
            for t, (cid, values, _r) in zip(asked, cands[-n:]):
                st = stats(_read(runs_dir, cid, seeds), base_runs)
                viol = violation(spec, st)
                t.set_user_attr("constraints", viol)
                if NEW_CONSTRAINTS():
                    for (name, _cap), v in zip(spec.constraints, viol):
                        t.set_constraint(name, v)
                study.tell(t, [st[m] if math.isfinite(st[m]) else (-1e300 if d == "maximise" else 1e300)
                               for m, d in spec.objectives])
                result.trials.append({"trial": t.number, "batch": done // spec.batch, "id": cid, "values": values,
                                      "feasible": all(v <= 0 for v in viol), **st})
            done += n
            if on_batch is not None:
                on_batch(done)
    return _finish(result, out, True)


def _finish(result: Search, out: Path, complete: bool) -> Search:
    result.complete = complete
    return result


def _run_file(runs_dir: Path, cid: str, k: int) -> Path:
    return runs_dir / f"{cid}-r{k}.json"


def _have(runs_dir: Path, cid: str, seeds: list[int]) -> bool:
    return all(_run_file(runs_dir, cid, k).exists() for k in range(len(seeds)))


def _read(runs_dir: Path, cid: str, seeds: list[int]) -> list[dict]:
    out = []
    for k, s in enumerate(seeds):
        row = json.loads(_run_file(runs_dir, cid, k).read_text())
        if row["seed"] != s:
            raise ScenarioError([f"{_run_file(runs_dir, cid, k)}: run for seed {row['seed']}, expected {s}; "
                                 f"allowed: another --out folder"])
        out.append(row["metrics"])
    return out


def _run(ex, spec: OptimiseSpec, cands: list, seeds: list[int], runs_dir: Path, ens, evaluator, result: Search) -> None:
    """Run every missing replicate of the candidates, writing each run as it finishes."""
    tasks, seen = [], set()
    for cid, values, ref in cands:
        if cid in seen:        # two trials may propose the same levers: run them once
            continue
        seen.add(cid)
        toml = candidate_toml(spec, values, name=cid if ref is None else ref, extends=ref)
        for k, s in enumerate(seeds):
            if _run_file(runs_dir, cid, k).exists():
                result.reused += 1
                continue
            tasks.append({"run_id": f"{cid}-r{k}", "id": cid, "replicate": k, "seed": s, "values": values,
                          "toml": toml, "start_year": spec.start_year, "ensemble": ens, "evaluator": evaluator})
    by_id = {t["run_id"]: t for t in tasks}
    for run_id, metrics in ex.imap_unordered(_evaluate, tasks):
        t = by_id[run_id]
        row = {"id": t["id"], "replicate": t["replicate"], "seed": t["seed"], "values": t["values"], "metrics": metrics}
        write_text_atomic(runs_dir / f"{run_id}.json", json.dumps(row, default=_plain))
        result.executed += 1


def _plain(v: Any):
    return v.item() if hasattr(v, "item") else str(v)
