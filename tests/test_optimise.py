"""Policy search (`relocsim optimise`, issue 20): the front of an analytic objective is recovered, every
reported point keeps the caps, resume loses and repeats nothing, backends agree, front points are
scenario files that reproduce their values, and a bad spec is refused with exit 2 writing nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.optimise import load_spec, run_search, write_outputs
from sim.optimise.synthetic import synthetic_evaluator
from sim.scenario import ScenarioError

CAP = 0.15e9   # synthetic: max annual cost = 1e9 (x^2 + y) / 4 <= CAP  <=>  x^2 + y <= 0.6


def synthetic_spec(**over) -> dict:
    spec = {"name": "synthetic", "base": "baseline", "start_year": 2026, "end_year": 2030, "replicates": 3, "seed": 3,
            "trials": 48, "batch": 8, "scale": 0.02, "parameters": "defaults",
            "levers": {"x": {"key": "employer_subsidy.take_up"}, "y": {"key": "housing.purchase_help_share"}},
            "objectives": {"retained_24m_persons": "maximise", "programme_cost_tenge": "minimise"},
            "constraints": {"budget_per_year_tenge": CAP}}
    spec.update(over)
    return spec


def search(out, backend="serial", max_trials=None, **over):
    return run_search(load_spec(synthetic_spec(**over)), out, backend=backend, workers=2, max_trials=max_trials,
                      evaluator=synthetic_evaluator)


def test_the_known_front_is_recovered_within_the_cap(tmp_path):
    s = search(tmp_path / "a")
    front = pd.read_csv(write_outputs(s)["front"])
    assert len(front) >= 4
    assert (front["y"] < 0.1).all(), front[["x", "y"]]          # y only adds cost: the front lies at y = 0
    assert front["x"].max() - front["x"].min() > 0.4             # and spreads along x
    assert (front["max_annual_cost_tenge_high"] <= CAP).all()    # every reported point keeps the cap
    assert (front["x"] ** 2 + front["y"] <= 0.6 + 1e-9).all()
    trials = pd.read_parquet(tmp_path / "a" / "trials.parquet")
    assert len(trials) == 48 and (~trials["feasible"]).any()     # the cap was met and refused some
    # differences from the base are paired: the synthetic noise is common to all, so the band is a point
    assert np.allclose(front["retained_24m_persons_diff_low"], front["retained_24m_persons_diff_high"])
    assert np.allclose(front["retained_24m_persons_diff"], 1000 * front["x"])
    for name in ("front.png", "report.md", "scenarios/base.toml", "scenarios/front_01.toml"):
        assert (tmp_path / "a" / name).exists(), name


def test_resume_loses_and_repeats_nothing(tmp_path):
    whole = search(tmp_path / "whole")
    part = search(tmp_path / "part", max_trials=11)               # stops inside the second batch
    assert not part.complete and part.executed < whole.executed
    files = sorted(p.name for p in (tmp_path / "part" / "runs").glob("*.json"))
    rest = search(tmp_path / "part")
    assert rest.complete
    assert part.executed + rest.executed == whole.executed        # nothing run twice, nothing lost
    assert set(files) <= {p.name for p in (tmp_path / "part" / "runs").glob("*.json")}
    a = pd.read_csv(write_outputs(whole)["front"]).drop(columns="scenario_file")
    b = pd.read_csv(write_outputs(rest)["front"]).drop(columns="scenario_file")
    pd.testing.assert_frame_equal(a, b)
    again = search(tmp_path / "part")
    assert again.executed == 0


def test_a_search_stopped_in_its_first_batch_writes_no_front_and_continues(tmp_path):
    first = search(tmp_path / "a", max_trials=2, trials=8)
    assert not first.trials and write_outputs(first) == {}
    rest = search(tmp_path / "a", trials=8)
    assert rest.complete and len(rest.trials) == 8
    assert first.executed + rest.executed == search(tmp_path / "b", trials=8).executed


def test_serial_and_processes_give_the_same_front(tmp_path):
    a = write_outputs(search(tmp_path / "s", trials=16))["front"].read_text()
    b = write_outputs(search(tmp_path / "p", backend="processes", trials=16))["front"].read_text()
    assert a.replace(str(tmp_path / "s"), "") == b.replace(str(tmp_path / "p"), "")


@pytest.mark.slow
def test_dask_gives_the_same_front(tmp_path):
    pytest.importorskip("distributed")
    a = write_outputs(search(tmp_path / "s", trials=16))["front"].read_text()
    b = write_outputs(search(tmp_path / "d", backend="dask", trials=16))["front"].read_text()
    assert a == b


def test_a_different_spec_in_the_same_folder_is_refused(tmp_path):
    search(tmp_path / "a", trials=8)
    with pytest.raises(ScenarioError, match="different policy search"):
        search(tmp_path / "a", trials=8, seed=4)


BAD = [
    ("levers.x.key", {"levers": {"x": {"key": "rent_subsidy.month"}}}, "allowed"),
    ("levers.x.high", {"levers": {"x": {"key": "employer_subsidy.take_up", "high": 2.0}}}, "allowed: 0 to 1"),
    ("levers.m.choices", {"levers": {"m": {"key": "rent_subsidy.months", "choices": [12, 99]}}}, "allowed: numbers from 0 to 60"),
    ("levers.r.choices", {"levers": {"r": {"key": "repayment.rule", "choices": ["none", "half"]}}}, "allowed: none, relocation, all"),
    ("objectives.retained", {"objectives": {"retained": "maximise"}}, "allowed: retained_24m_persons"),
    ("objectives.return_share_24m", {"objectives": {"return_share_24m": "lower"}}, "allowed: maximise, minimise"),
    ("constraints.budget", {"constraints": {"budget": 1e9}}, "allowed: budget_per_year_tenge"),
    ("base", {"base": "no_such_scenario"}, "allowed:"),
    ("end_year", {"end_year": 2027}, "allowed: 2028 or later"),
    ("trails", {"trails": 5}, "did you mean 'trials'"),
]


def _toml(spec: dict) -> str:
    def value(v):
        return json.dumps(v) if isinstance(v, (str, list)) else repr(v)
    lines = [f"{k} = {value(v)}" for k, v in spec.items() if not isinstance(v, dict)]
    for k, v in spec.items():
        if isinstance(v, dict):
            lines += [f"[{k}]"] + [f"{kk} = {value(vv)}" for kk, vv in v.items() if not isinstance(vv, dict)]
            for kk, vv in v.items():
                if isinstance(vv, dict):
                    lines += [f"[{k}.{kk}]"] + [f"{a} = {value(b)}" for a, b in vv.items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("key, change, allowed", BAD, ids=[b[0] for b in BAD])
def test_a_bad_spec_is_refused_naming_file_key_and_allowed_values(tmp_path, capsys, key, change, allowed):
    path = tmp_path / "bad.toml"
    path.write_text(_toml(synthetic_spec(**change)))
    out = tmp_path / "out"
    assert cli.main(["optimise", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: key '{key}'" in err and allowed in err and "Traceback" not in err, err
    assert not out.exists()


TINY = {"name": "tiny", "base": "baseline", "start_year": 2025, "end_year": 2027, "replicates": 2, "seed": 5,
        "scale": 0.02, "trials": 4, "batch": 2,
        "levers": {"subsidy": {"key": "relocation_subsidy.mci_per_member", "low": 35, "high": 140, "integer": True},
                   "months": {"key": "rent_subsidy.months", "choices": [12, 24]}},
        "objectives": {"retained_24m_persons": "maximise", "programme_cost_tenge": "minimise",
                       "return_share_24m": "minimise"},
        "constraints": {"budget_per_year_tenge": 60e9}}


@pytest.mark.slow
def test_front_points_are_scenarios_that_reproduce_their_values(tmp_path):
    from calibration.ensemble import posterior
    from sim.optimise.metrics import policy_metrics
    from sim.runner import run_scenario

    ens = posterior()
    spec = load_spec(TINY)
    out = tmp_path / "tiny"
    s = run_search(spec, out, ensemble=ens)
    front = pd.read_csv(write_outputs(s)["front"])
    assert len(front)
    r = front.iloc[0]
    path = out / r["scenario_file"]
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # what `relocsim run FILE --seed 5 --replicates 2` runs: the same seeds and draws as the search
    res = run_scenario(path, seed=spec.seed, replicates=spec.replicates, ensemble=ens, keep_models=True)
    got = [policy_metrics(m, df, spec.start_year) for m, df in zip(res.models, res.monthly)]
    for metric, _d in spec.objectives:
        assert np.mean([g[metric] for g in got]) == pytest.approx(r[metric], rel=1e-9), metric
    base = run_scenario(out / "scenarios" / "base.toml", seed=spec.seed, replicates=spec.replicates, ensemble=ens,
                        keep_models=True)
    got_base = [policy_metrics(m, df, spec.start_year) for m, df in zip(base.models, base.monthly)]
    diff = np.mean([g["retained_24m_persons"] - b["retained_24m_persons"] for g, b in zip(got, got_base)])
    assert diff == pytest.approx(r["retained_24m_persons_diff"], rel=1e-9, abs=1e-6)
    # `relocsim compare` takes the files unchanged
    assert cli.main(["compare", str(out / "scenarios" / "base.toml"), str(path), "--replicates", "1", "--seed", "5",
                     "--out", str(tmp_path / "cmp"), "--quiet"]) == 0
    assert "## What to try first" in (out / "report.md").read_text()
    assert Path(out / "front.png").stat().st_size > 1000


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "scenarios" / "optimise").glob("*.toml")),
                         ids=lambda p: p.stem)
def test_shipped_specs_are_valid(path):
    spec = load_spec(path)
    assert spec.levers and spec.objectives


def test_services_are_priced_per_household_served():
    """Orientation for every arrival and no other service: the programme pays orientation's unit cost
    (MCI of the arrival year) once per arriving household, and nothing with every coverage at 0."""
    from conftest import run_baseline

    none = [f"services.{s}_coverage={{2014=0.0}}" for s in ("orientation", "needs_assessment", "adaptation_services",
                                                            "courses", "skills_assessment", "women_package")]
    m, s = run_baseline(none + ["time.end_year=2016"], scale=0.01)
    assert s["services_cost_tenge"] == 0 and not m.services_cost.any() and m.arrival_month.max() >= 0
    m, s = run_baseline(none[1:] + ["services.orientation_coverage={2014=1.0}", "services.orientation_by_region=\"no\"",
                                    "services.orientation_cost_mci=3.0", "time.end_year=2016"], scale=0.01)
    arrived = m.arrival_month >= 0
    expected = 3.0 * m.prog.mci[m.arrival_month[arrived] // 12]
    np.testing.assert_allclose(m.services_cost[arrived], expected)
    assert not m.services_cost[~arrived].any()
    assert s["services_cost_tenge"] == pytest.approx(expected.sum() / m.scale)
    monthly = m.record.services_cost[:m.month].sum()
    assert monthly == pytest.approx(expected.sum())
