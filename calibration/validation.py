"""Validation a sceptical reader accepts (issue 10): outcome cells against the survey's own sampling
noise, and group cells against a model without heterogeneity.

- **Coverage.** A cell is inside when its observed share lies in the binomial 95% interval of its base
  around the simulated mean (the survey's sampling noise alone; the marginal of a multinomial is
  binomial, so single-answer tables are judged the same way). The simulation's own noise (the standard
  error of the mean over replicates) is reported as its share of the total standard error.
- **z-score** per cell: (observed − simulated) / sqrt(p(1 − p)/n + se_sim²).
- **Skill** on group cells (by region, gender, marital status, settlement type, origin):
  skill = 1 − D_model / D_null, where D is the binomial deviance and the null predicts every group
  with its table's observed ALL-row share; **explained heterogeneity** =
  (D_null − D_model) / (D_null − E[D_sampling]), E[D_sampling] being the deviance a perfect model
  would still show (computed exactly from the binomial distribution around the simulated shares).
- **Skill against the model's own level**: 1 − D_model / D_flat, where the flat model gives every group
  the model's own simulated ALL-row share: what the model's group differences add to its level.
  **Re-levelled skill**: 1 − D_relevelled / D_null, the model's group differences shifted on the logit
  scale onto the observed ALL level: what they would be worth with the level right (issue 19).
- **Bands**: percentile bootstrap over replicates and, within each table, over groups (`skill`).
- **Official figures** (Table 10-11 shares, the 2024 shares: `calibration.official_shares`) are not
  samples: they are scored apart from survey cells, by the relative error of the realized mean against
  `GOALS["official_relative"]` (10%, the calibration issue's goal for official counts, stated before any
  result), and count toward neither coverage nor skill (issue 19).

Only `outcome` cells with a base of at least `MIN_BASE` count toward the goals; `input` cells (the model
draws them) are reported apart as a consistency check.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats


MIN_BASE = 10
Z95 = 1.959964
BOOTSTRAP = 1000
GROUP_BREAKDOWNS = {"region", "gender", "marital_status", "settlement_type", "origin"}
# Tables printed without an ALL row of their own: the null borrows the ALL row of the same question.
NULL_REFERENCE = {"t41_adjustment_settlement": "t40_adjustment", "t42_adjustment_marital": "t40_adjustment"}
GOALS = {"calibration": 0.90, "holdout": 0.80, "explained_heterogeneity_calibration": 0.5, "official_relative": 0.10}
SOURCES = ("survey", "official")  # where a cell's observation comes from: the IOM survey (and its text), or official counts


def cell_kinds() -> dict[tuple[str, str, str], str]:
    """(target, group, cell) -> kind of every scored survey cell (`calibration.fit.observed_cells`:
    from targets.csv; a derived cell is an input if any of its parts is one)."""
    from calibration.fit import observed_cells

    obs = observed_cells()
    return dict(zip(zip(obs["target"], obs["group"], obs["cell"]), obs["kind"]))


def score_cells(obs: pd.DataFrame, p: np.ndarray) -> pd.DataFrame:
    """Per cell: simulated mean and its standard error, the binomial 95% interval of the base around
    it, inside, z, the simulation share of the standard error, and whether the cell counts.

    `obs` has target, breakdown, group, cell, split, kind, count, base, observed; `p` is cells x replicates.
    """
    out = obs.reset_index(drop=True).copy()
    valid = ~np.isnan(p)
    r = valid.sum(axis=1)
    mean = np.where(r > 0, np.nansum(p, axis=1) / np.maximum(r, 1), np.nan)
    sd = np.array([np.nanstd(row, ddof=1) if k > 1 else np.nan for row, k in zip(p, r)])
    se = sd / np.sqrt(np.maximum(r, 1))
    n = out["base"].to_numpy(float)
    n_int = np.maximum(np.round(np.nan_to_num(n, nan=1.0)), 1).astype(int)
    pm = np.clip(np.nan_to_num(mean, nan=0.0), 0, 1)
    lo = stats.binom.ppf(0.025, n_int, pm) / n_int
    hi = stats.binom.ppf(0.975, n_int, pm) / n_int
    pc = np.clip(pm, 0.5 / n_int, 1 - 0.5 / n_int)
    binom_var = pc * (1 - pc) / n_int
    sim_var = np.nan_to_num(se, nan=0.0) ** 2
    out["replicates"] = r
    out["simulated_mean"] = mean
    out["simulated_se"] = se
    out["binomial_low"], out["binomial_high"] = lo, hi
    out["inside"] = (out["observed"] >= lo - 1e-9) & (out["observed"] <= hi + 1e-9) & ~np.isnan(mean) & ~np.isnan(n)
    out["z"] = (out["observed"] - pm) / np.sqrt(binom_var + sim_var)
    out["simulation_share"] = np.sqrt(sim_var / (binom_var + sim_var))
    source = out["source"] if "source" in out else pd.Series("survey", index=out.index)
    out["source"] = source
    out["counted"] = (out["kind"] == "outcome") & (n >= MIN_BASE) & ~np.isnan(mean) & (source == "survey")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["relative_error"] = np.where(source == "official", (mean - out["observed"]) / out["observed"], np.nan)
    out["within_tolerance"] = (source == "official") & (np.abs(out["relative_error"]) <= GOALS["official_relative"])
    out.loc[np.isnan(mean) | np.isnan(n), ["z", "binomial_low", "binomial_high"]] = np.nan
    return out


# --------------------------------------------------------------------------- skill against the null

def _deviance(k: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Binomial deviance of each cell (k of n against share p, clipped to [0.5/n, 1 − 0.5/n])."""
    p = np.clip(p, 0.5 / n, 1 - 0.5 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(k > 0, k * np.log(k / (n * p)), 0.0)
        t2 = np.where(n - k > 0, (n - k) * np.log((n - k) / (n * (1 - p))), 0.0)
    return 2 * (t1 + t2)


def _expected_sampling_deviance(n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """E[deviance] of each cell when its count is Binomial(n, p) and it is judged against p."""
    out = np.zeros(len(n))
    for i, (ni, pi) in enumerate(zip(np.round(n).astype(int), p)):
        k = np.arange(ni + 1, dtype=float)
        out[i] = np.sum(stats.binom.pmf(k, ni, np.clip(pi, 0, 1)) * _deviance(k, np.full_like(k, ni), np.full_like(k, pi)))
    return out


def group_cells(scored: pd.DataFrame) -> pd.DataFrame:
    """Counted outcome cells of a group (not an ALL row) with their null share: the no-heterogeneity
    null predicts every group cell by its table's observed ALL-row share."""
    g = scored[scored["breakdown"].isin(GROUP_BREAKDOWNS) & (scored["group"] != "all") & scored["counted"]].copy()
    all_rows = scored[scored["group"] == "all"].set_index(["target", "cell"])["observed"]
    ref = g["target"].map(lambda t: NULL_REFERENCE.get(t, t))
    g["null"] = np.array([all_rows.get((t, c), np.nan) for t, c in zip(ref, g["cell"])], float)
    # the row of the model's own ALL-row share of the same question (the flat model's prediction)
    where = {(t, c): i for i, (t, c) in enumerate(zip(scored["target"], scored["cell"])) if scored["group"].iloc[i] == "all"}
    g["flat_row"] = np.array([where.get((t, c), -1) for t, c in zip(ref, g["cell"])], int)
    return g[g["null"].notna()]


def skill(scored: pd.DataFrame, p: np.ndarray, seed: int = 0, bootstrap: int = BOOTSTRAP) -> pd.DataFrame:
    """Skill and explained heterogeneity with bootstrap 95% bands, per split x table and per split
    overall (table "ALL"). `p` is the replicate matrix aligned with `scored`'s rows.

    Bands: percentile bootstrap that resamples the replicates (the simulated means) and, within each
    table, the groups (a group's cells move together), so both simulation noise and the spread of
    the misses over groups enter. Tables with two groups (gender) get wide, coarse bands.
    """
    g = group_cells(scored)
    idx = g.index.to_numpy()
    k, n = (g["observed"] * g["base"]).to_numpy(float), g["base"].to_numpy(float)
    pm, pn = g["simulated_mean"].to_numpy(float), g["null"].to_numpy(float)
    flat_row = g["flat_row"].to_numpy(int)
    pf = np.where(flat_row >= 0, scored["simulated_mean"].to_numpy(float)[np.maximum(flat_row, 0)], np.nan)
    d_model, d_null = _deviance(k, n, pm), _deviance(k, n, pn)
    d_flat, d_relev = _deviance(k, n, np.where(np.isnan(pf), pm, pf)), _deviance(k, n, relevel(pm, pf, pn))
    e_samp = _expected_sampling_deviance(n, pm)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5c11]))
    reps, reps_flat = p[idx], p[np.maximum(flat_row, 0)]
    cols = rng.integers(0, reps.shape[1], size=(bootstrap, reps.shape[1]))
    with warnings.catch_warnings():  # a resample may hold only replicates where a group had no one
        warnings.simplefilter("ignore", RuntimeWarning)
        pm_b = np.stack([np.nanmean(reps[:, c], axis=1) for c in cols])                # B x cells
        pf_b = np.stack([np.nanmean(reps_flat[:, c], axis=1) for c in cols])
    pm_b, pf_b = np.where(np.isnan(pm_b), pm, pm_b), np.where(np.isnan(pf_b), np.where(np.isnan(pf), pm, pf), pf_b)
    boot = {"model": _deviance(k, n, pm_b), "flat": _deviance(k, n, pf_b), "relevelled": _deviance(k, n, relevel(pm_b, pf_b, pn))}
    point = {"model": d_model, "null": d_null, "sampling": e_samp, "flat": d_flat, "relevelled": d_relev}
    has_flat = ~np.isnan(pf)
    w = _group_weights(g, rng, bootstrap)                                          # B x cells
    rows = []
    for split in ("calibration", "holdout"):
        in_split = (g["split"] == split).to_numpy()
        for table in ["ALL", *dict.fromkeys(g.loc[in_split, "target"])]:
            sel = in_split & ((g["target"] == table).to_numpy() if table != "ALL" else True)
            if sel.any():
                rows.append(_skill_row(split, table, sel, point, boot, w, has_flat))
    return pd.DataFrame(rows)


def relevel(p_model: np.ndarray, p_flat: np.ndarray, p_observed_all: np.ndarray) -> np.ndarray:
    """The model's group shares moved on the logit scale by the gap between the observed ALL share
    and the model's own ALL share (the model's group differences on the observed level); where the
    model has no ALL share, the model's shares unchanged."""
    def logit(x):
        x = np.clip(x, 1e-6, 1 - 1e-6)
        return np.log(x / (1 - x))
    moved = 1 / (1 + np.exp(-(logit(p_model) - logit(p_flat) + logit(p_observed_all))))
    return np.where(np.isnan(p_flat), p_model, moved)


def _group_weights(g: pd.DataFrame, rng: np.random.Generator, bootstrap: int) -> np.ndarray:
    """Bootstrap weight of each cell: how often its (table, group) block was drawn when each table's
    groups are resampled with replacement."""
    w = np.zeros((bootstrap, len(g)))
    block = pd.factorize(g["target"] + "/" + g["group"])[0]
    for t in g["target"].unique():
        in_t = (g["target"] == t).to_numpy()
        blocks = np.unique(block[in_t])
        draws = rng.multinomial(len(blocks), np.full(len(blocks), 1 / len(blocks)), size=bootstrap)  # B x blocks
        for j, b in enumerate(blocks):
            w[:, block == b] = draws[:, [j]]
    return w


def _skill_row(split, table, sel, point, boot, w, has_flat) -> dict:
    """Skill, explained heterogeneity, skill against the model's own level and re-levelled skill of
    the cells `sel`, with bootstrap bands (`point`: deviance per cell; `boot`: B x cells)."""
    dm, dn, es = (point[x][sel].sum() for x in ("model", "null", "sampling"))
    sk = 1 - dm / dn if dn > 0 else np.nan
    eh = (dn - dm) / (dn - es) if dn > es else np.nan
    ws = w[:, sel]
    dmb, dnb, esb = (ws * boot["model"][:, sel]).sum(axis=1), ws @ point["null"][sel], ws @ point["sampling"][sel]
    fsel = sel & has_flat  # the flat and re-levelled models need the model's ALL share
    wf = w[:, fsel]
    df, dr, dmf, dnf = point["flat"][fsel].sum(), point["relevelled"][fsel].sum(), point["model"][fsel].sum(), point["null"][fsel].sum()
    dfb, drb = (wf * boot["flat"][:, fsel]).sum(axis=1), (wf * boot["relevelled"][:, fsel]).sum(axis=1)
    dmfb, dnfb = (wf * boot["model"][:, fsel]).sum(axis=1), wf @ point["null"][fsel]
    with np.errstate(divide="ignore", invalid="ignore"):
        sk_b = np.where(dnb > 0, 1 - dmb / dnb, np.nan)
        eh_b = np.where(dnb > esb, (dnb - dmb) / (dnb - esb), np.nan)
        sf_b, sr_b = np.where(dfb > 0, 1 - dmfb / dfb, np.nan), np.where(dnfb > 0, 1 - drb / dnfb, np.nan)
    sf = 1 - dmf / df if df > 0 else np.nan
    sr = 1 - dr / dnf if dnf > 0 else np.nan
    return {"split": split, "table": table, "cells": int(sel.sum()), "d_model": float(dm), "d_null": float(dn),
            "e_sampling": float(es), "skill": float(sk), **_band("skill", sk, sk_b),
            "explained_heterogeneity": float(eh), **_band("explained_heterogeneity", eh, eh_b),
            "d_flat": float(df), "skill_vs_own_level": float(sf), **_band("skill_vs_own_level", sf, sf_b),
            "d_relevelled": float(dr), "relevelled_skill": float(sr), **_band("relevelled_skill", sr, sr_b)}


def _band(name: str, point: float, draws: np.ndarray) -> dict:
    """Percentile bootstrap band (NaN when the point or most draws are undefined)."""
    d = draws[np.isfinite(draws)]
    if len(d) < 0.9 * len(draws) or not np.isfinite(point):
        return {f"{name}_low": np.nan, f"{name}_high": np.nan}
    q_lo, q_hi = np.percentile(d, [2.5, 97.5])
    return {f"{name}_low": float(q_lo), f"{name}_high": float(q_hi)}


# --------------------------------------------------------------------------- goals

def share_interval(x: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval of a share x / n."""
    if n == 0:
        return (np.nan, np.nan)
    ph, z2 = x / n, Z95 ** 2
    centre = (ph + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(ph * (1 - ph) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (float(max(0.0, centre - half)), float(min(1.0, centre + half)) if x < n else 1.0)


def goals(scored: pd.DataFrame, skills: pd.DataFrame, official: dict) -> dict:
    """The `goals` block of summary.json: counts with intervals, skill, explained heterogeneity, the
    share of counted cells beyond 1.96, and the official arrivals and realized returns."""
    out: dict = {}
    counted = scored[scored["counted"]]
    for split in ("calibration", "holdout"):
        c = counted[counted["split"] == split]
        x, n = int(c["inside"].sum()), int(len(c))
        lo, hi = share_interval(x, n)
        out[f"outcome_cells_{split}"] = n
        out[f"outcome_inside_{split}"] = {"inside": x, "share": x / n if n else np.nan, "interval_95": [lo, hi],
                                          "goal": GOALS[split], "met": bool(n and x / n >= GOALS[split])}
        s = skills[(skills["split"] == split) & (skills["table"] == "ALL")]
        for name in ("skill", "explained_heterogeneity", "skill_vs_own_level", "relevelled_skill"):
            key = "skill_vs_null" if name == "skill" else name
            if s.empty:
                out[f"{key}_{split}"] = None
                continue
            r = s.iloc[0]
            entry = {"value": r[name], "band_95": [r[f"{name}_low"], r[f"{name}_high"]], "cells": int(r["cells"])}
            if name == "skill":
                entry["met"] = bool(r["skill_low"] > 0)
            elif name == "explained_heterogeneity" and split == "calibration":
                entry["goal"], entry["met"] = GOALS["explained_heterogeneity_calibration"], bool(r[name] >= GOALS["explained_heterogeneity_calibration"])
            out[f"{key}_{split}"] = entry
        o = scored[(scored["source"] == "official") & (scored["kind"] == "outcome") & (scored["split"] == split)
                   & scored["relative_error"].notna()]
        out[f"official_within_tolerance_{split}"] = {"inside": int(o["within_tolerance"].sum()), "cells": int(len(o)),
                                                     "tolerance": GOALS["official_relative"]}
    z = counted["z"].to_numpy(float)
    out["share_beyond_1_96"] = float(np.mean(np.abs(z[np.isfinite(z)]) > Z95)) if np.isfinite(z).any() else None
    out["official"] = official
    return _plain(out)


def _plain(x):
    """JSON-safe: numpy scalars to Python, NaN to None."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, (np.floating, float)):
        return None if not np.isfinite(x) else float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


# --------------------------------------------------------------------------- one ensemble, end to end

def official_figures(officials: list[dict]) -> dict:
    """Table 10 arrivals (outcomes since issue 8: quotas are an upper bound, so arrivals come from
    demand) and the pooled returns, realized
    (the reported figure) and expected, each against its observation and the 10% goal."""
    from calibration.fit import EXPECTED, observed_official

    obs = observed_official().set_index(["target", "cell"])["observed"]
    out: dict = {}
    for key, kind in ([(("t10_relocated_persons", r), "outcome") for r in ("north_kazakhstan", "pavlodar", "kostanay", "east_kazakhstan")]
                      + [(("returns_pooled", "north_kazakhstan+kostanay"), "outcome"),
                         (("t10_returns_by_region", "kostanay"), "outcome"), (("t10_returns_by_region", "north_kazakhstan"), "outcome")]):
        vals = np.array([o.get(key, np.nan) for o in officials], float)
        vals = vals[np.isfinite(vals)]
        observed = float(obs[key])
        mean = float(vals.mean()) if len(vals) else np.nan
        rel = (mean - observed) / observed
        entry = {"kind": kind, "observed": observed, "realized_mean": mean,
                 "realized_sd": float(vals.std(ddof=1)) if len(vals) > 1 else np.nan,
                 "realized_range": [float(vals.min()), float(vals.max())] if len(vals) else [np.nan, np.nan],
                 "relative_error": rel, "met": bool(abs(rel) <= GOALS["official_relative"])}
        if key in EXPECTED:
            exp = np.array([o.get(EXPECTED[key], np.nan) for o in officials], float)
            entry["expected_mean"] = float(np.nanmean(exp)) if np.isfinite(exp).any() else np.nan
        out["/".join(key)] = entry
    return out


def evaluate(snapshots: list[dict], recency: list[float], official_shares: list[dict], officials: list[dict],
             seed: int = 0, bootstrap: int = BOOTSTRAP) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Score an ensemble's runs: (cells, skill table, goals). `official_shares` holds each run's
    `calibration.official_shares.simulated_official_shares`; `officials` its `official_outcomes`."""
    from calibration.fit import survey_shares
    from calibration.official_shares import observed_official_shares, replicate_official_shares
    from calibration.text_targets import observed_text_targets, simulated_text_targets

    obs, p_survey = survey_shares(snapshots, recency)
    off = observed_official_shares()
    p_off = replicate_official_shares(off, official_shares)
    text = observed_text_targets()
    p_text = replicate_official_shares(text, [simulated_text_targets(s, r) for s, r in zip(snapshots, recency)])
    cols = ["target", "breakdown", "group", "cell", "split", "kind", "count", "base", "observed"]
    cells = pd.concat([obs[cols].assign(source="survey"), off[cols].assign(source="official"), text[cols].assign(source="survey")],
                      ignore_index=True)
    p = np.vstack([p_survey, p_off, p_text])
    scored = score_cells(cells, p)
    skills = skill(scored, p, seed=seed, bootstrap=bootstrap)
    return scored, skills, goals(scored, skills, official_figures(officials))
