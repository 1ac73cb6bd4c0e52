"""The calibrated ensemble: accepted parameter sets written by `relocsim calibrate` to
`calibration/posterior.csv` (with `posterior.json` describing how), read back by runs, which draw one
set per replicate, and by a new study that warm-starts from it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration.fit import OFFICIAL_WEIGHT, REPORT_ONLY
from sim.ensemble import ParameterEnsemble, draw
from sim.output_folder import atomic_file, write_text_atomic
from sim.schema import BEHAVIOUR

if TYPE_CHECKING:
    from calibration.budgets import Budget

POSTERIOR = Path(str(files("calibration") / "posterior.csv"))  # package data, with posterior.json beside it
SURVEY_PARAMETERS = ("survey_recency",)  # survey design, not behaviour: runs ignore it


def warm_start_sets(path: Path, free: dict) -> list[dict]:
    """The parameter sets of an earlier ensemble, clipped into the search ranges; a free parameter
    the ensemble lacks is left for the sampler to choose."""
    post = load_posterior(path)
    if post is None:
        raise FileNotFoundError("no such file; give an ensemble written by relocsim calibrate (posterior.csv)")
    return [{k: float(np.clip(row[k], lo, hi)) for k, (lo, hi, _) in free.items() if k in post.columns}
            for _, row in post.iterrows()]


def write_posterior(study, budget: Budget, out: Path, free: dict) -> pd.DataFrame:
    """ABC rejection on the trial history: keep the best trials as an equally weighted ensemble."""
    from optuna.trial import TrialState

    trials = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    if not trials:
        raise RuntimeError("no finished calibration trials")
    trials.sort(key=lambda t: t.value)
    k = min(len(trials), max(budget.min_accept, int(round(budget.accept_fraction * len(trials)))))
    kept = trials[:k]
    df = pd.DataFrame([{"trial": t.number, "distance": t.value, **{p: t.params[p] for p in free}} for t in kept])
    df.insert(2, "weight", 1.0 / k)
    meta = {
        "method": "Optuna multivariate TPE search, then ABC rejection: the best trials kept with equal weight",
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "trials_finished": len(trials), "accepted": k, "acceptance_distance": kept[-1].value,
        "best_distance": kept[0].value, "budget": asdict(budget), "free": {p: list(v) for p, v in free.items()},
        "official_weight": OFFICIAL_WEIGHT, "report_only": sorted(REPORT_ONLY),
        "warm_start": study.user_attrs.get("warm_start"),
    }
    out = Path(out)
    with atomic_file(out) as tmp:
        df.to_csv(tmp, index=False)
    write_text_atomic(out.with_suffix(".json"), json.dumps(meta, indent=2))
    return df


def load_posterior(path: Path = POSTERIOR) -> pd.DataFrame | None:
    """The shipped ensemble of accepted parameter sets, or None if there is none."""
    path = Path(path)
    if not path.exists():
        return None
    df = pd.read_csv(path)
    unknown = [c for c in df.columns if c not in ("trial", "distance", "weight") and c not in BEHAVIOUR.fields
               and c not in SURVEY_PARAMETERS]
    if unknown:
        raise ValueError(f"{path}: unknown parameter column(s) {unknown}; allowed: {', '.join(BEHAVIOUR.fields)}")
    return df


def posterior(path: Path = POSTERIOR) -> ParameterEnsemble | None:
    """The calibrated ensemble as runs use it (survey parameters ignored), or None if there is none.
    The command line passes it to the experiments (`run_scenario(ensemble=...)`)."""
    path = Path(path)
    if load_posterior(path) is None:
        return None
    return ParameterEnsemble.from_csv(path, SURVEY_PARAMETERS)


def posterior_draw(post: pd.DataFrame, seed: int) -> tuple[int, dict]:
    """One parameter set drawn from the ensemble for a replicate seed (deterministic)."""
    return draw(post, seed)
