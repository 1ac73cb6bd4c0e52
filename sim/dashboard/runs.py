"""Runs that don't block the page: a background worker with progress and cancel, and a cache of
results keyed by (scenario, overrides, seed, scale, replicates) so going back costs nothing.

A job runs the chosen scenario and the baseline at the same seed, scale and replicates. `run_scenario`
gives both the same replicate seeds and, with the calibrated ensemble, the same parameter draw per
replicate, so their difference is paired replicate by replicate (common random numbers), as in
`relocsim compare`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import pandas as pd

from sim.compare import Comparison, compare_table
from sim.runner import RunResult, run_scenario


def ensemble_for(parameters: str):
    """The calibrated ensemble for "posterior" (None for "defaults" or when none is shipped)."""
    if parameters == "defaults":
        return None
    from calibration.ensemble import posterior

    return posterior()
from sim.scenario import ScenarioError
from sim.dashboard.state import SECONDS_PER_MONTH_AT_FULL_SCALE, RunSettings, estimate_seconds

CACHE_SIZE = 24
LABELS = ["baseline", "scenario"]  # scenario labels in the comparison table


class Cancelled(Exception):
    """Raised inside a run when its job was cancelled."""


@dataclass
class Outcome:
    """A finished job: the comparison of the chosen run with the baseline, and its table."""

    settings: RunSettings
    comparison: Comparison
    table: pd.DataFrame

    @property
    def result(self) -> RunResult:
        return self.comparison.results[1]

    @property
    def baseline(self) -> RunResult:
        return self.comparison.results[0]


@dataclass
class Job:
    settings: RunSettings
    total_months: int = 0
    done_months: int = 0
    status: str = "queued"  # queued, running, done, cancelled, failed
    error: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    started: float = 0.0
    finished: float = 0.0
    _cancel: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def fraction(self) -> float:
        return self.done_months / self.total_months if self.total_months else (1.0 if self.finished else 0.0)

    @property
    def finished_running(self) -> bool:
        return self.status in ("done", "cancelled", "failed")

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> "Job":
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    def tick(self) -> None:
        """Called after every simulated month; stops the run when cancelled."""
        self.done_months += 1
        if self._cancel.is_set():
            raise Cancelled()


class RunService:
    """Starts jobs in background threads and keeps the last results (least recently used dropped)."""

    def __init__(self, cache_size: int = CACHE_SIZE):
        self.cache: OrderedDict[tuple, RunResult] = OrderedDict()
        self.cache_size = cache_size
        self.rate = SECONDS_PER_MONTH_AT_FULL_SCALE  # seconds per simulated month at scale 1, measured
        self._lock = threading.Lock()

    def cached(self, s: RunSettings) -> RunResult | None:
        with self._lock:
            res = self.cache.get(s.key())
            if res is not None:
                self.cache.move_to_end(s.key())
            return res

    def _store(self, s: RunSettings, res: RunResult) -> None:
        with self._lock:
            self.cache[s.key()] = res
            self.cache.move_to_end(s.key())
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)

    def pending(self, s: RunSettings) -> list[RunSettings]:
        """The runs a job still has to make: the chosen scenario and the baseline, unless cached."""
        want = [s.baseline(), s] if s.key() != s.baseline().key() else [s]
        return [w for w in want if self.cached(w) is None]

    def estimate(self, s: RunSettings, months: int) -> float:
        """Seconds the job would take now (0 when everything is cached)."""
        runs = len(self.pending(s))
        return estimate_seconds(months, s.scale, s.replicates, runs, self.rate) if runs else 0.0

    def submit(self, s: RunSettings) -> Job:
        """Validate, then run in a background thread; a validation problem fails the job at once."""
        job = Job(s, started=time.perf_counter())
        try:
            scenarios = {w.key(): w.load() for w in self.pending(s)}
        except ScenarioError as exc:
            job.status, job.error, job.finished = "failed", list(exc.problems), time.perf_counter()
            return job
        job.total_months = sum(sc.months * s.replicates for sc in scenarios.values())
        job._thread = threading.Thread(target=self._work, args=(job, scenarios), daemon=True, name="relocsim-run")
        job.status = "running"
        job._thread.start()
        return job

    def run(self, s: RunSettings) -> Job:
        """Submit and wait (for tests and scripts)."""
        return self.submit(s).wait()

    def _work(self, job: Job, scenarios: dict) -> None:
        s = job.settings
        try:
            for w in ([s.baseline(), s] if s.key() != s.baseline().key() else [s]):
                if w.key() in scenarios:
                    t0 = time.perf_counter()
                    res = run_scenario(scenarios[w.key()], seed=w.seed, replicates=w.replicates,
                                       on_month=job.tick, ensemble=ensemble_for(w.parameters))
                    months = scenarios[w.key()].months * w.replicates
                    self.rate = (time.perf_counter() - t0) / max(months * w.scale, 1e-9)
                    self._store(w, res)
            job.outcome = self.outcome(s)
            job.status = "done"
        except Cancelled:
            job.status = "cancelled"
        except Exception as exc:  # shown on the page; the page must not die with the run
            job.status, job.error = "failed", [f"{type(exc).__name__}: {exc}"]
        finally:
            job.finished = time.perf_counter()

    def outcome(self, s: RunSettings) -> Outcome:
        """The comparison with the baseline from cached runs (both must be cached)."""
        base, this = self.cached(s.baseline()), self.cached(s)
        if base is None or this is None:
            raise KeyError(f"not cached: {s}")
        if base.seeds != this.seeds or base.parameter_sets != this.parameter_sets:
            raise RuntimeError("baseline and scenario replicates differ in seeds or parameter draws")
        comp = Comparison(list(LABELS), [base.scenario, this.scenario], [base, this], list(this.seeds),
                          int(s.seed), s.all_overrides(), this.scale, s.parameters, list(this.parameter_sets))
        return Outcome(s, comp, compare_table(comp))
