"""Validation statistics (issue 10): binomial coverage, z-scores, skill against the null, explained
heterogeneity and their bands, on synthetic cells whose answers are known."""
import numpy as np
import pandas as pd
import pytest

from calibration.validation import (
    MIN_BASE, _deviance, _expected_sampling_deviance, cell_kinds, goals, score_cells, share_interval, skill,
)


def _cells(true: dict[str, float], n: int, rng, all_share: float):
    """One two-answer table by region: group shares `true`, an ALL row, counts drawn from the truth."""
    rows = []
    for g, p in true.items():
        k = rng.binomial(n, p)
        rows += [("tx", "region", g, "yes", "calibration", "outcome", k, n, k / n),
                 ("tx", "region", g, "no", "calibration", "outcome", n - k, n, 1 - k / n)]
    rows += [("tx", "region", "all", "yes", "calibration", "outcome", all_share * 4 * n, 4 * n, all_share),
             ("tx", "region", "all", "no", "calibration", "outcome", (1 - all_share) * 4 * n, 4 * n, 1 - all_share)]
    return pd.DataFrame(rows, columns=["target", "breakdown", "group", "cell", "split", "kind", "count", "base", "observed"])


TRUE = {"north_kazakhstan": 0.2, "east_kazakhstan": 0.5, "kostanay": 0.35, "pavlodar": 0.8}


def _replicates(cells, shares: dict[str, float], r=20, noise=0.0, seed=1):
    rng = np.random.default_rng(seed)
    base = np.array([shares.get(g, 0.46) if c == "yes" else 1 - shares.get(g, 0.46) for g, c in zip(cells["group"], cells["cell"])])
    return np.clip(base[:, None] + noise * rng.standard_normal((len(cells), r)), 0, 1)


def test_binomial_interval_and_z():
    cells = _cells(TRUE, 100, np.random.default_rng(0), 0.46)
    s = score_cells(cells, _replicates(cells, TRUE))
    row = s[(s["group"] == "pavlodar") & (s["cell"] == "yes")].iloc[0]
    assert row["binomial_low"] == pytest.approx(0.72, abs=0.011) and row["binomial_high"] == pytest.approx(0.87, abs=0.011)
    assert s["simulation_share"].max() == pytest.approx(0.0)  # identical replicates: no simulation noise
    # a cell far off is outside with a large z
    far = score_cells(cells, _replicates(cells, {**TRUE, "pavlodar": 0.4}))
    row = far[(far["group"] == "pavlodar") & (far["cell"] == "yes")].iloc[0]
    assert not row["inside"] and row["z"] > 5


def test_small_bases_and_inputs_are_not_counted():
    cells = _cells(TRUE, 100, np.random.default_rng(0), 0.46)
    cells.loc[0:1, "base"] = MIN_BASE - 1
    cells.loc[2:3, "kind"] = "input"
    s = score_cells(cells, _replicates(cells, TRUE))
    assert not s.loc[0:3, "counted"].any() and s.loc[4:, "counted"].all()


def test_expected_sampling_deviance_is_about_one_per_cell():
    e = _expected_sampling_deviance(np.array([200.0, 200.0]), np.array([0.3, 0.5]))
    assert e == pytest.approx([1.0, 1.0], abs=0.05)


def test_skill_true_model_beats_null_and_null_scores_zero():
    cells = _cells(TRUE, 300, np.random.default_rng(2), 0.46)
    s = score_cells(cells, _replicates(cells, TRUE))
    sk = skill(s, _replicates(cells, TRUE), bootstrap=300).set_index(["split", "table"]).loc[("calibration", "ALL")]
    assert sk["skill"] > 0.9 and sk["skill_low"] > 0.5
    assert sk["explained_heterogeneity"] == pytest.approx(1.0, abs=0.1)
    null = {g: 0.46 for g in TRUE}
    s0 = score_cells(cells, _replicates(cells, null))
    sk0 = skill(s0, _replicates(cells, null), bootstrap=300).set_index(["split", "table"]).loc[("calibration", "ALL")]
    assert sk0["skill"] == pytest.approx(0.0, abs=1e-9)
    # a model that gets the groups backwards is worse than the null
    wrong = {g: 1 - p for g, p in TRUE.items()}
    sw = skill(score_cells(cells, _replicates(cells, wrong)), _replicates(cells, wrong), bootstrap=300)
    assert sw.iloc[0]["skill"] < 0 and sw.iloc[0]["skill_high"] < 0


def test_goals_block_has_the_issue_keys():
    cells = _cells(TRUE, 300, np.random.default_rng(2), 0.46)
    s = score_cells(cells, _replicates(cells, TRUE))
    g = goals(s, skill(s, _replicates(cells, TRUE), bootstrap=100), {})
    for key in ("outcome_cells_calibration", "outcome_inside_calibration", "outcome_cells_holdout", "outcome_inside_holdout",
                "skill_vs_null_calibration", "skill_vs_null_holdout", "explained_heterogeneity_calibration",
                "explained_heterogeneity_holdout", "share_beyond_1_96"):
        assert key in g
    lo, hi = g["outcome_inside_calibration"]["interval_95"]
    assert lo <= g["outcome_inside_calibration"]["share"] <= hi


def test_wilson_interval():
    lo, hi = share_interval(90, 100)
    assert lo == pytest.approx(0.826, abs=0.002) and hi == pytest.approx(0.945, abs=0.002)


def test_deviance_is_zero_at_the_observed_share():
    assert _deviance(np.array([30.0]), np.array([100.0]), np.array([0.3]))[0] == pytest.approx(0.0)


def test_derived_cells_take_the_kind_of_their_parts():
    k = cell_kinds()
    assert k[("t29_housing_search_period", "all", "within_month")] == "outcome"
    assert k[("t29_housing_search_period", "all", "prepared_by_authorities")] == "input"
    assert k[("t30_employment_sector", "men", "public")] == "input"
    assert k[("t12_origin", "all", "turkestan")] == "input" and k[("t12_origin", "pavlodar", "turkestan")] == "outcome"


def test_information_sources_are_scored_on_the_awareness_channels():
    """Tables 15-16: the printed sources pooled into the model's channels, Serpin's obligation left out
    of the base (another programme), Table 16's ALL row a duplicate of Table 15's."""
    from calibration.fit import observed_cells

    obs = observed_cells().set_index(["target", "group", "cell"])
    t15 = obs.loc["t15_information_sources"]
    assert set(t15.index.get_level_values("cell")) == {"media_internet", "relatives_friends", "employment_centre",
                                                       "friends_already_relocated"}
    assert t15.loc[("all", "media_internet"), "count"] == 16 + 23 + 9 and t15.loc[("all", "media_internet"), "base"] == 130 - 4
    assert t15.loc[("east_kazakhstan", "employment_centre"), "base"] == 6 < MIN_BASE  # reported, not counted
    assert (t15["kind"] == "outcome").all()
    t16 = obs.loc["t16_information_sources_gender"]
    assert (t16.loc["all", "kind"] == "duplicate").all() and (t16.drop(index="all", level="group")["kind"] == "outcome").all()
    assert not obs.index.get_level_values("target").isin(["t24_assessment_forms", "t44_local_identity"]).any()


def test_a_respondent_names_the_channel_that_made_the_household_aware():
    from calibration.survey import INFO_SOURCE_CELLS, expected_tables, survey_frame
    from calibration.observe import RunObserver
    from sim import scenario
    from sim.model import RelocationModel
    from sim.states import Channel

    m = RelocationModel(scenario.load("baseline", ["time.end_year=2021"]), seed=3, scale=0.02)
    obs = RunObserver(m)
    m.run()
    snap = obs.fieldwork_frame
    frame = survey_frame(snap)
    channel = pd.Series(snap["aware_channel"], index=snap["household"]).loc[frame["household"]].to_numpy()
    assert (channel != Channel.UNKNOWN).all()  # every arrival heard of the programme somehow
    assert (frame["info_source"].to_numpy() == np.array([INFO_SOURCE_CELLS[Channel(c)] for c in channel])).all()
    t = expected_tables(snap)
    shares = t[t["target"] == "t15_information_sources"].groupby("group")["share"].sum()
    assert np.allclose(shares, 1.0)
