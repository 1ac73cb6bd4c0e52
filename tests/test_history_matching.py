"""History matching (calibration.history): a toy stochastic simulator with a known parameter, fresh seeds,
resuming, and the same ensemble on every backend."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from sim.scenario import ScenarioError

from calibration import history
from calibration.budgets import HistoryBudget

TRUTH = 0.3
FREE = {"theta": (0.0, 1.0, False), "ignored": (0.0, 1.0, False)}
NOISE = 0.02          # replicate sd of the toy simulator
SEEN: list[tuple] = []  # the seeds of every evaluation run in this process (serial backend)


def toy(task: dict) -> dict:
    """Two statistics of theta with replicate noise; `ignored` has no effect."""
    SEEN.append(tuple(task["seeds"]))
    out, dist = [], []
    for s in task["seeds"]:
        r = np.random.default_rng(s)
        y = [task["theta"] + NOISE * r.standard_normal(), task["theta"] ** 2 + NOISE * r.standard_normal()]
        out.append(y)
        dist.append(float((y[0] - TRUTH) ** 2 + (y[1] - TRUTH ** 2) ** 2))
    return {"outputs": out, "distances": dist}


def problem(obs_sd: float) -> history.Problem:
    return history.Problem(free=FREE, names=("y", "y2"), observed=np.array([TRUTH, TRUTH ** 2]),
                           observation_var=np.full(2, obs_sd ** 2), discrepancy_var=np.zeros(2), fn=toy,
                           task=lambda n, p, seeds: {"number": n, "seeds": seeds, **p}, key={"obs_sd": obs_sd})


BUDGET = HistoryBudget(per_wave=(20, 20, 20), replicates=2, scale=1.0, fresh_replicates=2, ensemble=40, draws=2000,
                       which=1)   # two statistics: the larger implausibility (the second largest would be the smaller)


def band(res: dict) -> tuple[float, float]:
    thetas = [r["params"]["theta"] for r in res["records"] if r["number"] in set(res["accepted"])]
    return min(thetas), max(thetas)


def test_recovers_a_known_parameter_and_the_band_shrinks_with_more_data(tmp_path):
    wide = history.history_match(problem(0.1), BUDGET, tmp_path / "wide", progress=False)
    narrow = history.history_match(problem(0.02), BUDGET, tmp_path / "narrow", progress=False)
    for res in (wide, narrow):
        lo, hi = band(res)
        assert lo <= TRUTH <= hi and len(res["accepted"]) >= 5
    assert band(narrow)[1] - band(narrow)[0] < 0.7 * (band(wide)[1] - band(wide)[0])
    ratios = history.width_ratios([r["params"] for r in narrow["records"] if r["number"] in narrow["accepted"]], FREE)
    assert ratios["theta"] < 0.3 < ratios["ignored"]        # identified vs left at its prior
    vols = [w["nroy_volume"] for w in narrow["waves"]]
    assert vols[-1] < 0.3 and all(0 <= v <= 1 for v in vols)
    assert all(w["loo"]["share_within_3_all"] > 0.8 for w in narrow["waves"])


def test_no_two_evaluations_share_a_seed(tmp_path):
    res = history.history_match(problem(0.05), BUDGET, tmp_path, progress=False)
    seeds = [s for r in res["records"] for s in r["seeds"]] + [s for f in res["fresh"].values() for s in f["seeds"]]
    assert len(seeds) == len(set(seeds)) == sum(BUDGET.per_wave) * 2 + 2 * len(res["fresh"])
    assert set(res["fresh"]) == set(res["accepted"])


def test_an_interrupted_study_resumes_losing_and_repeating_nothing(tmp_path, monkeypatch):
    SEEN.clear()
    real = history.Store.save
    saved = []

    def stop_after(self, record, fresh=False):
        real(self, record, fresh)
        saved.append(record["number"])
        if len(saved) == 27:     # killed in the second wave
            raise KeyboardInterrupt

    monkeypatch.setattr(history.Store, "save", stop_after)
    with pytest.raises(KeyboardInterrupt):
        history.history_match(problem(0.05), BUDGET, tmp_path / "a", progress=False)
    monkeypatch.setattr(history.Store, "save", real)
    first = list(SEEN)
    SEEN.clear()
    resumed = history.history_match(problem(0.05), BUDGET, tmp_path / "a", progress=False)
    assert len(first) == 27 and not set(first) & set(SEEN)    # nothing redone
    done = {tuple(r["seeds"]) for r in resumed["records"]} | {tuple(f["seeds"]) for f in resumed["fresh"].values()}
    assert set(first) | set(SEEN) == done and len(first) + len(SEEN) == len(done)   # nothing lost, nothing twice
    once = history.history_match(problem(0.05), BUDGET, tmp_path / "b", progress=False)   # never interrupted
    assert [r["params"] for r in resumed["records"]] == [r["params"] for r in once["records"]]
    assert resumed["accepted"] == once["accepted"]
    SEEN.clear()   # a wave more continues the study: only the new wave's evaluations (and new fresh ones) run
    more = history.history_match(problem(0.05), replace(BUDGET, per_wave=(20, 20, 20, 10)), tmp_path / "a", progress=False)
    assert len(more["records"]) == 70 and more["records"][:60] == resumed["records"]
    assert len(SEEN) == 10 + len(set(more["accepted"]) - set(resumed["accepted"]))
    with pytest.raises(ScenarioError, match="budget"):
        history.history_match(problem(0.05), replace(BUDGET, per_wave=(20, 10)), tmp_path / "a", progress=False)


# processes against a Dask cluster (with a worker killed): tests/test_lost_workers.py


def test_the_ensemble_records_both_distances_and_the_fit_report_shows_the_diagnostics(tmp_path):
    import json

    from calibration import matching
    from calibration.report_markdown import method_diagnostics

    prob = problem(0.02)
    res = history.history_match(prob, BUDGET, tmp_path / "w", progress=False)
    df = matching.write_ensemble(res, prob, BUDGET, tmp_path / "posterior.csv", 0, "serial")
    meta = json.loads((tmp_path / "posterior.json").read_text())
    assert list(df.columns[:3]) == ["trial", "distance", "weight"] and len(df) == meta["accepted"] == len(meta["sets"])
    assert np.isclose(df["weight"].sum(), 1.0)
    for s in meta["sets"]:
        assert {"distance", "distance_sd", "fresh_distance", "fresh_distance_sd"} <= set(s)
        assert not set(s["seeds"]) & set(s["fresh_seeds"])
    assert len(df) >= 20 and meta["identified"] == ["theta"] and len(meta["waves"]) == len(BUDGET.per_wave)
    text = method_diagnostics(tmp_path / "posterior.json")
    assert "## Calibration diagnostics (history matching)" in text and "on fresh seeds" in text
    assert method_diagnostics(tmp_path / "missing.json") == ""


def test_a_warm_start_joins_the_first_wave_and_is_part_of_the_study(tmp_path):
    small = replace(BUDGET, per_wave=(10, 10))
    res = history.history_match(problem(0.05), small, tmp_path, progress=False, start=[{"theta": 0.31}, {"theta": 0.9, "ignored": 0.1}])
    wave1 = [r for r in res["records"] if r["wave"] == 1]
    assert len(wave1) == 12 and [r["number"] for r in res["records"]] == list(range(22))
    assert wave1[10]["params"] == {"theta": 0.31, "ignored": 0.5} and wave1[11]["params"] == {"theta": 0.9, "ignored": 0.1}
    with pytest.raises(ScenarioError):   # another start is another study
        history.history_match(problem(0.05), small, tmp_path, progress=False, start=[{"theta": 0.5}])
