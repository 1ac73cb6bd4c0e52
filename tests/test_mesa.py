"""RelocationModel is a Mesa model: Mesa's batch_run and DataCollector give the numbers `relocsim run` gives."""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from calibration.ensemble import posterior
from sim.cli import main
from sim.model import RelocationModel
from sim.outcomes import monthly_table

SEED, SCALE = 3, 0.005


@pytest.fixture(scope="module")
def cli_monthly(tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("run")
    main(["run", "baseline", "--seed", str(SEED), "--scale", str(SCALE), "--out", str(out)])
    (folder,) = out.iterdir()
    return pd.read_csv(folder / "monthly.csv")


@pytest.fixture(scope="module")
def batch() -> pd.DataFrame:
    rows = mesa.batch_run(RelocationModel, parameters={"scenario": "baseline", "seed": SEED, "scale": SCALE,
                                                       "ensemble": [posterior()]},
                          iterations=2, max_steps=10_000, data_collection_period=1, display_progress=False)
    return pd.DataFrame(rows).drop(columns=["ensemble"])


def test_batch_run_reproduces_relocsim_run(batch, cli_monthly):
    series = [c for c in cli_monthly.columns if c not in ("replicate", "seed")]
    assert len(series) > 30
    for iteration, runs in batch.groupby("iteration"):
        assert runs["Step"].tolist() == list(range(len(cli_monthly)))  # one row per month
        for c in series:
            np.testing.assert_allclose(runs[c].to_numpy(float), cli_monthly[c].to_numpy(float), rtol=1e-12,
                                       err_msg=f"iteration {iteration}: {c}")
    assert cli_monthly["arrivals_persons"].sum() > 0  # something happened to compare


def test_the_collector_reads_the_record_and_keeps_no_copy():
    m = RelocationModel("baseline", seed=1, scale=0.002)
    assert isinstance(m, mesa.Model) and m._seed == 1 and m.running and m.steps == 0
    for _ in range(30):
        m.step()
        m.datacollector.collect(m)   # what a Mesa user's step would call: adds nothing
    table = monthly_table(m)
    collected = m.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(collected, table.reset_index(drop=True), check_dtype=False)
    assert len(collected) == m.steps == 30
    m.record.arrivals_persons[0] += 1  # the record is the single store: a change shows through at once
    assert m.datacollector.model_vars["arrivals_persons"][0] == pytest.approx(table["arrivals_persons"][0] + 1 / m.scale)


def test_the_model_stops_itself_after_the_scenario_months():
    m = RelocationModel("baseline", seed=0, scale=0.001)
    while m.running:
        m.step()
    assert m.steps == m.month == m.n_months


def test_mesa_seeding_follows_the_run_seed():
    a, b = RelocationModel("baseline", seed=5, scale=0.001), RelocationModel("baseline", seed=5, scale=0.001)
    assert a.random.random() == b.random.random() and a.rng.random() == b.rng.random()
    assert RelocationModel("baseline", seed=6, scale=0.001).rng.random() != RelocationModel("baseline", seed=5, scale=0.001).rng.random()
