"""Sensitivity analysis with SALib through the sweep machinery: tiny Morris and Sobol designs."""

from __future__ import annotations

import pandas as pd
import pytest

from sim import cli
from sim.scenario import ScenarioError
from sim.schema import BEHAVIOUR
from sim.sensitivity import INDEX_COLUMNS, load_sensitivity_spec, run_sensitivity

pytest.importorskip("pyarrow", reason="sweeps write Parquet: pip install -e \".[sweep]\"")
pytest.importorskip("SALib", reason="sensitivity analysis needs SALib: pip install -e \".[sensitivity]\"")

SPEC = '''scenario = "baseline"
method = "morris"
trajectories = 2
levels = 4
samples = 4
seed = 7
scale = 0.01
overrides = ["time.end_year=2017"]
outputs = ["relocated_persons", "returned_persons", "return_share"]
[keys]
"rent_subsidy.months" = { low = 6, high = 24 }
"behaviour.decide_w_subsidy" = { low = 0.5, high = 3.0 }
'''
KEYS = {"rent_subsidy.months", "behaviour.decide_w_subsidy"}


def write_spec(tmp_path, text, name="sens.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_morris_writes_tidy_indices_and_plot(tmp_path):
    spec, out = write_spec(tmp_path, SPEC), tmp_path / "out"
    df = run_sensitivity(spec, out=out)
    assert df.attrs["runs_total"] <= 2 * (2 + 1) and df.attrs["runs_remaining"] == 0
    csv = pd.read_csv(out / "indices.csv")
    assert list(csv.columns) == list(INDEX_COLUMNS)
    assert set(csv["output"]) == {"relocated_persons", "returned_persons", "return_share"}
    assert set(csv["parameter"]) == KEYS
    assert set(csv["index"]) == {"mu", "mu_star", "sigma"}
    assert len(csv) == 3 * 2 * 3
    star = csv[csv["index"] == "mu_star"]
    assert (star["value"] >= 0).all() and star["confidence"].notna().all()
    assert (out / "indices.png").stat().st_size > 1000
    assert len(pd.read_parquet(out / "runs")) == df.attrs["runs_total"]
    # rerun: every run is found on disk, nothing runs again, the same indices
    again = run_sensitivity(spec, out=out)
    assert again.attrs["runs_executed"] == 0
    pd.testing.assert_frame_equal(again.reset_index(drop=True), df.reset_index(drop=True))
    # outputs do not change the runs: a new output list reuses them; an unknown output names the allowed ones
    bad = write_spec(tmp_path, SPEC.replace('"return_share"]', '"return_shar"]'), "bad.toml")
    with pytest.raises(ScenarioError) as err:
        run_sensitivity(bad, out=out)
    assert "return_shar" in str(err.value) and "allowed:" in str(err.value) and "return_share" in str(err.value)


def test_sobol_on_processes(tmp_path):
    spec = write_spec(tmp_path, SPEC)
    df = run_sensitivity(spec, method="sobol", backend="processes", workers=2, out=tmp_path / "out")
    assert df.attrs["runs_total"] <= 4 * (2 + 2)
    csv = pd.read_csv(tmp_path / "out" / "indices.csv")
    assert list(csv.columns) == list(INDEX_COLUMNS)
    assert set(csv["index"]) == {"S1", "ST"} and set(csv["parameter"]) == KEYS


def test_behaviour_ranges_default_to_schema_bounds(tmp_path):
    spec = write_spec(tmp_path, SPEC.replace("{ low = 0.5, high = 3.0 }", "{}"))
    plan = load_sensitivity_spec(spec)
    p = {q.key: q for q in plan.params}
    b = BEHAVIOUR.fields["decide_w_subsidy"]
    assert (p["behaviour.decide_w_subsidy"].low, p["behaviour.decide_w_subsidy"].high) == (b.lo, b.hi)
    assert p["rent_subsidy.months"].integer and all(isinstance(pt["rent_subsidy.months"], int) for pt in plan.points)
    assert len(plan.points) == 2 * 3


def test_bad_sensitivity_spec_exits_2(tmp_path, capsys):
    spec = write_spec(tmp_path, SPEC.replace('method = "morris"\ntrajectories = 2', 'trajectories = 1')
                      .replace('"behaviour.decide_w_subsidy"', '"behaviour.decide_w_subsidi"'))
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as err:
        load_sensitivity_spec(spec)
    text = "\n".join(err.value.problems)
    assert "key 'method'" in text and "sobol, morris" in text
    assert cli.main(["sensitivity", str(spec), "--method", "morris", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "key 'trajectories'" in err and "behaviour.decide_w_subsidi" in err and "did you mean" in err
    assert not out.exists()
