"""Commands started together, and stopped by SIGTERM (issue 12.4, 12.7): real processes, tiny runs.

Two `relocsim run` with the same seed into the same --out land in two complete folders; two identical
sweeps into one folder split the runs (none done twice, none lost); SIGTERM to a sweep on the process
backend or a Dask LocalCluster leaves no worker process behind.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_outputs import SWEEP as ONE_REPLICATE

ROOT = Path(__file__).resolve().parents[1]
RELOCSIM = [sys.executable, "-m", "sim.cli"]
SWEEP = ONE_REPLICATE.replace("replicates = 1", "replicates = 2").replace("[6, 12]", "[6, 9, 12]")


def start(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen([*RELOCSIM, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_two_runs_started_together_land_in_two_complete_folders(tmp_path):
    argv = ["run", "baseline", "--seed", "5", "--scale", "0.01", "--set", "time.end_year=2014", "--parameters",
            "defaults", "--quiet", "--out", str(tmp_path)]
    procs = [start(argv), start(argv)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    folders = sorted(p for p in tmp_path.iterdir())
    assert len(folders) == 2 and not any(p.name.startswith(".") for p in folders)
    for folder in folders:
        files = {p.name for p in folder.iterdir()}
        assert {"summary.json", "monthly.csv", "flows.csv", "scenario.json", ".relocsim-run"} <= files
        meta = json.loads((folder / "summary.json").read_text())["run"]
        assert meta["run_id"] == folder.name and meta["seed"] == 5
        marker = json.loads((folder / ".relocsim-run").read_text())
        assert set(marker["files"]) == files - {".relocsim-run"}


def test_two_sweeps_into_one_folder_split_the_runs(tmp_path):
    pytest.importorskip("pyarrow")
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP)
    out = tmp_path / "sweep"
    procs = [start(["sweep", str(spec), "--out", str(out), "--quiet"]) for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    executed = [int(re.search(r"\((\d+) run now", o).group(1)) for o, _e in outs]
    assert sum(executed) == 6                                  # none done twice
    assert len(list((out / "runs").glob("*.parquet"))) == 6   # none lost
    assert not list((out / "runs").glob(".*"))                 # claims released, no temporary files
    again = start(["sweep", str(spec), "--out", str(out), "--quiet"])
    assert "(0 run now, 6 already there)" in again.communicate(timeout=120)[0]


def _session(sid: int) -> list[int]:
    """Pids of live processes in a session (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc (Linux)")
@pytest.mark.parametrize("backend", ["processes", "dask"])
def test_sigterm_to_a_sweep_leaves_no_worker(tmp_path, backend):
    pytest.importorskip("pyarrow")
    if backend == "dask":
        pytest.importorskip("distributed")
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP.replace("replicates = 2", "replicates = 8"))
    out = tmp_path / "sweep"
    proc = start(["sweep", str(spec), "--backend", backend, "--workers", "2", "--out", str(out), "--quiet"],
                 start_new_session=True)
    deadline = time.monotonic() + 60
    while not list(out.glob("runs/*.parquet")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)                       # the workers are up and running: the first run has landed
    assert proc.poll() is None and len(_session(proc.pid)) >= 4   # parent, fork server, workers (and a tracker)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err, err
    deadline = time.monotonic() + 20
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _session(proc.pid)
    for pid in left:                           # leave nothing behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == []
    assert not list((out / "runs").glob(".*.claim"))   # claims of abandoned runs released
