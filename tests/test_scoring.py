"""Scoring a researcher accepts (issue 19): skill against the model's own flat level and re-levelled
skill with bands, the shared ALL row of Tables 35-36 counted once, official figures judged by relative
error apart from survey cells."""
import numpy as np
import pandas as pd
import pytest

from calibration.fit import observed_cells
from calibration.validation import GOALS, goals, relevel, score_cells, skill

TRUE = {"north_kazakhstan": 0.2, "east_kazakhstan": 0.5, "kostanay": 0.35, "pavlodar": 0.8}
ALL = 0.46


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


def _table(n=400, seed=3):
    """A two-answer table by region with the truth's counts and its ALL row."""
    rng = np.random.default_rng(seed)
    rows = []
    for g, p in TRUE.items():
        k = rng.binomial(n, p)
        rows += [("tx", "region", g, "yes", "calibration", "outcome", k, n, k / n),
                 ("tx", "region", g, "no", "calibration", "outcome", n - k, n, 1 - k / n)]
    rows += [("tx", "region", "all", "yes", "calibration", "outcome", ALL * 4 * n, 4 * n, ALL),
             ("tx", "region", "all", "no", "calibration", "outcome", (1 - ALL) * 4 * n, 4 * n, 1 - ALL)]
    return pd.DataFrame(rows, columns=["target", "breakdown", "group", "cell", "split", "kind", "count", "base", "observed"])


def _model(cells, yes: dict[str, float], all_yes: float, r=16):
    share = np.array([(yes[g] if g != "all" else all_yes) for g in cells["group"]])
    share = np.where(cells["cell"] == "yes", share, 1 - share)
    return np.repeat(share[:, None], r, axis=1)


def _skill(cells, p):
    return skill(score_cells(cells, p), p, bootstrap=200).set_index(["split", "table"]).loc[("calibration", "ALL")]


def test_right_differences_on_a_wrong_level_lose_to_the_null_but_win_relevelled():
    cells = _table()
    shift = 1.2  # every group and the ALL row moved by the same logit: the differences are right, the level is not
    p = _model(cells, {g: _expit(_logit(v) + shift) for g, v in TRUE.items()}, _expit(_logit(ALL) + shift))
    sk = _skill(cells, p)
    assert sk["skill"] < 0                                   # the level error loses against the observed ALL
    assert sk["relevelled_skill"] > 0.8 and sk["relevelled_skill_low"] > 0.5
    assert sk["skill_vs_own_level"] > 0.3  # (its band over four groups is wide)


def test_a_model_without_group_differences_has_no_skill_against_its_own_level():
    cells = _table()
    p = _model(cells, {g: 0.3 for g in TRUE}, 0.3)
    sk = _skill(cells, p)
    assert sk["skill_vs_own_level"] == pytest.approx(0.0, abs=1e-12)
    assert sk["relevelled_skill"] == pytest.approx(0.0, abs=1e-9)  # re-levelled onto ALL, it is the null


def test_relevel_moves_on_the_logit_scale_and_keeps_shares_without_a_level():
    got = relevel(np.array([0.2, 0.5, 0.7]), np.array([0.4, 0.4, np.nan]), np.array([0.4, 0.6, 0.5]))
    assert got[0] == pytest.approx(0.2) and got[2] == pytest.approx(0.7)
    assert _logit(got[1]) == pytest.approx(_logit(0.5) - _logit(0.4) + _logit(0.6))


def test_the_shared_all_row_of_tables_35_and_36_counts_once():
    obs = observed_cells()
    aid = obs[obs["target"].isin(["t35_aid_purpose", "t36_aid_purpose_gender"]) & (obs["group"] == "all")]
    assert len(aid) == 6  # both tables print it
    counted = aid[aid["kind"] == "outcome"]
    assert sorted(counted["target"].unique()) == ["t35_aid_purpose"]
    assert sorted(counted["cell"]) == ["moving_subsidies", "none_received", "rental_accommodation"]
    # scored, the duplicate row is reported but not counted; Table 36's gender cells still count
    p = np.full((len(obs), 4), 0.5)
    s = score_cells(obs.assign(source="survey"), p)
    t36 = s[s["target"] == "t36_aid_purpose_gender"]
    assert not t36[t36["group"] == "all"]["counted"].any() and t36[t36["group"] != "all"]["counted"].any()


def test_official_figures_are_judged_by_relative_error_apart_from_survey_cells():
    cells = _table().assign(source="survey")
    off = pd.DataFrame([("tk", "all", "kostanay", "turkestan", "holdout", "outcome", 200.0, 667.0, 0.30),
                        ("tk", "all", "kostanay", "zhambyl", "holdout", "outcome", 120.0, 667.0, 0.18)],
                       columns=cells.columns[:-1]).assign(source="official")
    both = pd.concat([cells, off], ignore_index=True)
    p = np.vstack([_model(cells, TRUE, ALL), np.full((1, 16), 0.32), np.full((1, 16), 0.12)])
    s = score_cells(both, p)
    o = s[s["source"] == "official"]
    assert not o["counted"].any() and s[s["source"] == "survey"]["counted"].all()
    assert o["relative_error"].to_numpy() == pytest.approx([0.32 / 0.30 - 1, 0.12 / 0.18 - 1])
    assert o["within_tolerance"].tolist() == [True, False]  # +6.7% and -33% against 10%
    g = goals(s, skill(s, p, bootstrap=50), {})
    assert g["official_within_tolerance_holdout"] == {"inside": 1, "cells": 2, "tolerance": GOALS["official_relative"]}
    assert g["outcome_cells_holdout"] == 0  # official figures are not survey cells
