"""The relocsim model as a history-matching problem (`calibration.history`), and the ensemble it writes.

Summary statistics (emulated one by one): the survey's ALL-row outcome cells of the calibration split with a
base of at least 10 (29 cells of Tables 3, 14, 15, 23, 27, 29, 31, 35 and 40), the regional rows of the three
cells the regional parameters move (`REGIONAL_CELLS`, 11 cells), and the official counts the distance scores
(Table 10's arrivals in the four regions, the pooled returns) as simulated over observed. The other group rows
stay in the distance each set is scored by (`calibration.fit.deviance`) but are not emulated: the ALL rows carry
most of the survey's information per cell.

Variances in the implausibility (stated here, recorded in posterior.json):
- observation: a survey share's binomial sampling variance p(1 - p)/n with the table's base; the official
  counts are administrative totals (no sampling variance);
- model discrepancy: 0.05 on a share (the model's structure, not its parameters: the no-heterogeneity null
  misses group shares by about that much, docs/ODD.md 8.7), 10% on an official count (its goal's tolerance);
- replicate: one run's variance about its mean at the calibration scale, measured from the replicates.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from calibration import history
from calibration.budgets import HistoryBudget

SHARE_DISCREPANCY_SD = 0.05
OFFICIAL_DISCREPANCY_SD = 0.10
MIN_BASE = 10
MIN_JUDGED = 20   # sets needed before the width ratios name the parameters the data identify
WORKER_PRELOAD = ("calibration.matching", "sim.model")
# group rows emulated besides the ALL rows: the cells that the regional parameters of issue 19 move (by
# destination region; East Kazakhstan's Table 15 row has a base of 8, under MIN_BASE, so its centre pull is
# left to the distance)
REGIONAL_CELLS = {
    ("t03_residence_period", "over_5_years"),   # early_asc_*, early_decide_shift
    ("t14_decision", "independently"),          # consult_shift_*
    ("t15_information_sources", "employment_centre"),  # choice_w_centre_*
}


def statistics(observed: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The emulated survey cells and official counts (empty when `observed` replaces the survey)."""
    from calibration.fit import REPORT_ONLY, observed_cells, observed_official

    obs = observed_cells() if observed is None else observed
    obs = obs[(obs["split"] == "calibration") & (obs["kind"] == "outcome" if "kind" in obs else True) & (obs["base"] >= MIN_BASE)]
    if (obs["group"] == "all").any():
        regional = obs["breakdown"].eq("region") & pd.Series(list(zip(obs["target"], obs["cell"])), index=obs.index).isin(REGIONAL_CELLS)
        obs = obs[(obs["group"] == "all") | regional]
    off = observed_official()
    off = off[(off["split"] == "calibration") & off["base"].isna() & ~off["target"].isin(REPORT_ONLY)]
    return obs.reset_index(drop=True), (off.iloc[:0] if observed is not None else off.reset_index(drop=True))


def evaluate_task(task: dict) -> dict:
    """Worker side: run the set on each of its seeds; per replicate the statistics and the calibration distance."""
    from calibration.ensemble import SURVEY_PARAMETERS
    from calibration.fit import _low_noise, _replicate_shares, deviance
    from calibration.observe import RunObserver
    from sim import scenario
    from sim.model import RelocationModel

    params, observed = task["params"], task["observed"]
    cells, off = statistics(observed)
    overrides = [f"time.end_year={task['end_year']}", *task["fixed"]] + [
        f"behaviour.{k}={v!r}" for k, v in params.items() if k not in SURVEY_PARAMETERS]
    sc = scenario.load(task["scenario"], overrides)
    recency = params.get("survey_recency", 0.0)
    outputs, distances = [], []
    for seed in task["seeds"]:
        m = RelocationModel(sc, seed=seed, scale=task["scale"])
        obs = RunObserver(m)
        m.run()
        snap, offs = obs.fieldwork_frame, obs.officials
        shares = _replicate_shares(cells, [snap], [recency])[:, 0]
        counts = [_low_noise(offs, (r.target, r.cell)) / r.observed for r in off.itertuples()]
        outputs.append([float(x) for x in np.concatenate([shares, counts])])
        distances.append(deviance([snap], [offs], observed=observed, recency=recency))
        del m, obs
        gc.collect()
    return {"outputs": outputs, "distances": distances}


def problem(free: dict, scale: float, end_year: int = 2021, scenario_name: str = "baseline", fixed: tuple[str, ...] = (),
            observed: pd.DataFrame | None = None) -> history.Problem:
    cells, off = statistics(observed)
    n = cells["base"].to_numpy(float)
    p = np.clip(cells["count"].to_numpy(float) / n, 0.5 / n, 1 - 0.5 / n)
    names = tuple(f"{r.target}/{r.group}/{r.cell}" for r in cells.itertuples()) + tuple(f"{r.target}/{r.cell}" for r in off.itertuples())
    z = np.concatenate([p, np.ones(len(off))])
    obs_var = np.concatenate([p * (1 - p) / n, np.zeros(len(off))])
    disc = np.concatenate([np.full(len(cells), SHARE_DISCREPANCY_SD ** 2), np.full(len(off), OFFICIAL_DISCREPANCY_SD ** 2)])
    common = {"scale": scale, "end_year": end_year, "scenario": scenario_name, "fixed": list(fixed), "observed": observed}

    def task(number: int, params: dict, seeds: list[int]) -> dict:
        return {"number": number, "params": params, "seeds": seeds, **common}

    key = {"scenario": scenario_name, "fixed": list(fixed), "observed": None if observed is None else "synthetic"}
    return history.Problem(free, names, z, obs_var, disc, evaluate_task, task, key)


def calibrate_history(budget: HistoryBudget, work_dir: Path, out: Path, seed: int = 0, backend: str = "serial",
                      workers: int | None = 1, scheduler: str | None = None, free: dict | None = None,
                      fixed: tuple[str, ...] = (), scenario_name: str = "baseline", progress: bool = True,
                      observed: pd.DataFrame | None = None, budget_name: str = "",
                      warm_start: Path | None = None) -> pd.DataFrame:
    """History-match the model (or resume), re-score the ensemble on fresh seeds and write it to `out`.
    `warm_start`: an earlier ensemble (posterior.csv) whose sets join wave 1's design."""
    from calibration.calibrate import FREE
    from calibration.ensemble import warm_start_sets

    free = free or FREE
    prob = problem(free, budget.scale, budget.end_year, scenario_name, fixed, observed)
    start = warm_start_sets(Path(warm_start), free) if warm_start is not None else None
    res = history.history_match(prob, budget, Path(work_dir), seed, backend, workers, scheduler, progress, WORKER_PRELOAD,
                                start=start)
    df = write_ensemble(res, prob, budget, Path(out), seed, backend, budget_name)
    if warm_start is not None:
        meta_path = Path(out).with_suffix(".json")
        meta = json.loads(meta_path.read_text())
        meta["warm_start"] = {"from": str(warm_start), "sets": len(start)}
        from sim.output_folder import write_text_atomic

        write_text_atomic(meta_path, json.dumps(meta, indent=2))
    return df


def write_ensemble(res: dict, prob: history.Problem, budget: HistoryBudget, out: Path, seed: int, backend: str,
                   budget_name: str = "") -> pd.DataFrame:
    """posterior.csv (trial = evaluation number, distance = its mean in-search distance, equal weights) and posterior.json."""
    from calibration.fit import OFFICIAL_WEIGHT, REPORT_ONLY
    from sim.output_folder import atomic_file, write_text_atomic

    by = {r["number"]: r for r in res["records"]}
    sets, rows = [], []
    for n in res["accepted"]:
        d, sd = history.distance_summary(by[n])
        fd, fsd = history.distance_summary(res["fresh"].get(n))
        sets.append({"trial": n, "wave": by[n]["wave"], "distance": d, "distance_sd": sd, "fresh_distance": fd,
                     "fresh_distance_sd": fsd, "seeds": by[n]["seeds"], "fresh_seeds": res["fresh"][n]["seeds"]})
        rows.append({"trial": n, "distance": d, "weight": 1.0 / len(res["accepted"]), **by[n]["params"]})
    df = pd.DataFrame(rows)
    ratios = history.width_ratios([by[n]["params"] for n in res["accepted"]], prob.free)
    insearch, fresh = df["distance"].to_numpy(), np.array([s["fresh_distance"] for s in sets])
    med = int(np.argsort(insearch)[len(insearch) // 2])
    meta = {
        "method": ("history matching in waves with Gaussian-process emulators (scikit-learn), implausibility cut-off "
                   f"{budget.cutoff} on the {'second-' if budget.which == 2 else ''}largest statistic; the non-implausible "
                   "evaluated sets kept with equal weight, each re-scored on fresh seeds"),
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "budget_name": budget_name, "budget": asdict(budget), "seed": seed, "backend": backend,
        "trials_finished": len(res["records"]), "accepted": len(df), "reason": res["reason"],
        "best_distance": float(insearch.min()), "acceptance_distance": float(insearch.max()),
        "median_set": {"trial": int(df["trial"].iloc[med]), "distance": float(insearch[med]), "distance_sd": sets[med]["distance_sd"],
                       "fresh_distance": float(fresh[med]), "fresh_distance_sd": sets[med]["fresh_distance_sd"]},
        "distance_in_search_median": float(np.median(insearch)), "distance_fresh_median": float(np.nanmedian(fresh)),
        "distance": "calibration.fit.deviance of one replicate, averaged over the set's replicates; sd: between replicates",
        "seeds": "numpy SeedSequence(entropy=seed, spawn_key=(0, evaluation)) in the search, (1, evaluation) fresh",
        "width_ratio": ratios,
        "width_ratio_note": "ensemble sd over the uniform prior's sd, on the search scale (log where searched so); "
                            "near 1: the data leave the parameter at its prior",
        "identified": sorted(k for k, v in ratios.items() if v < 0.7) if len(df) >= MIN_JUDGED else [],
        "identified_note": (f"width ratio under 0.7, judged on at least {MIN_JUDGED} sets" if len(df) >= MIN_JUDGED else
                            f"not judged: {len(df)} sets (fewer than {MIN_JUDGED}) say more about where the search "
                            "started than about what the data identify"),
        "statistics": list(prob.names), "observed": prob.observed.tolist(),
        "observation_sd": np.sqrt(prob.observation_var).tolist(), "discrepancy_sd": np.sqrt(prob.discrepancy_var).tolist(),
        "waves": res["waves"], "sets": sets, "free": {p: list(v) for p, v in prob.free.items()},
        "official_weight": OFFICIAL_WEIGHT, "report_only": sorted(REPORT_ONLY), "warm_start": None,
    }
    with atomic_file(out) as tmp:
        df.to_csv(tmp, index=False)
    write_text_atomic(out.with_suffix(".json"), json.dumps(meta, indent=2))
    return df
