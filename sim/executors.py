"""One interface over the ways a batch of independent runs can be executed.

    with make_executor("processes", workers=2) as ex:
        for result in ex.imap_unordered(fn, tasks):
            ...                         # results arrive as they finish, in any order

Backends:

* ``serial``    - in this process, one task after another;
* ``processes`` - a ``concurrent.futures.ProcessPoolExecutor`` of N worker processes (forked from a
  fork server that has imported the model once; spawned where there is no fork server);
* ``dask``      - a ``dask.distributed.LocalCluster`` of N single-threaded worker processes started
  (and closed) here, or an existing cluster reached through its scheduler's address. Workers of a
  cluster started elsewhere should run without Dask's default ``MALLOC_TRIM_THRESHOLD_=65536``
  (config ``distributed.nanny.pre-spawn-environ``): with it a model run takes about 1.7x as long.

Tasks are submitted a few at a time (a window of about twice the number of workers), so neither the
task list nor the results pile up in the driver, and an interrupted batch leaves little to cancel.
`fn` must be a module-level function (it is pickled by reference), and the tasks and results must
pickle. An exception raised by `fn` is re-raised here and stops the batch.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

BACKENDS = ("serial", "processes", "dask")


class Executor:
    """Runs `fn(task)` for every task and yields the results as they finish."""

    name = "?"

    def __init__(self, workers: int = 1):
        self.workers = max(1, int(workers))

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is None:
            self.close()
        else:
            self.stop()

    def stop(self) -> None:
        """Stop now (an error, Ctrl-C or SIGTERM): running tasks are abandoned, workers ended."""
        self.close()

    def close(self) -> None:
        """Release whatever the executor started."""

    def describe(self) -> str:
        return f"{self.name}, {self.workers} worker(s)"

    def imap_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError


class SerialExecutor(Executor):
    name = "serial"

    def __init__(self, workers: int = 1):
        super().__init__(1)

    def imap_unordered(self, fn, tasks):
        for task in tasks:
            yield fn(task)


class ProcessExecutor(Executor):
    name = "processes"

    def __init__(self, workers: int = 1, preload: tuple[str, ...] = ()):
        from concurrent.futures import ProcessPoolExecutor

        super().__init__(workers)
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=_mp_context(preload))

    def imap_unordered(self, fn, tasks):
        from concurrent.futures import FIRST_COMPLETED, wait

        it = iter(tasks)
        window = 2 * self.workers
        pending = set()
        try:
            while True:
                while len(pending) < window:
                    task = next(it, _END)
                    if task is _END:
                        break
                    pending.add(self._pool.submit(fn, task))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """Within a second: the workers are killed (a run in progress is abandoned; the sweep releases
        its claim), then the pool is shut down."""
        from sim.lifecycle import stop_fork_server

        procs = list((getattr(self._pool, "_processes", None) or {}).values())
        _hush_cancelled_future_race()
        stop_fork_server()   # and any worker it is starting now
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.join(5)
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    name = "dask"

    def __init__(self, workers: int = 1, scheduler: str | None = None, preload: tuple[str, ...] = ()):
        try:
            import dask
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("the dask backend needs dask[distributed]: pip install 'dask[distributed]'") from exc
        super().__init__(workers)
        self.scheduler = scheduler
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler)
            self.workers = max(1, sum(self._client.nthreads().values()))
            return
        # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which makes glibc hand memory back to
        # the OS eagerly; the model allocates large arrays every month, and runs took 1.7x as long.
        settings: dict = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
        if "forkserver" in multiprocessing.get_all_start_methods():
            # Workers fork from a server that has imported distributed and `preload` once, instead
            # of each spawned worker importing them again.
            from distributed.utils import get_mp_context

            settings["distributed.worker.multiprocessing-method"] = "forkserver"
            with dask.config.set(settings):
                get_mp_context().set_forkserver_preload(["__main__", "distributed", *preload])
        with dask.config.set(settings):
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
        self._client = Client(self._cluster)

    def describe(self) -> str:
        where = f"scheduler {self.scheduler}" if self.scheduler else "local cluster"
        return f"dask ({where}), {self.workers} worker thread(s)"

    def imap_unordered(self, fn, tasks):
        from dask.distributed import as_completed

        it = iter(tasks)
        window = 2 * self.workers
        submitted = []
        for _ in range(window):
            task = next(it, _END)
            if task is _END:
                break
            submitted.append(self._client.submit(fn, task, pure=False))
        if not submitted:
            return
        live = set(submitted)
        queue = as_completed(submitted)
        del submitted
        try:
            for fut in queue:
                live.discard(fut)
                result = fut.result()
                fut.release()
                task = next(it, _END)
                if task is not _END:
                    new = self._client.submit(fn, task, pure=False)
                    live.add(new)
                    queue.add(new)
                yield result
        finally:
            for fut in live:
                fut.cancel()

    def stop(self) -> None:
        """Kill the local cluster's workers at once, rather than wait seconds for a busy one to close
        (the nannies are told first not to restart them); a remote cluster's workers are only released.
        Distributed's and tornado's loggers are hushed first (`_hush_cluster_logs`)."""
        _hush_cluster_logs()
        for nanny in list(getattr(self._cluster, "workers", {}).values()) if self._cluster is not None else []:
            try:
                nanny.close_gracefully()              # no restart of the worker killed next
                os.kill(nanny.process.process.pid, signal.SIGKILL)
            except (AttributeError, ProcessLookupError, TypeError):
                pass
        self.close()

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


_END = object()


def _hush_cluster_logs() -> None:
    """Silence distributed's and tornado's loggers once a run is being stopped: the calls and comms
    the stop cuts off log tracebacks of their own (a bug of `distributed.utils.sync`'s cancel)."""
    for name in ("distributed", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


def _hush_cancelled_future_race() -> None:
    """Killing a pool's workers makes its manager thread mark every pending future broken; one the
    driver has just cancelled then raises InvalidStateError in that thread (CPython 3.11,
    `concurrent.futures.process.terminate_broken`), which prints a traceback after a clean stop. Only
    that error is dropped; any other thread exception still reaches the previous hook."""
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook
    if getattr(previous, "_relocsim_hush", False):
        return

    def hook(args) -> None:
        if isinstance(args.exc_value, InvalidStateError) and "CANCELLED" in str(args.exc_value):
            return
        previous(args)

    hook._relocsim_hush = True
    threading.excepthook = hook


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises KeyboardInterrupt like Ctrl-C, so the executor's workers
    (processes, a Dask LocalCluster) are stopped with their parent instead of living on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, _frame):
        _hush_cluster_logs()  # a Dask call cut off here logs its own traceback otherwise
        raise KeyboardInterrupt(f"stopped by signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _mp_context(preload: tuple[str, ...] = ()):
    """Worker processes start from a fork server that has imported `preload` once (POSIX), or are
    spawned afresh (elsewhere). Not plain fork: the driver may hold threads (progress bar, a Dask
    client) that fork would copy. Either way a script that starts a sweep needs the
    `if __name__ == "__main__":` guard."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        if preload:
            # the default preload is ['__main__']; this takes effect if the fork server is not yet running
            ctx.set_forkserver_preload(["__main__", *preload])
        return ctx
    return multiprocessing.get_context("spawn")


def default_workers() -> int:
    return os.cpu_count() or 1


def make_executor(backend: str, workers: int | None = 1, scheduler: str | None = None,
                  preload: tuple[str, ...] = ()) -> Executor:
    """An executor of the named backend; `scheduler` (an address) is for the dask backend only;
    `preload` names modules that the local worker processes import before their first task."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; allowed: {', '.join(BACKENDS)}")
    if scheduler and backend != "dask":
        raise ValueError(f"--scheduler is for the dask backend, not {backend!r}")
    n = default_workers() if workers is None else int(workers)
    if n < 1:
        raise ValueError(f"workers must be at least 1, got {n}")
    if backend == "serial":
        return SerialExecutor()
    if backend == "processes":
        return ProcessExecutor(n, preload)
    return DaskExecutor(n, scheduler, preload)
