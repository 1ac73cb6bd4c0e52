"""Runs that don't block the page: a bounded queue of jobs, each run in a process of its own
(sim.dashboard.worker) with its own progress and cancel, and a cache of results shared by every
browser session, keyed by what the run computes, so going back costs nothing.

Sessions share only the cache and the queue: a job belongs to the session that submitted it, and
its progress and cancel are its own. At most `slots` jobs run at once (memory and CPU stay bounded);
the others wait in order, and a waiting job knows its place.

A job runs the chosen scenario and the baseline at the same seed, scale and replicates. `run_scenario`
gives both the same replicate seeds and, with the calibrated ensemble, the same parameter draw per
replicate, so their difference is paired replicate by replicate (common random numbers), as in
`relocsim compare`.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import pandas as pd

from sim.compare import Comparison, compare_table
from sim.dashboard import worker
from sim.dashboard.cli import SLOTS_ENV
from sim.dashboard.keys import result_key
from sim.dashboard.state import SECONDS_PER_MONTH_AT_FULL_SCALE, RunSettings, estimate_seconds
from sim.runner import RunResult
from sim.scenario import ScenarioError

ensemble_for = worker.ensemble_for


class Cancelled(Exception):
    """Raised inside a job's thread when the job was cancelled."""


CACHE_SIZE = 24
LABELS = ["baseline", "scenario"]  # scenario labels in the comparison table
POLL = 0.05   # seconds between looks at a running job's pipe and cancel flag


def default_slots() -> int:
    """Runs at once: RELOCSIM_DASHBOARD_RUNS (set by `relocsim dashboard --runs`), else half the cores."""
    text = os.environ.get(SLOTS_ENV, "")
    return int(text) if text.isdigit() and int(text) >= 1 else max(1, (os.cpu_count() or 2) // 2)


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


@dataclass(eq=False)
class Job:
    settings: RunSettings
    total_months: int = 0
    done_months: int = 0
    status: str = "queued"  # queued, running, done, cancelled, failed
    error: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    started: float = 0.0
    finished: float = 0.0
    position: int = 0       # place in the queue while waiting (1: next to run); 0 otherwise
    _cancel: threading.Event = field(default_factory=threading.Event)
    _ended: threading.Event = field(default_factory=threading.Event)
    _service: "RunService | None" = None
    _proc: object = None                            # its run process, once started
    _todo: list = field(default_factory=list)       # (cache key, scenario, settings) of the runs to make
    _results: dict = field(default_factory=dict)    # settings key -> RunResult: the job's own, whatever the cache drops

    @property
    def fraction(self) -> float:
        return self.done_months / self.total_months if self.total_months else (1.0 if self.finished else 0.0)

    @property
    def finished_running(self) -> bool:
        return self.status in ("done", "cancelled", "failed")

    def cancel(self) -> None:
        """Stop the job: a waiting one leaves the queue, a running one's process is killed."""
        self._cancel.set()
        if self._service is not None:
            self._service._withdraw(self)

    def wait(self, timeout: float | None = None) -> "Job":
        self._ended.wait(timeout)
        return self

    def _end(self, status: str, error: list[str] | None = None) -> None:
        if self._ended.is_set():   # a cancelled job stays cancelled whatever its thread finds after
            return
        self.status, self.error, self.finished, self.position = status, list(error or []), time.perf_counter(), 0
        self._ended.set()


class RunService:
    """Queues jobs, runs up to `slots` at once in run processes, and keeps the last results
    (least recently used dropped)."""

    def __init__(self, cache_size: int = CACHE_SIZE, slots: int | None = None, warm: bool = True):
        self.cache: OrderedDict[tuple, RunResult] = OrderedDict()
        self.cache_size = cache_size
        self.slots = slots or default_slots()
        self.rate = SECONDS_PER_MONTH_AT_FULL_SCALE  # seconds per simulated month at scale 1, measured
        self._lock = threading.RLock()
        self._queue: deque[Job] = deque()
        self._running: set[Job] = set()
        self.ready = threading.Event()   # set when the fork server that run processes start from is up
        if warm:
            threading.Thread(target=self._warm, daemon=True, name="relocsim-warm").start()
        else:
            self.ready.set()

    def _warm(self) -> None:
        """Start the fork server now, so the first run (and its cancel) does not wait for it."""
        try:
            worker.warm()
        finally:
            self.ready.set()

    # ----------------------------------------------------------------- the cache
    def cached(self, s: RunSettings) -> RunResult | None:
        key = result_key(s)
        with self._lock:
            res = self.cache.get(key)
            if res is not None:
                self.cache.move_to_end(key)
            return res

    def _store(self, s: RunSettings | tuple, res: RunResult) -> None:
        key = s if isinstance(s, tuple) else result_key(s)
        with self._lock:
            self.cache[key] = res
            self.cache.move_to_end(key)
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)

    def pending(self, s: RunSettings) -> list[RunSettings]:
        """The runs a job still has to make: the baseline and the chosen scenario, unless cached."""
        return [w for w in _wanted(s) if self.cached(w) is None]

    def estimate(self, s: RunSettings, months: int) -> float:
        """Seconds the job would take now (0 when everything is cached), not counting a wait in the queue."""
        runs = len(self.pending(s))
        return estimate_seconds(months, s.scale, s.replicates, runs, self.rate) if runs else 0.0

    # ----------------------------------------------------------------- the queue
    def submit(self, s: RunSettings) -> Job:
        """Validate, then queue; a validation problem fails the job at once, a cached one is done at once."""
        job = Job(s, started=time.perf_counter(), _service=self)
        try:
            todo = []
            for w in _wanted(s):
                res = self.cached(w)
                if res is None:
                    todo.append((result_key(w), w.load(), w))
                else:
                    job._results[result_key(w)] = res   # kept by the job, whatever the cache drops meanwhile
        except ScenarioError as exc:
            job._end("failed", exc.problems)
            return job
        job.total_months = sum(sc.months * w.replicates for _k, sc, w in todo)
        if not todo:
            self._finish(job)
            return job
        job._todo = todo
        with self._lock:
            self._queue.append(job)
            self._dispatch()
        return job

    def run(self, s: RunSettings) -> Job:
        """Submit and wait (for tests and scripts)."""
        return self.submit(s).wait()

    def queued(self) -> int:
        with self._lock:
            return len(self._queue)

    def _dispatch(self) -> None:
        with self._lock:
            while self._queue and len(self._running) < self.slots:
                job = self._queue.popleft()
                job.status, job.position = "running", 0
                self._running.add(job)
                threading.Thread(target=self._work, args=(job,), daemon=True, name="relocsim-run").start()
            for i, waiting in enumerate(self._queue, 1):
                waiting.position = i

    def _withdraw(self, job: Job) -> None:
        """Cancel answers at once: a waiting job leaves the queue; a running one is ended now and its
        thread kills its process as soon as it sees the flag (within POLL seconds, or as soon as a
        process being started exists), storing nothing more."""
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                self._dispatch()
            job._end("cancelled")

    def _work(self, job: Job) -> None:
        try:
            self._follow(job)
            self._finish(job)
        except Cancelled:
            job._end("cancelled")
        except Exception as exc:  # noqa: BLE001  (shown on the page; the page must not die with the run)
            job._end("failed", [f"{type(exc).__name__}: {exc}"])
        finally:
            with self._lock:
                self._running.discard(job)
                self._dispatch()

    def _follow(self, job: Job) -> None:
        """Run the job's runs in a run process; store each result; kill the process on cancel."""
        for item in list(job._todo):   # what another job cached while this one waited is not run again
            res = self.cached(item[2])
            if res is not None:
                job._todo.remove(item)
                job._results[item[0]] = res
        job.total_months = sum(sc.months * w.replicates for _k, sc, w in job._todo)
        if not job._todo:
            return
        runs = [(key, sc, w.seed, w.replicates, w.parameters) for key, sc, w in job._todo]
        months = {key: sc.months * w.replicates * w.scale for key, sc, w in job._todo}
        if job._cancel.is_set():
            raise Cancelled()
        proc, conn = worker.start(runs)
        job._proc = proc
        t0 = time.perf_counter()
        try:
            while True:
                if job._cancel.is_set():
                    raise Cancelled()
                if not conn.poll(POLL):
                    if not proc.is_alive() and not conn.poll():
                        raise RuntimeError(f"the run process ended unexpectedly (exit code {proc.exitcode})")
                    continue
                msg = conn.recv()
                if msg[0] == "month":
                    job.done_months += 1
                elif msg[0] == "result":
                    self._store(msg[1], msg[2])
                    job._results[msg[1]] = msg[2]
                    self.rate = (time.perf_counter() - t0) / max(months[msg[1]], 1e-9)
                    t0 = time.perf_counter()
                elif msg[0] == "failed":
                    raise RuntimeError(msg[1])
                else:
                    return
        finally:
            if proc.is_alive():
                proc.kill()
            proc.join()
            conn.close()

    def _finish(self, job: Job) -> None:
        job.outcome = self.outcome(job.settings, job._results)
        job._end("done")

    def outcome(self, s: RunSettings, results: dict | None = None) -> Outcome:
        """The comparison with the baseline from a job's `results` (by cache key) or the cache."""
        def find(w: RunSettings) -> RunResult | None:
            return (results or {}).get(result_key(w)) or self.cached(w)

        base, this = find(s.baseline()), find(s)
        if base is None or this is None:
            raise KeyError(f"not cached: {s}")
        if base.seeds != this.seeds or base.parameter_sets != this.parameter_sets:
            raise RuntimeError("baseline and scenario replicates differ in seeds or parameter draws")
        comp = Comparison(list(LABELS), [base.scenario, this.scenario], [base, this], list(this.seeds),
                          int(s.seed), s.all_overrides(), this.scale, s.parameters, list(this.parameter_sets))
        return Outcome(s, comp, compare_table(comp))


def _wanted(s: RunSettings) -> list[RunSettings]:
    return [s.baseline(), s] if s.key() != s.baseline().key() else [s]
