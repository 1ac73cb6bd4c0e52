"""Kostanay's return rate against North Kazakhstan's, as the official figures count it (issue 9).

IOM Table 10 and the executive summary: of the persons relocated since 2017, 275 of 2,441 had returned
from Kostanay (11.3%) and 495 of 6,765 from North Kazakhstan (7.3%) by early 2021. The model's figure:
persons who arrived in 2017-2020 in the region and had returned by January 2021, over those arrivals,
per replicate (the calibrated ensemble, one draw per replicate seed), and the paired difference
Kostanay - North Kazakhstan with its 90% band over replicates (5th-95th percentile, as `relocsim compare`).

    python tools/regional_returns.py --replicates 12 --scale 0.1 --workers 2
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REGIONS = {"kostanay": (275, 2441), "north_kazakhstan": (495, 6765)}  # IOM Table 10: returnees, relocated
FIRST_YEAR, SURVEY_YEAR = 2017, 2021


def _one(args: tuple[str, int, float, list[str]]) -> dict[str, float]:
    from calibration.ensemble import posterior
    from sim.regions import DESTINATIONS
    from sim.runner import run_scenario

    scenario, seed, scale, overrides = args
    res = run_scenario(scenario, seed=seed, replicates=1, scale=scale, ensemble=posterior(), keep_models=True,
                       overrides=overrides or None)
    m = res.models[0]
    start, end = m.month_of(FIRST_YEAR), m.month_of(SURVEY_YEAR)
    size = m.hh.size
    out = {}
    for region in REGIONS:
        came = (m.first_dest == DESTINATIONS.index(region)) & (m.arrival_month >= start) & (m.arrival_month < end)
        back = came & (m.return_month >= 0) & (m.return_month < end)
        out[region] = float(size[back].sum() / max(size[came].sum(), 1))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline")
    ap.add_argument("--replicates", type=int, default=12)
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--set", action="append", default=[], dest="overrides")
    a = ap.parse_args(argv)
    from sim.runner import replicate_seeds

    jobs = [(a.scenario, s, a.scale, a.overrides) for s in replicate_seeds(a.seed, a.replicates)]
    with ProcessPoolExecutor(a.workers) as pool:
        rows = list(pool.map(_one, jobs))
    for region, (back, came) in REGIONS.items():
        x = np.array([r[region] for r in rows])
        print(f"{region:18s} model {100 * x.mean():5.1f}% (90% band {100 * np.percentile(x, 5):.1f} to "
              f"{100 * np.percentile(x, 95):.1f}); official {100 * back / came:.1f}% ({back} of {came})")
    d = np.array([r["kostanay"] - r["north_kazakhstan"] for r in rows])
    print(f"Kostanay - North Kazakhstan: {100 * d.mean():+.1f} points (90% band {100 * np.percentile(d, 5):+.1f} to "
          f"{100 * np.percentile(d, 95):+.1f}; official {100 * (275 / 2441 - 495 / 6765):+.1f}); "
          f"Kostanay higher in {np.mean(d > 0):.0%} of {len(d)} replicates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
