"""The process a dashboard run happens in: cancel kills it at once, set-up included (a thread could
only stop between months), its memory goes back when it ends, and the page's server keeps the CPU
it needs to answer. It dies with the server however the server stops (sim.lifecycle).

Messages to the server, over a pipe: ("month",) after each simulated month, ("result", key, RunResult)
after each run, ("done",) at the end, or ("failed", text).
"""

from __future__ import annotations

import multiprocessing
import os
import signal

PRELOAD = ["sim.runner", "sim.dashboard.worker", "calibration.ensemble"]   # imported once by the fork server


def context():
    """Run processes fork from a server that has imported the model once (POSIX), else are spawned."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)   # takes effect when the fork server starts
        return ctx
    return multiprocessing.get_context("spawn")


def warm() -> None:
    """Start the fork server (and its imports) ahead of the first run; nothing where there is none."""
    ctx = context()
    if ctx.get_start_method() == "forkserver":
        proc = ctx.Process(target=_nothing, daemon=True)   # returns once the server has made its imports
        proc.start()
        proc.join()


def _nothing() -> None:
    pass


def ensemble_for(parameters: str):
    """The calibrated ensemble for "posterior" (None for "defaults" or when none is shipped)."""
    if parameters == "defaults":
        return None
    from calibration.ensemble import posterior

    return posterior()


def run_all(conn, runs: list[tuple]) -> None:
    """Child side: make each (key, scenario, seed, replicates, parameters) run, reporting on `conn`."""
    from sim.lifecycle import die_with_parent
    from sim.runner import run_scenario

    die_with_parent(os.getppid(), poll=0.2)   # the fork server, which ends with the server, or the server
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the server's Ctrl-C is the server's to handle
    try:
        for key, scenario, seed, replicates, parameters in runs:
            res = run_scenario(scenario, seed=seed, replicates=replicates, on_month=lambda: conn.send(("month",)),
                               ensemble=ensemble_for(parameters))
            conn.send(("result", key, res))
        conn.send(("done",))
    except Exception as exc:  # noqa: BLE001  (shown on the page)
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def start(runs: list[tuple]):
    """Start a run process; returns (process, the server's end of its pipe)."""
    ctx = context()
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=run_all, args=(send, runs), daemon=True, name="relocsim-dashboard-run")
    proc.start()
    send.close()
    return proc, receive
