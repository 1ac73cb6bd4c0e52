"""Calibration after hard stops: workers die with their parent (SIGKILL included), and trials left running
by dead processes are marked failed when the study is resumed (issue 12, interrupted calibrations)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from calibration import calibrate as cal

ROOT = Path(__file__).resolve().parent.parent
ONE = {"adapt_base": (-1.0, 3.0, False)}
TINY = cal.Budget(trials=3, replicates=1, scale=0.01, min_accept=2)
# `relocsim calibrate` with far more trials than the test waits for
ENDLESS = ["-m", "sim.cli", "calibrate", "--method", "tpe", "--budget", "quick", "--trials", "500", "--workers", "2", "--quiet", "--work-dir"]
# a parent that starts a worker-like child watching it by the portable poll alone (no PR_SET_PDEATHSIG)
WATCHED = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import os, time; from calibration import calibrate as cal; "
                          "cal._USE_PDEATHSIG = False; cal._die_with_parent(os.getppid()); print('ready', flush=True); "
                          "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
child.stdout.readline()
print(child.pid, flush=True)
time.sleep(60)
"""


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == pid and state != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (ProcessLookupError, FileNotFoundError):
        return False
    return state != "Z"


def completed(journal: Path, name: str = "quick") -> int:
    if not journal.exists():
        return 0
    try:
        return cal._completed(optuna.load_study(study_name=name, storage=cal._storage(journal)))
    except KeyError:  # the study is not created yet
        return 0


def test_sigkill_to_calibrate_leaves_no_worker_alive(tmp_path):
    proc = subprocess.Popen([sys.executable, *ENDLESS, str(tmp_path)], cwd=ROOT)
    workers: list[int] = []
    try:
        deadline = time.time() + 60
        while completed(tmp_path / "study.journal") < 1 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        workers = children(proc.pid)
        assert completed(tmp_path / "study.journal") >= 1 and len(workers) >= 2, "the workers never started"
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.time() + 5
        while any(alive(w) for w in workers) and time.time() < deadline:
            time.sleep(0.1)
        left = [w for w in workers if alive(w)]
        assert not left, f"processes {left} outlived the killed calibrate"
    finally:   # whatever failed, leave no process of this test behind
        for w in workers + (children(proc.pid) if proc.poll() is None else []):
            if alive(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the killed workers' trials stay marked running; a resumed run clears them and finishes
    stopped = optuna.load_study(study_name="quick", storage=cal._storage(tmp_path / "study.journal"))
    assert cal._running(stopped), "the killed workers left no trial running"
    budget = cal.Budget(**{**cal.asdict(cal.BUDGETS["quick"]), "trials": completed(tmp_path / "study.journal") + 1})
    cal.calibrate(budget, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv", study_name="quick", progress=False)
    assert not cal._running(stopped) and (tmp_path / "post.csv").exists()


def test_a_worker_stops_when_its_parent_is_killed_by_the_portable_poll_alone():
    proc = subprocess.Popen([sys.executable, "-c", WATCHED], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    try:
        assert alive(child)
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.time() + 5
        while alive(child) and time.time() < deadline:
            time.sleep(0.1)
        assert not alive(child), "the child outlived its killed parent"
    finally:
        if alive(child):
            os.kill(child, signal.SIGKILL)


def left_running(work_dir: Path) -> tuple[optuna.Study, int]:
    """A study with one finished trial and one left running by a process that is gone."""
    cal.calibrate(cal.Budget(trials=1, replicates=1, scale=0.01, min_accept=1), workers=1, work_dir=work_dir,
                  out=work_dir / "first.csv", free=ONE, progress=False)
    study = optuna.load_study(study_name="relocsim", storage=cal._storage(work_dir / "study.journal"))
    trial = study.ask()
    trial.suggest_float("adapt_base", -1.0, 3.0)
    return study, trial.number


def test_resume_marks_trials_left_running_failed_and_completes(tmp_path, monkeypatch):
    study, stuck = left_running(tmp_path)
    first = [t.params for t in study.get_trials(states=(TrialState.COMPLETE,))]
    real, seen = cal.evaluate, []
    monkeypatch.setattr(cal, "evaluate", lambda params, *a, **k: (seen.append(params), real(params, *a, **k))[1])
    post = cal.calibrate(TINY, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv", free=ONE, progress=False)
    states = {t.number: t.state for t in study.get_trials()}
    assert states[stuck] == TrialState.FAIL
    assert list(states.values()).count(TrialState.COMPLETE) == TINY.trials
    assert TrialState.RUNNING not in states.values()
    assert len(seen) == TINY.trials - 1 and first[0] not in seen   # the finished trial is not redone
    assert len(post) == TINY.min_accept


def test_trials_of_a_live_run_are_left_running(tmp_path, monkeypatch):
    study, stuck = left_running(tmp_path)
    monkeypatch.setattr(cal, "_ORPHAN_WAIT", 0.3)
    with open(tmp_path / "study.lock", "a") as other:   # another live process works on the study
        fcntl.flock(other, fcntl.LOCK_SH)
        cal.calibrate(TINY, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv", free=ONE, progress=False)
    assert study.get_trials()[stuck].state == TrialState.RUNNING


def test_warm_start_set_left_running_is_queued_again(tmp_path):
    cal.calibrate(cal.Budget(trials=1, replicates=1, scale=0.01, min_accept=1), workers=1, work_dir=tmp_path,
                  out=tmp_path / "first.csv", free=ONE, progress=False)
    study = optuna.load_study(study_name="relocsim", storage=cal._storage(tmp_path / "study.journal"))
    study.enqueue_trial({"adapt_base": 2.5})
    trial = study.ask()
    trial.suggest_float("adapt_base", -1.0, 3.0)   # the queued set, now running; its process then dies
    cal.calibrate(TINY, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv", free=ONE, progress=False)
    done = [t.params["adapt_base"] for t in study.get_trials(states=(TrialState.COMPLETE,))]
    assert study.get_trials()[trial.number].state == TrialState.FAIL and 2.5 in done


@pytest.mark.slow
def test_sigkill_to_history_matching_loses_and_repeats_nothing(tmp_path):
    """`relocsim calibrate` (history matching, 2 worker processes) killed mid-wave: no worker outlives it, and
    the same command resumes with every finished evaluation kept as it was and none run twice."""
    from calibration.budgets import HISTORY_BUDGETS
    from calibration.matching import calibrate_history

    evals = tmp_path / "evaluations"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "calibrate", "--budget", "quick", "--workers", "2",
                             "--quiet", "--work-dir", str(tmp_path)], cwd=ROOT)
    workers: list[int] = []
    try:
        deadline = time.time() + 120
        while len(list(evals.glob("*.json"))) < 3 and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        workers = [c for p in children(proc.pid) for c in [p, *children(p)]]
        assert len(list(evals.glob("*.json"))) >= 3, "no evaluation finished"
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.time() + 10
        while any(alive(w) for w in workers) and time.time() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if alive(w)], "a worker outlived the killed calibrate"
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in evals.glob("*.json")}
    budget = HISTORY_BUDGETS["quick"]
    calibrate_history(budget, tmp_path, tmp_path / "posterior.csv", backend="serial", progress=False)
    after = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in evals.glob("*.json")}   # none rewritten
    assert len(after) == sum(budget.per_wave) and all(after[k] == v for k, v in before.items())
    assert not list(evals.glob(".*.tmp"))
