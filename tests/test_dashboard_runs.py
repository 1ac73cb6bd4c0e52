"""The dashboard's run manager on real run processes (issue 23): cancel answers within 2 s, set-up
included, on a machine whose cores are busy; runs beyond the slots wait in a queue that knows each
place; two sessions' jobs keep their own results, progress and cancel; the cache key changes with
everything that changes a result, and with nothing else."""

from __future__ import annotations

import time

import pytest

from sim.dashboard import keys
from sim.dashboard.runs import RunService
from sim.dashboard.state import RunSettings
from sim.runner import run_scenario
from sim.scenario import load

SHORT = ("time.end_year=2016",)   # three years: a run at scale 0.01 takes about a second
CANCEL_WITHIN = 2.0


def wait_for(check, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def cancel_latency(job) -> float:
    t0 = time.monotonic()
    job.cancel()
    job.wait(30)
    return time.monotonic() - t0


@pytest.mark.slow
def test_cancel_answers_within_2s_in_set_up_and_in_the_month_loop_under_load(busy_cores):
    svc = RunService(slots=2)
    assert svc.ready.wait(60)   # the server starts its fork server when it starts
    setup = svc.submit(RunSettings("baseline", (), 0, 1.0, 1))   # scale 1: several seconds of set-up
    wait_for(lambda: setup._proc is not None)
    time.sleep(0.5)
    assert setup.done_months == 0, "the set-up was meant to be still running"
    in_setup = cancel_latency(setup)
    gone = time.monotonic()
    wait_for(lambda: not setup._proc.is_alive(), CANCEL_WITHIN)
    gone = time.monotonic() - gone + in_setup
    months = svc.submit(RunSettings("baseline", (), 0, 0.2, 1))
    wait_for(lambda: months.done_months >= 2)
    in_loop = cancel_latency(months)
    print(f"cancel under load: set-up at scale 1.0 answered in {in_setup:.3f} s, its process gone in {gone:.3f} s; "
          f"month loop at scale 0.2 answered in {in_loop:.3f} s")
    for job, latency in ((setup, in_setup), (months, in_loop)):
        assert job.status == "cancelled" and latency < CANCEL_WITHIN, (job.status, latency)
        wait_for(lambda: not job._proc.is_alive(), CANCEL_WITHIN)   # its process is gone too
        assert job.outcome is None and svc.cached(job.settings) is None and svc.cached(job.settings.baseline()) is None


def test_runs_beyond_the_slots_wait_in_a_queue_with_their_place():
    svc = RunService(slots=1)
    jobs = [svc.submit(RunSettings("baseline", (*SHORT, f"rent_subsidy.months={m}"), 0, 0.01, 1)) for m in (6, 7, 8)]
    # the first runs; its baseline is then cached for the others
    assert [j.status for j in jobs] == ["running", "queued", "queued"]
    assert [j.position for j in jobs] == [0, 1, 2] and svc.queued() == 2
    jobs[1].cancel()
    assert jobs[1].status == "cancelled" and jobs[2].position == 1 and svc.queued() == 1
    for j in (jobs[0], jobs[2]):
        assert j.wait(120).status == "done", j.error
    assert jobs[2].started < jobs[0].finished <= jobs[2].finished   # it waited for the slot
    assert jobs[0].total_months == 132 + 36 and jobs[2].total_months == 36   # the baseline came from the cache


def test_two_sessions_keep_their_own_results_progress_and_cancel():
    svc = RunService(slots=2)
    mine = RunSettings("baseline", (*SHORT, "rent_subsidy.months=18"), 3, 0.01, 1)
    theirs = RunSettings("baseline", (*SHORT, "rent_subsidy.months=0"), 5, 0.01, 1)
    cancelled = RunSettings("baseline", (*SHORT, "rent_subsidy.months=30"), 7, 0.02, 1)
    a, b, c = svc.submit(mine), svc.submit(theirs), svc.submit(cancelled)
    assert c.status == "queued"
    c.cancel()
    for job in (a, b):
        assert job.wait(120).status == "done", job.error
        assert job.done_months == job.total_months == 132 + 36   # its own progress: its run and the baseline
    assert c.status == "cancelled" and c.done_months == 0
    for job, s in ((a, mine), (b, theirs)):
        assert job.outcome.settings == s
        direct = run_scenario(load(s.scenario, s.all_overrides()), seed=s.seed, replicates=1,
                              ensemble=svc_ensemble())
        assert job.outcome.result.summaries == direct.summaries
        assert job.outcome.result.seeds == [s.seed]


def svc_ensemble():
    from sim.dashboard.runs import ensemble_for

    return ensemble_for("posterior")


def test_the_cache_key_follows_what_changes_a_result(tmp_path, monkeypatch):
    a = RunSettings("baseline", ("rent_subsidy.months=18",), 1, 0.05, 2)
    key = keys.result_key(a)
    assert keys.result_key(RunSettings("baseline", ("rent_subsidy.months = 18.0",), 1, 0.05, 2)) == key
    # the same resolved scenario reached another way is the same run
    assert keys.result_key(RunSettings("baseline", ("rent_subsidy.months=18", "rent_subsidy.months=18"), 1, 0.05, 2)) == key
    for other in (RunSettings("baseline", ("rent_subsidy.months=19",), 1, 0.05, 2),
                  RunSettings("support_2024", a.overrides, 1, 0.05, 2), RunSettings("baseline", a.overrides, 2, 0.05, 2),
                  RunSettings("baseline", a.overrides, 1, 0.1, 2), RunSettings("baseline", a.overrides, 1, 0.05, 3),
                  RunSettings("baseline", a.overrides, 1, 0.05, 2, "defaults")):
        assert keys.result_key(other) != key, other
    # a changed calibrated ensemble, or a changed scenario file, changes the key
    import calibration.ensemble as ens

    copy = tmp_path / "posterior.csv"
    copy.write_bytes(ens.POSTERIOR.read_bytes())
    monkeypatch.setattr(ens, "POSTERIOR", copy)
    assert keys.result_key(a) == key
    copy.write_text(copy.read_text() + "\n")
    assert keys.result_key(a) != key
    real = keys._files_stamp
    monkeypatch.setattr(keys, "_files_stamp", lambda: (("edited",), *real()))
    monkeypatch.setattr(RunSettings, "load", lambda s: load(s.scenario, [*s.all_overrides(), "rent_subsidy.months=17"]))
    assert keys.result_key(a)[0] != key[0]
