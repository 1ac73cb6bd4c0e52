"""What works today and must keep working (issue 23): a Dask worker killed with SIGKILL in the middle
of a sweep is restarted by its nanny and the sweep finishes with every run once, none lost or
duplicated. (A calibration killed with SIGKILL resumes: tests/test_calibration_signals.py.)"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = '''scenario = "baseline"
design = "grid"
replicates = 3
seed = 4
scale = 0.02
overrides = ["time.end_year=2016"]
[keys]
"rent_subsidy.months" = [6, 9, 12, 15]
'''
pytestmark = pytest.mark.slow


def workers(pid: int) -> list[psutil.Process]:
    """The Dask worker processes of a sweep: descendants that run a distributed worker."""
    out = []
    for p in psutil.Process(pid).children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and p.parent() is not None and p.parent().pid != pid:
                out.append(p)   # forked by the fork server (the sweep's own children are it and the tracker)
        except psutil.NoSuchProcess:
            pass
    return out


def kill_a_worker_mid_run(args: list[str], landed: Callable[[], int], what: str, timeout: float) -> tuple[int, int, str, str]:
    """Start `relocsim ARGS`, wait until `landed()` (results written so far) is above 0, SIGKILL one
    of its Dask workers and let it finish; returns (exit code, results landed before the kill, stdout, stderr)."""
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not landed() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        victims = workers(proc.pid)
        assert proc.poll() is None and victims, f"the {what} ended before a worker could be killed"
        os.kill(victims[0].pid, signal.SIGKILL)   # in the middle: work is under way and some has landed
        done_before = landed()
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, done_before, stdout, stderr


def test_a_worker_killed_mid_sweep_loses_and_repeats_no_run(tmp_path):
    pytest.importorskip("distributed")
    pytest.importorskip("pyarrow")
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "sweep"
    code, done_before, stdout, stderr = kill_a_worker_mid_run(
        ["sweep", str(spec), "--backend", "dask", "--workers", "2", "--out", str(out), "--quiet"],
        lambda: len(list(out.glob("runs/*.parquet"))), "sweep", 240)
    assert code == 0, stderr
    assert done_before < 12, "the sweep had finished before the worker was killed"
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 12 and runs["run_id"].is_unique                      # none lost, none twice
    assert sorted(zip(runs["point"], runs["replicate"])) == [(p, r) for p in range(4) for r in range(3)]
    assert int(re.search(r"\((\d+) run now", stdout).group(1)) == 12
    assert not list((out / "runs").glob(".*"))                                # no claim or temporary file left


def test_a_worker_killed_mid_calibration_loses_no_evaluation(tmp_path):
    """History matching on Dask (issue 18): a worker killed while evaluations run is replaced, every
    evaluation of every wave and every fresh re-scoring of the kept sets is written once, and the ensemble
    is the one 2 local worker processes give (the same seed gives the same ensemble on every backend)."""
    import json

    from calibration import matching
    from calibration.budgets import HISTORY_BUDGETS

    pytest.importorskip("distributed")
    pytest.importorskip("sklearn")
    work = tmp_path / "work"
    code, done_before, _, stderr = kill_a_worker_mid_run(
        ["calibrate", "--method", "history", "--budget", "quick", "--backend", "dask", "--workers", "2", "--seed", "3",
         "--work-dir", str(work), "--out", str(tmp_path / "posterior.csv"), "--quiet"],
        lambda: len(list(work.glob("evaluations/*.json"))), "calibration", 300)
    assert code == 0, stderr
    assert done_before < 14, "wave 1 had finished before the worker was killed"
    numbers = sorted(int(p.stem) for p in work.glob("evaluations/*.json"))
    assert numbers == list(range(14))                                   # 8 + 6: none lost
    kept = pd.read_csv(tmp_path / "posterior.csv")
    fresh = sorted(int(p.stem) for p in work.glob("fresh/*.json"))
    assert len(kept) >= 1 and len(fresh) >= len(kept) and set(fresh) <= set(numbers)
    assert not [p for p in work.rglob(".*") if p.is_file() and not p.name.startswith(".relocsim-")]  # no temporary file
    out = tmp_path / "processes" / "posterior.csv"
    frame = matching.calibrate_history(HISTORY_BUDGETS["quick"], tmp_path / "processes", out, seed=3,
                                       backend="processes", workers=2, progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "posterior.csv"), pd.read_csv(out))
    assert len(frame) == len(kept)
    metas = [json.loads(p.with_suffix(".json").read_text()) for p in (tmp_path / "posterior.csv", out)]
    assert metas[0]["sets"] == metas[1]["sets"] and metas[0]["width_ratio"] == metas[1]["width_ratio"]
    seeds = [s for x in metas[0]["sets"] for s in x["seeds"] + x["fresh_seeds"]]
    assert len(seeds) == len(set(seeds)) and all(np.isfinite(x["fresh_distance"]) for x in metas[0]["sets"])
    assert len(metas[0]["waves"]) == 2 and all("nroy_volume" in w and "loo" in w for w in metas[0]["waves"])
