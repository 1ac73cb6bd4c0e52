"""Calibration: the virtual survey, the fit, resuming, and recovering known parameters."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from calibration import calibrate as cal
from calibration import ensemble
from calibration.fit import FIT_COLUMNS, fit_table, observed_cells, observed_official
from calibration.observe import RunObserver
from calibration.survey import SAMPLE_SIZES, draw_respondents, expected_tables, survey_frame, tables
from sim import scenario
from sim.model import RelocationModel
from sim.regions import DESTINATIONS
from sim.states import Housing, Job

from checks import check_draw


def tiny_snapshot() -> dict:
    """Five households: three in North Kazakhstan, two in Pavlodar, one elsewhere (not surveyed)."""
    nk, pv, ak = DESTINATIONS.index("north_kazakhstan"), DESTINATIONS.index("pavlodar"), DESTINATIONS.index("akmola")
    n = 6
    z = np.zeros(n, np.int8)
    return {
        "month": 84, "household": np.arange(n),
        "dest": np.array([nk, nk, nk, pv, pv, ak], np.int8),
        "arrival_month": np.array([74, 74, 74, 20, 50, 80]),          # 10, 10, 10, 64 and 34 months before
        "adapt_needed": np.array([0, 5, 30, 0, 0, 0], np.float32),
        "origin": np.array([0, 0, 7, 4, 4, 0], np.int8), "settlement": np.array([5, 5, 1, 0, 5, 5], np.int8),
        "housing_before": np.array([0, 1, 4, 0, 0, 0], np.int8), "female": np.array([1, 0, 1, 0, 0, 0], bool),
        "young": np.array([1, 0, 0, 0, 0, 0], bool), "marital": np.array([1, 1, 2, 0, 1, 1], np.int8),
        "education": z, "sector": np.array([1, 4, 1, 6, 6, 6], np.int8), "inactive": np.zeros(n, bool),
        "size": np.full(n, 3), "qualified": np.ones(n, bool),
        "job": np.array([Job.MATCHED, Job.OTHER, Job.NONE, Job.MATCHED, Job.NONE, Job.NONE], np.int8),
        "job_sector": np.array([1, 0, -1, 6, -1, -1], np.int8),
        "housing_status": np.full(n, Housing.RENTED, np.int8), "housing_route": np.array([0, 1, 0, 2, 0, 0], np.int8),
        "housed_month": np.array([74, 74, 76, 20, 50, 80]), "decision_mode": np.array([0, 1, 2, 0, 0, 0], np.int8),
        "pay_bin": np.array([1, 2, 3, 1, 1, 1], np.int8), "pay_month": np.array([74, 74, 75, 20, 50, 80]),
        "collect_month": np.full(n, 10), "application_month": np.full(n, 10), "approval_month": np.full(n, 10),
        "subsidy_reloc": np.array([1.0, 1.0, 0.0, 1.0, 0.0, 1.0]), "subsidy_rent": np.array([1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        "job_problems": np.array([0, 0, 1, 0, 1, 0], bool), "side_business": np.zeros(n, bool), "rural_dest": z.astype(bool), "took_courses": z.astype(bool),
        "supported": z.astype(bool), "aware_channel": z,
    }


def cell(tab: pd.DataFrame, target: str, group: str, name: str) -> float:
    row = tab[(tab["target"] == target) & (tab["group"] == group) & (tab["cell"] == name)]
    return float(row["share"].iloc[0]) if len(row) else 0.0


def test_virtual_survey_reproduces_hand_computed_tables():
    frame = survey_frame(tiny_snapshot())
    assert list(frame["region"]) == ["north_kazakhstan"] * 3 + ["pavlodar"] * 2  # the Akmola household is not in the frame
    tab = tables(frame)
    # Table 40: NK -> easy (needs 0), adjusted (10 >= 5 months), still very difficult (10 < 30)
    assert cell(tab, "t40_adjustment", "north_kazakhstan", "easy_no_issues") == pytest.approx(1 / 3)
    assert cell(tab, "t40_adjustment", "north_kazakhstan", "some_issues_adjusted") == pytest.approx(1 / 3)
    assert cell(tab, "t40_adjustment", "pavlodar", "easy_no_issues") == 1.0
    # Table 3: 10 months -> under a year; 64 -> over 5 years; 34 -> 1-3 years
    assert cell(tab, "t03_residence_period", "north_kazakhstan", "less_than_year") == 1.0
    assert cell(tab, "t03_residence_period", "pavlodar", "over_5_years") == 0.5
    assert cell(tab, "t03_residence_period", "pavlodar", "1_3_years") == 0.5
    # Table 14 and Table 29 answers
    assert cell(tab, "t14_decision", "north_kazakhstan", "consulted_relocated_relatives_friends") == pytest.approx(1 / 3)
    assert cell(tab, "t29_housing_search_period", "north_kazakhstan", "prepared_by_authorities") == pytest.approx(1 / 3)
    assert cell(tab, "t29_housing_search_period", "north_kazakhstan", "more_than_month") == pytest.approx(1 / 3)
    assert cell(tab, "t29_housing_search_period", "pavlodar", "arranged_before_arrival") == 0.5
    # Table 35 (multiple answers) and Table 31 by gender
    assert cell(tab, "t35_aid_purpose", "north_kazakhstan", "moving_subsidies") == pytest.approx(2 / 3)
    assert cell(tab, "t35_aid_purpose", "pavlodar", "none_received") == 0.5
    # Table 31 asks about the job one has: the men with a job are one MATCHED and one OTHER (the jobless man gives no answer)
    assert cell(tab, "t31_job_education_match", "men", "matching_fully") == pytest.approx(1 / 2)
    assert cell(tab, "t31_job_education_match", "men", "partly_or_not_matching") == pytest.approx(1 / 2)
    # Table 30 counts employed respondents only
    assert cell(tab, "t30_employment_sector", "all", "agriculture") == pytest.approx(1 / 3)
    # design weights: NK households count 85/3, Pavlodar ones 92/2 (IOM Table 2 sample sizes)
    w = expected_tables(tiny_snapshot())
    assert cell(w, "t40_adjustment", "all", "easy_no_issues") == pytest.approx((85 / 3 + 92) / (85 + 92))


def test_drawn_respondents_follow_regional_sample_sizes():
    frame = survey_frame(tiny_snapshot())
    sample = draw_respondents(frame, np.random.default_rng(0))
    counts = sample["region"].value_counts().to_dict()
    assert counts == {"north_kazakhstan": SAMPLE_SIZES["north_kazakhstan"], "pavlodar": SAMPLE_SIZES["pavlodar"]}


def test_observed_cells_have_bases_and_splits():
    obs = observed_cells()
    assert (obs["base"] > 0).all() and obs["observed"].between(0, 1).all()
    assert set(obs[obs["target"].isin(["t38_aid_wait_marital", "t41_adjustment_settlement", "t42_adjustment_marital"])]["split"]) == {"holdout"}
    assert "hard_to_answer" not in set(obs["cell"])
    off = observed_official()
    assert off.set_index(["target", "cell"]).loc[("returns_pooled", "north_kazakhstan+kostanay"), "observed"] == 770
    assert set(off[off["target"] == "t10_returns_by_region"]["split"]) == {"holdout"}


@pytest.fixture(scope="module")
def small_runs():
    sc = scenario.load("baseline")
    runs = []
    for s in (0, 1):
        m = RelocationModel(sc, seed=s, scale=0.03)
        obs = RunObserver(m)
        runs.append((m.run(), obs))
    return runs


def test_survey_frame_holds_only_stayers_in_the_four_regions(small_runs):
    m, obs = small_runs[0]
    snap = obs.frames[84]
    frame = survey_frame(snap)
    assert set(frame["region"]) <= set(SAMPLE_SIZES)
    # returners (state RETURNED by then) are never in the frame
    returned_before = np.flatnonzero((m.return_month >= 0) & (m.return_month <= 84))
    assert not set(returned_before) & set(frame["household"])
    assert (frame.shape[0] > 0)


def test_fit_table_columns_and_intervals(small_runs):
    fit = fit_table([obs.frames[84] for _, obs in small_runs], [obs.officials for _, obs in small_runs])
    assert list(fit.columns) == FIT_COLUMNS
    assert set(fit["split"]) == {"calibration", "holdout"}
    ok = fit.dropna(subset=["simulated_low"])
    assert (ok["simulated_low"] <= ok["simulated_high"]).all()
    # a survey share's mean lies inside its predictive interval; the returns' mean is their expected
    # value and may lie outside the range of a few realized counts
    shares = ok[ok["base"].notna()]
    assert (shares["simulated_low"] <= shares["simulated_mean"] + 1e-9).all() and (shares["simulated_mean"] <= shares["simulated_high"] + 1e-9).all()
    assert np.isfinite(fit.loc[fit["target"] == "returns_pooled", "simulated_mean"]).all()
    assert fit["within_95"].dtype == bool


TINY = cal.Budget(trials=3, replicates=1, scale=0.01, min_accept=2)
TWO = {"adapt_base": (-1.0, 3.0, False), "consult_share": (0.05, 1.0, False)}


def test_interrupted_calibration_resumes_without_redoing_finished_work(tmp_path, monkeypatch):
    calls = []
    real = cal.evaluate

    def counting(params, *a, **k):
        calls.append(params)
        if len(calls) == 3:
            raise KeyboardInterrupt  # interrupted during the third trial
        return real(params, *a, **k)

    monkeypatch.setattr(cal, "evaluate", counting)
    with pytest.raises(KeyboardInterrupt):
        cal.calibrate(cal.Budget(trials=4, replicates=1, scale=0.01, min_accept=2), workers=1, work_dir=tmp_path,
                      out=tmp_path / "post.csv", free=TWO, progress=False)
    assert not (tmp_path / "post.csv").exists()
    finished = [c for c in calls[:2]]
    calls.clear()
    monkeypatch.setattr(cal, "evaluate", real)
    seen = []
    monkeypatch.setattr(cal, "evaluate", lambda params, *a, **k: (seen.append(params), real(params, *a, **k))[1])
    post = cal.calibrate(cal.Budget(trials=4, replicates=1, scale=0.01, min_accept=2), workers=1, work_dir=tmp_path,
                         out=tmp_path / "post.csv", free=TWO, progress=False)
    assert len(seen) == 2  # only the two unfinished trials run again
    assert all(p not in finished for p in seen)
    assert len(post) == 2 and (tmp_path / "post.json").exists()


def test_warm_start_evaluates_the_earlier_ensemble_first_and_only_once(tmp_path, monkeypatch):
    earlier = pd.DataFrame({"trial": [1, 2], "distance": [1.0, 2.0], "weight": [0.5, 0.5],
                            "adapt_base": [0.25, 9.0], "consult_share": [0.5, 0.75]})  # 9.0 lies outside the range
    earlier.to_csv(tmp_path / "earlier.csv", index=False)
    seen = []
    real = cal.evaluate
    monkeypatch.setattr(cal, "evaluate", lambda params, *a, **k: (seen.append(dict(params)), real(params, *a, **k))[1])
    cal.calibrate(TINY, workers=1, work_dir=tmp_path / "w", out=tmp_path / "post.csv", free=TWO, progress=False,
                  warm_start=tmp_path / "earlier.csv")
    assert seen[:2] == [{"adapt_base": 0.25, "consult_share": 0.5}, {"adapt_base": 3.0, "consult_share": 0.75}]
    assert len(seen) == TINY.trials
    seen.clear()  # resuming a finished study enqueues nothing again
    cal.calibrate(cal.Budget(**{**TINY.__dict__, "trials": 4}), workers=1, work_dir=tmp_path / "w", out=tmp_path / "post.csv",
                  free=TWO, progress=False, warm_start=tmp_path / "earlier.csv")
    assert len(seen) == 1


def test_calibration_recovers_known_parameters(tmp_path):
    truth = {"adapt_base": 1.2, "consult_share": 0.6}
    budget = cal.Budget(trials=18, replicates=1, scale=0.05, min_accept=4, accept_fraction=0.25)
    sc = scenario.load("baseline", ["time.end_year=2021"] + [f"behaviour.{k}={v}" for k, v in truth.items()])
    m = RelocationModel(sc, seed=0, scale=budget.scale)
    obs = RunObserver(m)
    m.run()
    synth = expected_tables(obs.fieldwork_frame)
    synth = synth[synth["target"].isin(["t14_decision", "t40_adjustment"])].copy()
    synth["breakdown"] = "region"
    synth["split"] = "calibration"
    synth["base"] = 2000.0                       # a large synthetic survey
    synth["count"] = synth["share"] * synth["base"]
    post = cal.calibrate(budget, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv", free=TWO,
                         progress=False, observed=synth)
    for k, v in truth.items():
        assert post[k].min() - 0.15 * (TWO[k][1] - TWO[k][0]) <= v <= post[k].max() + 0.15 * (TWO[k][1] - TWO[k][0]), (k, post[k].tolist())


def test_posterior_draws_are_deterministic_and_used_by_runs(tmp_path, monkeypatch):
    post = pd.DataFrame({"trial": [3, 9], "distance": [1.0, 2.0], "weight": [0.5, 0.5], "adapt_base": [0.5, 2.5]})
    seeds = range(200)
    draws = [ensemble.posterior_draw(post, s) for s in seeds]
    for d in draws:
        check_draw(post, d)
    assert [ensemble.posterior_draw(post, s) for s in reversed(seeds)] == draws[::-1]  # a function of the seed alone
    share_3 = np.mean([trial == 3 for trial, _ in draws])
    assert 0.35 < share_3 < 0.65  # equal weights: both sets drawn about equally
    unweighted = post.assign(weight=[1.0, 0.0])
    assert {ensemble.posterior_draw(unweighted, s)[0] for s in seeds} == {3}  # weight 0: never drawn
    path = tmp_path / "posterior.csv"
    post.to_csv(path, index=False)
    from sim.runner import parameters_for

    post_ensemble = ensemble.posterior(path)
    assert post_ensemble.info() == {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    sc = scenario.load("baseline")
    drawn, trial = parameters_for(sc, 7, post_ensemble)
    assert (trial, {"adapt_base": drawn.behaviour["adapt_base"]}) == draws[7]  # the run uses its seed's draw
    kept, _ = parameters_for(scenario.load("baseline", ["behaviour.adapt_base=-0.5"]), 7, post_ensemble)
    assert kept.behaviour["adapt_base"] == -0.5  # explicit settings win over the ensemble
    assert ensemble.posterior(tmp_path / "none.csv") is None
    plain, none = parameters_for(sc, 7, None)
    assert none is None and plain.behaviour["adapt_base"] == sc.behaviour["adapt_base"]


def test_survey_reachability_favours_recent_arrivals_within_regions():
    snap = tiny_snapshot()
    even = expected_tables(snap, 0.0)
    recent = expected_tables(snap, 1.0)
    # Pavlodar: arrivals 64 and 34 months before; reaching recent ones more shifts the shares toward 1-3 years
    assert cell(recent, "t03_residence_period", "pavlodar", "1_3_years") > cell(even, "t03_residence_period", "pavlodar", "1_3_years")
    # the regional sample sizes are kept: the ALL row still weights NK and Pavlodar 85:92
    assert cell(recent, "t40_adjustment", "all", "easy_no_issues") == pytest.approx(cell(even, "t40_adjustment", "all", "easy_no_issues"))


def test_fit_report_writes_fit_goals_and_plots(tmp_path):
    from calibration.report import write_report

    out = write_report(tmp_path / "cal", replicates=2, scale=0.02, seed=1)
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit.columns) == FIT_COLUMNS and set(fit["split"]) == {"calibration", "holdout"}
    goals = json.loads((out / "summary.json").read_text())
    assert goals["calibration"]["cells"] == int((fit["split"] == "calibration").sum())
    assert goals["calibration"]["met"] == (goals["calibration"]["share_within_95"] >= 0.9)
    ret = goals["relative_error"]["returns_pooled/north_kazakhstan+kostanay"]
    assert ret["observed"] == 770 and ret["met"] == (abs(ret["simulated_mean"] / 770 - 1) <= 0.1)
    assert len([k for k in goals["relative_error"] if k.startswith("t10_relocated_persons/")]) == 4
    report = (out / "report.md").read_text()
    assert "pooled returns" in report.lower() and "| goal | result | met |" in report
    assert {"observed_vs_simulated.png", "tables.png", "posterior.png", "groups.png", "cells.csv", "skill.csv",
            "return_profile.png"} <= {p.name for p in out.iterdir()}
    assert not list(tmp_path.glob(".*partial"))  # written atomically: no staging folder left
    g = goals["goals"]
    cells = pd.read_csv(out / "cells.csv")
    counted = cells[cells["counted"]]
    assert g["outcome_cells_calibration"] == int((counted["split"] == "calibration").sum())
    assert g["outcome_inside_holdout"]["inside"] == int(counted[counted["split"] == "holdout"]["inside"].sum())
    assert set(counted["kind"]) == {"outcome"} and (counted["base"] >= 10).all()
    assert {"skill_vs_null_calibration", "skill_vs_null_holdout", "explained_heterogeneity_calibration",
            "explained_heterogeneity_holdout", "share_beyond_1_96"} <= set(g)
    assert "## Skill against the null, by table" in report and "| split | table | cells |" in report


def test_fit_report_evaluates_a_given_posterior(tmp_path):
    """`posterior=` (`--posterior PATH`) evaluates that ensemble: one set only, so every replicate draws it."""
    from calibration.ensemble import load_posterior
    from calibration.report import write_report

    one = load_posterior().iloc[[0]].assign(weight=1.0)
    path = tmp_path / "one.csv"
    one.to_csv(path, index=False)
    out = write_report(tmp_path / "cal", replicates=2, scale=0.02, seed=1, posterior=path)
    s = json.loads((out / "summary.json").read_text())
    assert s["run"]["posterior"] == str(path) and s["run"]["drew_posterior"]
    with pytest.raises(FileNotFoundError, match="no such file"):
        write_report(tmp_path / "bad", replicates=1, scale=0.02, posterior=tmp_path / "missing.csv")
    assert not (tmp_path / "bad").exists()


STOPPABLE = """
import sys
from pathlib import Path
from calibration import calibrate as cal
from calibration import ensemble
cal.calibrate(cal.Budget(trials=500, replicates=1, scale=0.01), workers=2, work_dir=Path(sys.argv[1]),
              out=Path(sys.argv[1]) / "post.csv", free={"adapt_base": (-1.0, 3.0, False)}, progress=False)
"""


def test_stopping_calibrate_stops_its_workers(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-c", STOPPABLE, str(tmp_path)], cwd=root)
    journal = tmp_path / "study.journal"

    def finished() -> int:
        if not journal.exists():
            return 0
        import optuna

        try:
            return cal._completed(optuna.load_study(study_name="relocsim", storage=cal._storage(journal)))
        except KeyError:  # the study is not created yet
            return 0

    deadline = time.time() + 120
    while finished() < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
    assert finished() >= 2, "the workers never finished a trial"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) != 0
    stopped_at = finished()
    time.sleep(4)  # a worker left running would keep finishing trials (each takes well under a second)
    assert finished() == stopped_at
    assert not (tmp_path / "post.csv").exists()  # nothing written for an interrupted study


def test_quick_calibration_leaves_the_shipped_ensemble_alone(tmp_path, monkeypatch, capsys):
    from sim.cli import main

    written = []

    def fake(budget, *, out, **kw):
        written.append(Path(out))
        return pd.DataFrame({"distance": [1.0]})

    monkeypatch.setattr(cal, "calibrate", fake)
    assert main(["calibrate", "--method", "tpe", "--work-dir", str(tmp_path), "--quiet"]) == 0
    assert main(["calibrate", "--method", "tpe", "--budget", "full", "--work-dir", str(tmp_path), "--quiet"]) == 0
    assert written == [tmp_path / "posterior.csv", cal.POSTERIOR]
    assert "runs still use" in capsys.readouterr().out


def test_history_matching_is_the_default_and_runs_on_the_named_backend(tmp_path, monkeypatch, capsys):
    from calibration import matching
    from sim.cli import main

    seen = []

    def fake(budget, work, out, **kw):
        seen.append({"out": Path(out), "budget": budget, **kw})
        Path(out).with_suffix(".json").write_text(json.dumps({
            "method": "history", "accepted": 1, "reason": "r", "identified": ["adapt_base"],
            "median_set": {"distance": 1.0, "fresh_distance": 2.0}}))
        return pd.DataFrame({"distance": [1.0]})

    monkeypatch.setattr(matching, "calibrate_history", fake)
    assert main(["calibrate", "--work-dir", str(tmp_path), "--quiet", "--backend", "serial"]) == 0
    assert main(["calibrate", "--work-dir", str(tmp_path), "--quiet", "--workers", "2", "--replicates", "3"]) == 0
    assert [s["backend"] for s in seen] == ["serial", "processes"] and [s["workers"] for s in seen] == [1, 2]
    assert seen[0]["budget"] == cal.HISTORY_BUDGETS["quick"] and seen[1]["budget"].replicates == 3
    assert seen[0]["out"] == tmp_path / "posterior.csv"
    assert "2.0 on fresh seeds" in capsys.readouterr().out
    for bad in (["--budget", "refine"], ["--trials", "5"], ["--scheduler", "tcp://127.0.0.1:1"]):
        assert main(["calibrate", "--work-dir", str(tmp_path / "no"), "--quiet", *bad]) == 2
    assert not (tmp_path / "no").exists()


def test_refine_budget_starts_from_the_shipped_ensemble(tmp_path, monkeypatch):
    from sim.cli import main

    seen = {}

    def fake(budget, *, out, warm_start, **kw):
        seen.update(budget=budget, out=Path(out), warm_start=warm_start)
        return pd.DataFrame({"distance": [1.0]})

    monkeypatch.setattr(cal, "calibrate", fake)
    assert main(["calibrate", "--method", "tpe", "--budget", "refine", "--work-dir", str(tmp_path), "--quiet"]) == 0
    assert seen == {"budget": cal.BUDGETS["refine"], "out": cal.POSTERIOR, "warm_start": cal.POSTERIOR}
    assert seen["budget"].replicates > cal.BUDGETS["full"].replicates


@pytest.mark.parametrize("args", [["--replicates", "0"], ["--trials", "-1"], ["--warm-start", "no/such/posterior.csv"]])
def test_calibrate_refuses_bad_options_with_exit_code_2(tmp_path, capsys, args):
    from sim.cli import main

    try:
        code = main(["calibrate", "--work-dir", str(tmp_path / "w"), "--quiet", *args])
    except SystemExit as exc:  # argparse refuses a bad number (sim.inputs types), also with exit 2
        code = exc.code
    assert code == 2
    assert args[0] in capsys.readouterr().err
    assert not (tmp_path / "w").exists()  # nothing started, nothing written


def test_resuming_with_other_trial_settings_is_refused(tmp_path):
    from sim.scenario import ScenarioError

    cal.calibrate(TINY, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv", free=TWO, progress=False)
    journal = (tmp_path / "study.journal").read_bytes()
    with pytest.raises(ScenarioError, match="replicates"):
        cal.calibrate(cal.Budget(**{**TINY.__dict__, "replicates": 2}), workers=1, work_dir=tmp_path,
                      out=tmp_path / "post.csv", free=TWO, progress=False)
    with pytest.raises(ScenarioError, match="free"):
        cal.calibrate(TINY, workers=1, work_dir=tmp_path, out=tmp_path / "post.csv",
                      free={**TWO, "adapt_base": (-2.0, 3.0, False)}, progress=False)
    assert (tmp_path / "study.journal").read_bytes() == journal  # nothing run, nothing written


def test_2024_outcomes_count_able_bodied_persons_not_households():
    from calibration.fit import _outcomes_2024

    snap = {"arrival_month": np.array([120, 121, 122, 100]), "inactive": np.array([False, False, True, False]),
            "marital": np.array([1, 0, 1, 1], np.int8),
            "job": np.array([Job.MATCHED, Job.NONE, Job.NONE, Job.BUSINESS], np.int8)}
    out = _outcomes_2024(snap, start_2024=120, second_earner_share=0.4)
    # 2024 arrivals: an employed married head (2 persons), a jobless single head (1), a married head on
    # leave (only the spouse counts); the 2023 arrival is left out: 4 persons, 1 + 2 x 0.4 employed
    assert out[("y2024_outcomes", "employed_share")] == pytest.approx((1 + 0.8) / 4)
    assert out[("y2024_outcomes", "business_share")] == 0.0


def test_calibration_with_one_worker_is_reproducible(tmp_path):
    runs = [cal.calibrate(TINY, workers=1, work_dir=tmp_path / str(i), out=tmp_path / f"post{i}.csv", free=TWO,
                          progress=False) for i in (1, 2)]
    pd.testing.assert_frame_equal(runs[0], runs[1])


def test_fit_report_cli_rejects_a_missing_posterior(tmp_path, capsys):
    from sim import cli

    out = tmp_path / "fit"
    assert cli.main(["fit-report", "--posterior", str(tmp_path / "nope.csv"), "--out", str(out)]) == 2
    assert "nope.csv" in capsys.readouterr().err and not out.exists()


def test_the_standard_budget_is_the_first_waves_of_full():
    """`standard` is `full` stopped after three waves: the same designs and seeds, so a `full` study
    continues it and its evaluations can be reused."""
    from dataclasses import asdict

    from calibration.budgets import HISTORY_BUDGETS

    std, full = asdict(HISTORY_BUDGETS["standard"]), asdict(HISTORY_BUDGETS["full"])
    assert std.pop("per_wave") == full.pop("per_wave")[:3]
    std.pop("ensemble"), full.pop("ensemble")
    assert std == full
