"""History matching in waves with Gaussian-process emulators (the default method of `relocsim calibrate`).

Wave 1 evaluates a Latin hypercube of the search box; each evaluation runs the simulator on its own
replicate seeds and returns a small vector of summary statistics per replicate. An emulator per
statistic (`calibration.emulator`) is fitted on every evaluation so far, and the region not ruled out
yet (NROY: second-largest implausibility at most the cut-off under every wave's emulator) is sampled
by rejection from uniform draws of the box; that share of the draws is the wave's NROY volume. The
next wave evaluates points drawn from the NROY. After the last wave the evaluated sets that are
non-implausible under every emulator and by their own simulated statistics are the ensemble (equal
weights: history matching gives none); each is re-scored on fresh seeds.

Seeds: evaluation e uses `evaluation_seeds(seed, e, R)` (a `numpy.random.SeedSequence` spawned by the
evaluation number); the fresh re-scoring of e uses the key (1, e). No two evaluations share a seed.

Every evaluation is written atomically to `work_dir/evaluations/NNNNNN.json` as it finishes (fresh
ones under `fresh/`). Each wave's design depends only on the study seed and the evaluations of the
waves before it, so a stopped calibration, run again, recomputes the same designs and runs only the
evaluations that have no file: nothing is lost or redone, on any backend.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from calibration import emulator

log = logging.getLogger("relocsim")


def evaluation_seeds(seed: int, number: int, replicates: int, fresh: bool = False) -> list[int]:
    """The replicate seeds of evaluation `number` (63-bit), spawned from the study seed by the number."""
    ss = np.random.SeedSequence(entropy=int(seed), spawn_key=(1 if fresh else 0, int(number)))
    return [int(s >> np.uint64(1)) for s in ss.generate_state(replicates, dtype=np.uint64)]


def to_params(u: np.ndarray, free: dict) -> dict:
    """Unit-cube point -> parameter values (a log-scaled range is searched on the log scale)."""
    out = {}
    for x, (k, (lo, hi, lg)) in zip(u, free.items()):
        out[k] = float(np.exp(np.log(lo) + x * (np.log(hi) - np.log(lo)))) if lg else float(lo + x * (hi - lo))
    return out


def to_unit(params: dict, free: dict) -> np.ndarray:
    u = []
    for k, (lo, hi, lg) in free.items():
        v = params[k]
        u.append((np.log(v) - np.log(lo)) / (np.log(hi) - np.log(lo)) if lg else (v - lo) / (hi - lo))
    return np.array(u, float)


@dataclass(frozen=True)
class Problem:
    """What history matching needs of a simulator. `fn(task)` (module level, picklable) returns
    {"outputs": R x m summary statistics, "distances": R distances}; `task(number, params, seeds)` builds its task."""
    free: dict
    names: tuple[str, ...]
    observed: np.ndarray
    observation_var: np.ndarray
    discrepancy_var: np.ndarray
    fn: Callable[[Any], dict]
    task: Callable[[int, dict, list[int]], Any]
    key: dict = field(default_factory=dict)   # what else the evaluations depend on (refused if changed on resume)

    @property
    def fixed_var(self) -> np.ndarray:
        return np.asarray(self.observation_var, float) + np.asarray(self.discrepancy_var, float)


class Store:
    """One JSON file per finished evaluation, written atomically."""

    def __init__(self, work_dir: Path):
        self.dir = Path(work_dir)
        for sub in ("evaluations", "fresh"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)

    def path(self, number: int, fresh: bool = False) -> Path:
        return self.dir / ("fresh" if fresh else "evaluations") / f"{number:06d}.json"

    def load(self, number: int, fresh: bool = False) -> dict | None:
        p = self.path(number, fresh)
        return json.loads(p.read_text()) if p.exists() else None

    def save(self, record: dict, fresh: bool = False) -> None:
        from sim.output_folder import write_text_atomic

        write_text_atomic(self.path(record["number"], fresh), json.dumps(record))


def check_settings(work_dir: Path, settings: dict) -> None:
    """Refuse to resume a study whose evaluations were made under other settings."""
    from sim.scenario import ScenarioError

    settings = json.loads(json.dumps(settings))   # tuples as lists, as read back
    path = Path(work_dir) / "settings.json"
    if path.exists():
        old = json.loads(path.read_text())
        waves_old, waves_new = old.get("budget", {}).get("per_wave", []), settings["budget"]["per_wave"]
        if waves_new[:len(waves_old)] == waves_old:   # more waves may be added: the earlier designs stay the same
            old = {**old, "budget": {**old["budget"], "per_wave": waves_new}}
        changed = sorted(k for k in settings if old.get(k) != settings[k])
        if changed:
            raise ScenarioError([f"{work_dir}: the study there was run with other {', '.join(changed)}; its "
                                 "evaluations are not comparable. Use a new --work-dir."])
    Path(work_dir).mkdir(parents=True, exist_ok=True)
    from sim.output_folder import write_text_atomic

    write_text_atomic(path, json.dumps(settings, indent=2))


def _run(ex, problem: Problem, store: Store, items: list[tuple[int, dict, list[int], dict]], fresh: bool,
         desc: str, progress: bool) -> None:
    """Evaluate the items without a file, writing each as it finishes."""
    from tqdm import tqdm

    todo = [it for it in items if not store.path(it[0], fresh).exists()]
    by_number = {it[0]: it for it in todo}
    with tqdm(total=len(items), initial=len(items) - len(todo), desc=desc, unit="set", file=sys.stderr,
              disable=True if not progress else None, dynamic_ncols=True) as bar:
        if todo:
            driver = os.getpid() if ex.name == "processes" else None   # a remote Dask worker cannot see this process
            tasks = ({"number": n, "inner": problem.task(n, p, s), "driver": driver} for n, p, s, _ in todo)
            for res in ex.imap_unordered(_call, [(problem.fn, t) for t in tasks]):
                n, params, seeds, extra = by_number[res["number"]]
                store.save({"number": n, "params": params, "seeds": seeds, **extra,
                            "outputs": res["outputs"], "distances": res["distances"]}, fresh)
                bar.update(1)


def _call(item):
    fn, task = item
    if task.get("driver"):
        _watch_driver(task["driver"])
    return {"number": task["number"], **fn(task["inner"])}


_WATCHED: set[int] = set()


def _watch_driver(pid: int, poll: float = 0.5) -> None:
    """In a local worker process (a child of the fork server, not of the calibration): exit as soon as the
    calibration process is gone, however it stopped (SIGKILL included), instead of finishing its task."""
    import threading
    import time

    if pid in _WATCHED or pid == os.getpid():
        return
    _WATCHED.add(pid)

    def watch() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass
            time.sleep(poll)

    threading.Thread(target=watch, name="relocsim-driver-watch", daemon=True).start()


def _matrix(records: list[dict], problem: Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit points, replicate-mean statistics (NaN filled with the column mean) and pooled replicate variance."""
    X = np.array([to_unit(r["params"], problem.free) for r in records])
    outs = [np.array(r["outputs"], float) for r in records]
    Y = np.array([np.nanmean(o, axis=0) if np.isfinite(o).any() else np.full(o.shape[1], np.nan) for o in outs])
    col = np.nanmean(Y, axis=0)
    Y = np.where(np.isfinite(Y), Y, np.nan_to_num(col)[None, :])
    rv = None
    if all(len(o) >= 2 for o in outs):
        rv = np.nan_to_num(np.nanmean([np.nanvar(o, axis=0, ddof=1) for o in outs], axis=0))
    return X, Y, rv


def _nroy(emulators: list, problem: Problem, cutoff: float, rng, want: int, draws: int, rounds: int, which: int):
    """Uniform draws of the box kept by every emulator: (kept points, volume share, draws made, worst ratio of the fill-ins)."""
    d = len(problem.free)
    kept, spare, total = [], [], 0
    for _ in range(rounds):
        U = rng.random((draws, d))
        total += draws
        worst = np.zeros(draws)
        for em in emulators:
            worst = np.maximum(worst, emulator.emulated_implausibility(em, U, problem.observed, problem.fixed_var, which) / cutoff)
        kept.extend(U[worst <= 1])
        spare.extend(zip(worst[worst > 1], U[worst > 1]))
        if len(kept) >= want:
            break
    volume = len(kept) / total
    fill_ratio = None
    if len(kept) < want:   # the NROY is (nearly) empty: the least implausible draws fill the design (recorded)
        spare.sort(key=lambda t: t[0])
        fill = spare[:want - len(kept)]
        fill_ratio = float(fill[-1][0]) if fill else None
        kept.extend(u for _, u in fill)
    return np.array(kept[:want]), volume, total, fill_ratio


def history_match(problem: Problem, budget, work_dir: Path, seed: int = 0, backend: str = "serial",
                  workers: int | None = 1, scheduler: str | None = None, progress: bool = True,
                  preload: tuple[str, ...] = (), start: list[dict] | None = None) -> dict:
    """Run (or resume) the waves, pick the ensemble and re-score it on fresh seeds. Returns the records
    of the evaluations, the ensemble (`accepted`, evaluation numbers) with its fresh records, and the diagnostics.
    `start`: parameter sets (an earlier ensemble) added to wave 1's Latin hypercube, so the first emulators
    also learn where the last calibration ended; a parameter a set lacks is taken at the box's centre."""
    from scipy.stats import qmc

    from sim.executors import make_executor, sigterm_as_interrupt

    check_settings(work_dir, {"budget": asdict(budget), "free": {k: list(v) for k, v in problem.free.items()},
                              "seed": int(seed), "statistics": list(problem.names), "key": problem.key,
                              "start": start or []})
    start_u = [np.clip([to_unit({**to_params(np.full(len(problem.free), 0.5), problem.free), **p}, problem.free)], 0, 1)[0]
               for p in (start or [])]
    store = Store(work_dir)
    which, cut, d = budget.which, budget.cutoff, len(problem.free)
    emulators, waves, records, offset = [], [], [], 0
    with sigterm_as_interrupt(), make_executor(backend, workers, scheduler, preload=preload) as ex:
        for w, n in enumerate(budget.per_wave):
            rng = np.random.default_rng([int(seed), 17, w])
            if w == 0:
                U = qmc.LatinHypercube(d=d, seed=rng).random(n)
                U = np.vstack([U, *start_u]) if start_u else U
                fill = None
            else:
                U, _, _, fill = _nroy(emulators, problem, cut, rng, n, budget.draws, budget.rounds, which)
            items = [(offset + i, to_params(u, problem.free), evaluation_seeds(seed, offset + i, budget.replicates),
                      {"wave": w + 1}) for i, u in enumerate(U)]
            offset += len(U)
            _run(ex, problem, store, items, False, f"wave {w + 1}/{len(budget.per_wave)}", progress)
            records.extend(store.load(it[0]) for it in items)
            train = _training(records, emulators, problem, budget, w + 1)
            X, Y, rv = _matrix(train, problem)
            em = emulator.fit(X, Y, rv, budget.replicates)
            emulators.append(em)
            _, volume, drawn, _ = _nroy(emulators, problem, cut, np.random.default_rng([int(seed), 23, w]), 1,
                                         budget.draws, 1, which)
            waves.append({"wave": w + 1, "evaluations": len(items), "trained_on": len(train), "design_fill_in_worst_ratio": fill,
                          "nroy_volume": volume, "volume_draws": drawn, "loo": em.loo(),
                          "replicate_sd": np.sqrt(em.replicate_var).tolist()})
            log.info("history matching: wave %d, %d evaluations, NROY volume %.3g, LOO within 3: %.0f%%",
                     w + 1, len(items), volume, 100 * waves[-1]["loo"]["share_within_3_all"])
        accepted, reason = _accept(records, emulators, problem, budget, seed)
        fresh_items = [(r["number"], r["params"], evaluation_seeds(seed, r["number"], budget.fresh_replicates, fresh=True),
                        {"wave": r["wave"]}) for r in records if r["number"] in set(accepted)]
        _run(ex, problem, store, fresh_items, True, "fresh seeds", progress)
    fresh = {n: store.load(n, True) for n in accepted}
    return {"records": records, "accepted": accepted, "fresh": fresh, "waves": waves, "reason": reason,
            "emulators": emulators}


def _training(records: list[dict], emulators: list, problem: Problem, budget, wave: int) -> list[dict]:
    """A wave's emulators learn from its own evaluations and the earlier ones inside the region no earlier wave
    rules out (refocusing: the emulators need to be accurate only where the sets still are; and a GP's cost
    grows with the cube of its points)."""
    earlier = [r for r in records if r["wave"] < wave]
    if not earlier or not emulators:
        return records
    X = np.array([to_unit(r["params"], problem.free) for r in earlier])
    worst = np.zeros(len(earlier))
    for em in emulators:
        worst = np.maximum(worst, emulator.emulated_implausibility(em, X, problem.observed, problem.fixed_var, budget.which))
    return [r for r, v in zip(earlier, worst) if v <= budget.cutoff] + [r for r in records if r["wave"] == wave]


def _accept(records: list[dict], emulators: list, problem: Problem, budget, seed: int) -> tuple[list[int], str]:
    """The evaluated sets non-implausible under every wave's emulator and by their own simulated means (variance:
    one run's replicate variance plus that of the mean, observation and discrepancy); a random subset if too many."""
    X, Y, _ = _matrix(records, problem)
    rv = emulators[-1].replicate_var
    own = emulator.implausibility(problem.observed, Y, rv * (1 + 1 / budget.replicates) + problem.fixed_var, budget.which)
    worst = own / budget.cutoff
    for em in emulators:
        worst = np.maximum(worst, emulator.emulated_implausibility(em, X, problem.observed, problem.fixed_var,
                                                                   budget.which) / budget.cutoff)
    numbers = np.array([r["number"] for r in records])
    ok = numbers[worst <= 1]
    if len(ok) == 0:
        order = numbers[np.argsort(worst, kind="stable")][:budget.ensemble]
        return sorted(order.tolist()), (f"no evaluated set is non-implausible at cut-off {budget.cutoff}: the "
                                        f"{len(order)} least implausible kept (worst ratio {np.sort(worst)[len(order) - 1]:.2f}); more "
                                        "waves, or a larger stated discrepancy if the waves stop shrinking the space")
    if len(ok) > budget.ensemble:
        ok = np.random.default_rng([int(seed), 99]).choice(ok, budget.ensemble, replace=False)
        return sorted(ok.tolist()), f"{int((worst <= 1).sum())} non-implausible sets; {budget.ensemble} drawn at random"
    return sorted(ok.tolist()), (f"{len(ok)} non-implausible evaluated sets (of {len(records)}): all kept"
                                 + ("" if len(ok) >= 100 else "; more waves or evaluations per wave give more"))


def width_ratios(accepted_params: list[dict], free: dict) -> dict:
    """Per parameter, the ensemble's sd over the uniform prior's sd, on the search scale (log where searched so)."""
    U = np.array([to_unit(p, free) for p in accepted_params])
    sd = U.std(axis=0, ddof=1) if len(U) > 1 else np.full(len(free), np.nan)
    return {k: float(s * np.sqrt(12)) for k, s in zip(free, sd)}


def distance_summary(record: dict | None) -> tuple[float, float]:
    """Mean and replicate sd of one evaluation's per-replicate distances."""
    if record is None:
        return float("nan"), float("nan")
    d = np.array(record["distances"], float)
    return float(np.mean(d)), float(np.std(d, ddof=1)) if len(d) > 1 else float("nan")
