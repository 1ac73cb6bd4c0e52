"""Shared fixtures: small, fast runs of the baseline; a loaded machine."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from sim import scenario
from sim.model import RelocationModel
from sim.scenario import ScenarioError
from sim.outcomes import summary

FAST_SCALE = 0.03


def sigint_as_at_a_terminal() -> None:
    """`preexec_fn` for a child that a test will Ctrl-C: a shell that starts pytest in the background
    leaves SIGINT ignored, and the child would inherit that; here it gets the default back, as a
    command typed at a terminal has it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_baseline(overrides=(), seed=0, scale=FAST_SCALE, check=False):
    sc = scenario.load("baseline", list(overrides))
    m = RelocationModel(sc, seed=seed, scale=scale, check_invariants=check)
    m.run()
    return m, summary(m)


def problems(path, overrides=None) -> list[str]:
    """The validation problems a scenario file (and overrides) must raise."""
    with pytest.raises(ScenarioError) as exc:
        scenario.load(path, overrides)
    return exc.value.problems


@pytest.fixture(scope="session")
def baseline_run():
    return run_baseline(seed=11)


@pytest.fixture(scope="module")
def busy_cores():
    """Two processes that keep two cores busy while a module's tests run (a loaded machine)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    yield
    for p in procs:
        p.kill()
        p.wait()
