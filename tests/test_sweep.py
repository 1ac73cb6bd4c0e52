"""Parameter sweeps: specs, designs, executors (serial, processes, a real Dask cluster), streaming and resume."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest

from sim import cli, scenario
from sim.runner import run_scenario
from sim.scenario import ScenarioError
from sim.sweep import execute, load_sweep_spec, read_runs, run_sweep

pytest.importorskip("pyarrow", reason="sweeps write Parquet: pip install -e \".[sweep]\"")

FAST = 'scale = 0.01\noverrides = ["time.end_year=2016"]\n'
GRID = f'''scenario = "baseline"
design = "grid"
replicates = 2
seed = 5
{FAST}
[keys]
"relocation_subsidy.mci_per_member.2014" = [35, 70]
"quotas.pavlodar.2016" = [400, 1200]
'''
KEYS = ["relocation_subsidy.mci_per_member.2014", "quotas.pavlodar.2016"]


def write_spec(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def by_run(df):
    return df.sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def serial_sweep(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serial")
    spec = write_spec(tmp, GRID)
    df = run_sweep(spec, backend="serial", out=tmp / "out")
    return spec, tmp / "out", df


def test_tidy_results_one_row_per_run(serial_sweep):
    spec, out, df = serial_sweep
    assert len(df) == 8 and df["run_id"].is_unique
    assert df.attrs["runs_executed"] == 8 and df.attrs["runs_remaining"] == 0
    raw = pd.read_parquet(out / "runs")
    assert len(pd.read_parquet(out)) == len(raw)  # the sweep folder itself reads as one table
    assert len(raw) == 8 and set(raw["run_id"]) == set(df["run_id"])
    for col in ["run_id", "point", "replicate", "seed", "scale", *KEYS, "relocated_persons", "return_share",
                "employed_share_12m", "cost_per_retained_person_24m_tenge", "subsidies_paid_tenge.rent",
                "relocated_persons_by_destination.pavlodar", "breakdowns.gender.women.relocated_persons"]:
        assert col in raw.columns, col
    assert raw["relocated_persons"].dtype == float and raw[KEYS[0]].dtype == np.int64
    assert set(map(tuple, df[KEYS].drop_duplicates().to_numpy().tolist())) == {(35, 400), (35, 1200), (70, 400), (70, 1200)}
    assert (df["scale"] == 0.01).all()
    # replicates: distinct seeds from SeedSequence(seed).spawn, the same at every point (common random numbers)
    expected = [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(5).spawn(2)]
    assert sorted(set(df["seed"])) == sorted(expected) and len(set(expected)) == 2
    assert (df.groupby(KEYS)["seed"].nunique() == 2).all()
    assert (df.groupby("seed")["replicate"].nunique() == 1).all()
    # a row holds what the model gives for that scenario and seed
    row = df.iloc[-1]
    sc = scenario.load("baseline", ["time.end_year=2016", "population.scale=0.01",
                                    f"{KEYS[0]}={row[KEYS[0]]}", f"{KEYS[1]}={row[KEYS[1]]}"])
    s = run_scenario(sc, seed=int(row["seed"])).summaries[0]
    assert row["relocated_persons"] == s["relocated_persons"]
    assert row["subsidies_paid_tenge.rent"] == s["subsidies_paid_tenge"]["rent"]
    meta = json.loads((out / "_sweep.json").read_text())
    assert meta["replicate_seeds"] == expected and meta["n_runs"] == 8 and len(meta["runs"]) == 8
    assert meta["versions"]["relocsim"] and meta["versions"]["pyarrow"]
    assert (out / "_spec.toml").read_text() == spec.read_text()


def test_same_outcomes_on_processes_and_dask(serial_sweep, tmp_path):
    spec, _, ref = serial_sweep
    procs = run_sweep(spec, backend="processes", workers=2, out=tmp_path / "procs")
    pd.testing.assert_frame_equal(by_run(procs), by_run(ref))
    pytest.importorskip("distributed", reason="the dask backend needs dask[distributed]: pip install -e \".[sweep]\"")
    dask = run_sweep(spec, backend="dask", workers=2, out=tmp_path / "dask")  # a real LocalCluster of 2 processes
    pd.testing.assert_frame_equal(by_run(dask), by_run(ref))


def test_resume_runs_only_what_is_missing(serial_sweep, tmp_path):
    spec, _, ref = serial_sweep
    out = tmp_path / "out"
    first = run_sweep(spec, out=out, max_runs=3)
    assert len(first) == 3 and first.attrs["runs_remaining"] == 5
    done = {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet")}
    assert len(done) == 3
    # a half-written temp file of an unfinished run: ignored by readers, overwritten by the resume
    todo = [r["run_id"] for r in json.loads((out / "_sweep.json").read_text())["runs"] if f"{r['run_id']}.parquet" not in done]
    (out / "runs" / f".{todo[0]}.parquet.tmp").write_bytes(b"PAR1 half written")
    assert len(pd.read_parquet(out / "runs")) == 3
    again = run_sweep(spec, out=out)
    assert again.attrs["runs_executed"] == 5 and again.attrs["runs_skipped"] == 3
    assert {p.name: p.stat().st_mtime_ns for p in (out / "runs").glob("*.parquet") if p.name in done} == done
    assert not list((out / "runs").glob(".*"))
    pd.testing.assert_frame_equal(by_run(again), by_run(ref))
    assert run_sweep(spec, out=out).attrs["runs_executed"] == 0


def test_interrupted_parallel_sweep_resumes(serial_sweep, tmp_path):
    spec, _, ref = serial_sweep
    plan = load_sweep_spec(spec)
    seen = []

    def stop_after_two(row):
        seen.append(row["run_id"])
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute(plan, tmp_path / "out", backend="processes", workers=2, on_result=stop_after_two)
    kept = {p.stem for p in (tmp_path / "out" / "runs").glob("*.parquet")}
    assert kept == set(seen)
    again = run_sweep(spec, out=tmp_path / "out")
    assert again.attrs["runs_executed"] == 6 and again.attrs["runs_skipped"] == 2
    pd.testing.assert_frame_equal(by_run(again), by_run(ref))


def test_bad_key_fails_before_anything_runs(tmp_path, capsys):
    spec = write_spec(tmp_path, GRID.replace('"quotas.pavlodar.2016"', '"rent_subsidy.monthz"').replace("[400, 1200]", "[12, 24]"))
    out = tmp_path / "out"
    with pytest.raises(ScenarioError) as err:
        run_sweep(spec, out=out)
    text = "\n".join(err.value.problems)
    assert str(spec) in text and "rent_subsidy.monthz" in text and "did you mean 'rent_subsidy.months'" in text
    assert "allowed:" in text
    assert not out.exists()
    assert cli.main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 2
    assert "rent_subsidy.monthz" in capsys.readouterr().err
    assert not out.exists()


def test_spec_problems_name_key_and_allowed_values(tmp_path):
    spec = write_spec(tmp_path, '''scenario = "baseline"
design = "grd"
replicate = 2
seed = -1
[keys]
"rent_subsidy.months" = [12, 99]
''')
    with pytest.raises(ScenarioError) as err:
        load_sweep_spec(spec)
    text = "\n".join(err.value.problems)
    assert "key 'design'" in text and "grid, lhs, sobol" in text
    assert "key 'replicate'" in text and "did you mean 'replicates'" in text
    assert "key 'seed'" in text
    spec = write_spec(tmp_path, 'scenario = "baseline"\ndesign = "grid"\n[keys]\n"rent_subsidy.months" = [12, 99]\n')
    with pytest.raises(ScenarioError) as err:
        load_sweep_spec(spec)
    assert "rent_subsidy.months" in str(err.value) and "0 to 60" in str(err.value)
    spec = write_spec(tmp_path, 'scenario = "baseline"\ndesign = "lhs"\n[keys]\n"rent_subsidy.months" = [12, 24]\n'
                                '"behaviour.decide_base" = { low = -9 }\n')
    with pytest.raises(ScenarioError) as err:
        load_sweep_spec(spec)
    text = "\n".join(err.value.problems)
    assert "key 'samples'" in text and "keys.rent_subsidy.months" in text and "keys.behaviour.decide_base.high" in text
    spec = write_spec(tmp_path, 'scenario = "baseline"\ndesign = "grid"\n[keys]\n"rent_subsidy.months" = { low = 6, high = 24 }\n')
    with pytest.raises(ScenarioError, match="levels"):
        load_sweep_spec(spec)


def test_lhs_and_sobol_designs(tmp_path, caplog):
    body = '''scenario = "baseline"
design = "{design}"
samples = {n}
seed = 3
[keys]
"rent_subsidy.months" = {{ low = 6, high = 24 }}
"behaviour.decide_w_subsidy" = {{ low = 0.5, high = 3.0 }}
'''
    spec = write_spec(tmp_path, body.format(design="lhs", n=8))
    plan = load_sweep_spec(spec)
    months = [p["rent_subsidy.months"] for p in plan.points]
    w = np.array([p["behaviour.decide_w_subsidy"] for p in plan.points])
    assert len(plan.points) == 8 and all(isinstance(m, int) and 6 <= m <= 24 for m in months)  # integer from the schema
    assert sorted(np.floor((w - 0.5) / 2.5 * 8).astype(int)) == list(range(8))  # one point per Latin-hypercube stratum
    again = load_sweep_spec(spec)
    assert again.points == plan.points and [r.run_id for r in again.runs] == [r.run_id for r in plan.runs]
    sob = load_sweep_spec(write_spec(tmp_path, body.format(design="sobol", n=16)))
    assert len(sob.points) == 16 and sob.points != plan.points
    with caplog.at_level(logging.WARNING, logger="relocsim"):
        load_sweep_spec(write_spec(tmp_path, body.format(design="sobol", n=12)))
    assert "power of 2" in caplog.text
    grid = load_sweep_spec(write_spec(tmp_path, 'scenario = "baseline"\ndesign = "grid"\n[keys.quotas.pavlodar]\n'
                                                '2017 = { low = 800, high = 3200, levels = 4, integer = true }\n'))
    assert [p["quotas.pavlodar.2017"] for p in grid.points] == [800, 1600, 2400, 3200]


def test_out_folder_of_another_sweep_is_refused(serial_sweep, tmp_path):
    _, out, _ = serial_sweep
    other = write_spec(tmp_path, GRID.replace("seed = 5", "seed = 6"))
    with pytest.raises(ScenarioError, match="different"):
        run_sweep(other, out=out)


def test_runs_directory_is_the_documented_read_path(serial_sweep):
    _, out, df = serial_sweep
    assert len(read_runs(out)) == len(df)
    assert len(pd.read_parquet(out / "runs", columns=["run_id", "relocated_persons"])) == len(df)


def test_behavioural_parameters_posterior_or_defaults(tmp_path, monkeypatch):
    """Runs draw behavioural parameters like `relocsim run --parameters`; swept keys always win."""
    from sim.ensemble import ParameterEnsemble

    post = pd.DataFrame({"trial": [11, 12], "distance": [0.1, 0.2], "weight": [1.0, 1.0],
                         "decide_w_subsidy": [0.0, 0.0], "decide_base": [-16.0, -16.0]})
    body = GRID.replace('replicates = 2', 'replicates = 1').replace(
        '"quotas.pavlodar.2016" = [400, 1200]', '"behaviour.decide_base" = [-8.9]')
    drawn = run_sweep(write_spec(tmp_path, body, "post.toml"), out=tmp_path / "post", ensemble=ParameterEnsemble(post))
    with_defaults = body.replace('scenario = "baseline"', 'scenario = "baseline"\nparameters = "defaults"')
    defaults = run_sweep(write_spec(tmp_path, with_defaults, "def.toml"), out=tmp_path / "def", ensemble=ParameterEnsemble(post))
    assert set(drawn["parameter_set"]) <= {11, 12} and defaults["parameter_set"].isna().all()
    assert set(drawn["run_id"]).isdisjoint(defaults["run_id"])
    # decide_base is swept (explicit) in both; decide_w_subsidy = 0 comes from the ensemble draw only
    assert (drawn["relocated_persons"].to_numpy() != defaults["relocated_persons"].to_numpy()).any()
    assert (drawn["relocated_persons"] > 0).all()   # decide_base = -16 from the draw would stop all relocation
    with pytest.raises(ScenarioError, match="posterior, defaults"):
        load_sweep_spec(write_spec(tmp_path, body.replace('scenario = "baseline"', 'scenario = "baseline"\nparameters = "prior"'), "bad.toml"))
