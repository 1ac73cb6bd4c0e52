"""Faults met while writing (issue 23): a full disk (ENOSPC, on a real small file system where one can
be mounted, and injected) or lost write permission (EACCES, injected) in the middle of writing gives
exit 2 with the folder named and no traceback, leaves nothing that looks finished, and a rerun once
the fault is gone completes."""

from __future__ import annotations

import errno
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
RUN = ["run", "baseline", "--seed", "5", "--scale", "0.01", "--set", "time.end_year=2014", "--parameters",
       "defaults", "--quiet"]
SWEEP = '''scenario = "baseline"
design = "grid"
replicates = 1
seed = 3
scale = 0.01
overrides = ["time.end_year=2014"]
[keys]
"rent_subsidy.months" = [6, 9, 12, 15]
'''


def visible(folder: Path) -> list[str]:
    """What a reader sees in a folder: everything but hidden names (partial folders, temporary files)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) if folder.exists() else []


def failing_after(real, calls: int, code: int):
    """A writer that works `calls` times, then fails with OSError(code) after writing part of its file."""
    seen = []

    def write(self, path=None, *args, **kwargs):
        seen.append(path)
        if len(seen) > calls:
            Path(path).write_text("half a file")
            raise OSError(code, __import__("os").strerror(code), str(path))
        return real(self, path, *args, **kwargs)

    return write


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES], ids=["ENOSPC", "EACCES"])
def test_a_run_that_cannot_write_exits_2_naming_the_folder_and_a_rerun_completes(tmp_path, monkeypatch, capsys, code):
    out = tmp_path / "results"
    monkeypatch.setattr(pd.DataFrame, "to_csv", failing_after(pd.DataFrame.to_csv, 1, code))
    assert main([*RUN, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: results could not be written" in err and "run the same command again" in err, err
    assert ("disk is full" if code == errno.ENOSPC else "permission to write was lost") in err
    assert "Traceback" not in err and "traceback" not in err
    assert visible(out) == [] and not list(out.glob(".*.partial")), list(out.iterdir())
    monkeypatch.undo()
    assert main([*RUN, "--out", str(out)]) == 0
    (done,) = [out / n for n in visible(out)]
    assert (done / "summary.json").exists() and not list(out.glob(".*"))


def test_a_sweep_that_hits_a_full_disk_keeps_its_finished_runs_and_resumes(tmp_path, monkeypatch, capsys):
    pq = pytest.importorskip("pyarrow.parquet")
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP)
    out = tmp_path / "sweep"
    real = pq.write_table
    calls = []

    def write_table(table, where, *a, **k):
        calls.append(where)
        if len(calls) == 3:   # the third run's file: part of it written, then the disk is full
            Path(where).write_bytes(b"PAR1 half")
            raise OSError(errno.ENOSPC, "No space left on device", str(where))
        return real(table, where, *a, **k)

    monkeypatch.setattr(pq, "write_table", write_table)
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{out / 'runs'}: results could not be written: the disk is full" in err and "Traceback" not in err, err
    assert len(list((out / "runs").glob("*.parquet"))) == 2 and not list((out / "runs").glob(".*"))  # no claim, no tmp
    monkeypatch.undo()
    assert main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 0
    assert "(2 run now, 2 already there)" in capsys.readouterr().out
    runs = pd.read_parquet(out / "runs")
    assert len(runs) == 4 and runs["run_id"].is_unique


SMALL_DISK = r'''
set -e
mkdir -p "$DISK"
mount -t tmpfs -o size=16k tmpfs "$DISK"
set +e
"$PY" -m sim.cli "$@" --out "$DISK/results"; echo "first=$?"
ls -A "$DISK/results" | sed 's/^/left: /'
mount -o remount,size=64m "$DISK"
"$PY" -m sim.cli "$@" --out "$DISK/results"; echo "second=$?"
ls -A "$DISK/results" | sed 's/^/then: /'
'''


def test_a_real_full_disk_gives_exit_2_and_a_rerun_completes(tmp_path):
    """On a 16 kB tmpfs (a user and mount namespace: unshare -rm), the kernel's own ENOSPC."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here (unshare -rm not allowed)")
    disk = tmp_path / "disk"
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", SMALL_DISK, "sh", *RUN], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={"DISK": str(disk), "PY": sys.executable, "PATH": "/usr/bin:/bin"})
    out, err = proc.stdout, proc.stderr
    assert "first=2" in out and "second=0" in out, (out, err)
    assert f"{disk / 'results'}: results could not be written: the disk is full" in err and "Traceback" not in err, err
    left = [line.removeprefix("left: ") for line in out.splitlines() if line.startswith("left: ")]
    then = [line.removeprefix("then: ") for line in out.splitlines() if line.startswith("then: ")]
    assert [n for n in left if not n.startswith(".")] == [], left   # nothing that looks finished
    assert len([n for n in then if not n.startswith(".")]) == 1, then
