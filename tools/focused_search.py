"""A calibration study over a few free parameters, the others held at an ensemble's best set.

The full search (`relocsim calibrate`) moves some 30 parameters at once and rarely finds a change that
needs several of them to move together: a stronger distance decay in the choice of destination only
helps once the destination constants make up the arrivals it shifts. This runs the same study (same
distance, same budget settings) over the named parameters only, every other free parameter fixed at
the best set of `--from`, and writes an ensemble with every free parameter's column, ready for a full
warm-started refine (`relocsim calibrate --budget refine --warm-start OUT`).

    python tools/focused_search.py --from calibration/posterior.csv --params choice_w_distance,choice_asc_kostanay \\
        --trials 120 --work-dir calibration/work/focused --out calibration/work/focused_posterior.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, required=True, help="ensemble whose best set fixes the others")
    ap.add_argument("--params", required=True, help="comma-separated free parameters to search")
    ap.add_argument("--trials", type=int, default=120)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    from dataclasses import replace

    from calibration.budgets import BUDGETS
    from calibration.calibrate import FREE, calibrate
    from calibration.ensemble import SURVEY_PARAMETERS

    # the survey's own parameters are searched too: the distance reads them from the trial, not the scenario
    names = list(dict.fromkeys([p.strip() for p in a.params.split(",") if p.strip()] + list(SURVEY_PARAMETERS)))
    unknown = sorted(set(names) - set(FREE))
    if unknown:
        print(f"--params: not free parameters: {', '.join(unknown)} (allowed: {', '.join(FREE)})", file=sys.stderr)
        return 2
    best = pd.read_csv(a.source).sort_values("distance").iloc[0]
    held = {k: float(best[k]) for k in FREE if k not in names}
    fixed = tuple(f"behaviour.{k}={v!r}" for k, v in held.items())
    free = {k: FREE[k] for k in names}
    budget = replace(BUDGETS["refine"], trials=a.trials)
    a.work_dir.mkdir(parents=True, exist_ok=True)
    seedset = a.work_dir / "start.csv"
    pd.DataFrame([{**{k: float(best[k]) for k in free}, "trial": 0, "distance": float(best["distance"]), "weight": 1.0}]).to_csv(seedset, index=False)
    post = calibrate(budget, workers=a.workers, work_dir=a.work_dir, out=a.out, seed=a.seed, free=free, fixed=fixed,
                     warm_start=seedset)
    for k, v in held.items():
        if k not in post:
            post[k] = v
    post = post[["trial", "distance", "weight", *FREE]]
    post.to_csv(a.out, index=False)
    print(f"wrote {a.out}: {len(post)} sets, best distance {post['distance'].min():.1f}; held at {a.source}'s best: "
          f"{', '.join(sorted(held))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
