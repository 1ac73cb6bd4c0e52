"""The regression baseline of the fit (issue 10, item 7): a small-budget fit summary of the shipped
ensemble, kept in `calibration/regression_baseline.json`, that `tests/test_regression.py` recomputes
and compares metric by metric, failing when one worsens by more than its tolerance.

The budget is small (`BUDGET`: a few replicates at scale 0.05, about 20 s on 2 cores), so its figures
differ from the full report in docs/fit/; they are compared only with themselves. The tolerances are
about three times the seed-to-seed standard deviation of each metric at this budget (measured over
`TOLERANCE_SEEDS` seeds by `measure_tolerances`), wide enough that a change that only reshuffles
random draws passes and tight enough that a broken mechanism fails (tests/test_regression.py shows
one). Regenerate after an intended model change or recalibration:

    python -c "from calibration.regression import write_baseline; write_baseline()"
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

BASELINE = Path(__file__).resolve().parent / "regression_baseline.json"
BUDGET = {"replicates": 3, "scale": 0.05, "seed": 0}
TOLERANCE_SEEDS = (1, 2, 3, 4, 5, 6)
TOLERANCE_FACTOR = 3.0
# metric -> +1 if higher is better, -1 if lower is better
DIRECTION = {
    "skill_vs_null_calibration": +1, "skill_vs_null_holdout": +1,
    "outcome_share_inside_calibration": +1, "outcome_share_inside_holdout": +1,
    "share_beyond_1_96": -1, "arrivals_abs_relative_error": -1, "returns_expected_abs_relative_error": -1,
}


def fit_summary(replicates: int = BUDGET["replicates"], scale: float = BUDGET["scale"], seed: int = BUDGET["seed"],
                overrides: list[str] | None = None, posterior: Path | None = None) -> dict[str, float]:
    """The regression metrics of one fit of the baseline (shipped ensemble unless `posterior`)."""
    from calibration.report import run_fit

    _, _, officials, (_, _, goals) = run_fit(replicates, scale, seed, posterior=posterior, bootstrap=50, overrides=overrides)
    arrivals = [abs(v["relative_error"]) for k, v in goals["official"].items() if k.startswith("t10_relocated_persons")]
    ret = goals["official"]["returns_pooled/north_kazakhstan+kostanay"]
    return {
        "skill_vs_null_calibration": goals["skill_vs_null_calibration"]["value"],
        "skill_vs_null_holdout": goals["skill_vs_null_holdout"]["value"],
        "outcome_share_inside_calibration": goals["outcome_inside_calibration"]["share"],
        "outcome_share_inside_holdout": goals["outcome_inside_holdout"]["share"],
        "share_beyond_1_96": goals["share_beyond_1_96"],
        "arrivals_abs_relative_error": float(max(arrivals)),
        # the expected returns: the realized count at this budget is a handful of households
        "returns_expected_abs_relative_error": abs(ret["expected_mean"] / ret["observed"] - 1),
    }


def measure_tolerances(seeds=TOLERANCE_SEEDS) -> dict[str, float]:
    """TOLERANCE_FACTOR x the standard deviation of each metric over seeds at the small budget."""
    runs = [fit_summary(seed=s) for s in seeds]
    return {k: float(TOLERANCE_FACTOR * np.std([r[k] for r in runs], ddof=1)) for k in DIRECTION}


def regressions(current: dict, baseline: dict) -> list[str]:
    """Metrics that worsened beyond their tolerance, described."""
    out = []
    for k, sign in DIRECTION.items():
        worse = sign * (baseline["metrics"][k] - current[k])
        if worse > baseline["tolerance"][k]:
            out.append(f"{k}: {current[k]:.4f} against baseline {baseline['metrics'][k]:.4f} (tolerance {baseline['tolerance'][k]:.4f})")
    return out


def load_baseline(path: Path = BASELINE) -> dict:
    return json.loads(Path(path).read_text())


def write_baseline(path: Path = BASELINE) -> dict:
    """Measure the baseline metrics and their tolerances and write them (several minutes)."""
    data = {"budget": BUDGET, "metrics": fit_summary(), "tolerance": measure_tolerances(),
            "tolerance_rule": f"{TOLERANCE_FACTOR} x the standard deviation over seeds {list(TOLERANCE_SEEDS)} at the same budget",
            "full_report": "docs/fit/summary.json (the shipped ensemble at the full budget)"}
    Path(path).write_text(json.dumps(data, indent=2) + "\n")
    return data
