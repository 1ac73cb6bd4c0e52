"""Targeted retune of demand (issue 8): shift the decision parameters of every ensemble member.

With quotas that need not bind, relocations come out of demand, so demand must match the official
arrivals. This script runs the shipped ensemble (calibration/posterior.csv: replicate r takes its
draw, as `relocsim run` does) with `decide_base` shifted by DELTA and optional overrides of other
behavioural parameters, and prints what the demand targets need: IOM Table 10 arrivals 2017-2020 by
region, the share approved within a month (Table 23), the arrival-year mix of January 2021 residents
(Table 3), 2024 arrivals and the arrived-by-July share (source 000), and how far quotas bind.

    python tools/retune_demand.py --delta -1.0 --delta -1.5 --replicates 4 --scale 0.05 --workers 2
    python tools/retune_demand.py --delta -1.2 --set behaviour.decide_w_subsidy=2.0

It changes nothing; docs/ODD.md (section 8.x, demand retune) records the search and the shift
applied to calibration/posterior.csv.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLE10 = {"north_kazakhstan": 6765, "pavlodar": 6363, "kostanay": 2441, "east_kazakhstan": 1421}  # 2017-2020
TABLE3_ALL = {"less_than_year": 0.362, "1_3_years": 0.362, "3_5_years": 0.136, "over_5_years": 0.093}  # of 354


def one_run(args: tuple) -> dict:
    from calibration.ensemble import posterior
    from sim import scenario
    from sim.model import RelocationModel
    from sim.outcomes import summary
    from sim.regions import DESTINATIONS
    from sim.runner import parameters_for
    from sim.states import State

    seed, delta, overrides, mults, scale, use_posterior = args
    sc = scenario.load("baseline", list(overrides))
    if use_posterior:
        sc, _ = parameters_for(sc, seed, posterior())
    b = sc.behaviour
    sc = sc.with_behaviour({"decide_base": float(b["decide_base"]) + delta}
                           | {k: float(b[k]) * f for k, f in (x.split("=") for x in mults) for f in [float(f)]})
    m = RelocationModel(sc, seed=seed, scale=scale)
    frame = {}
    surveyed = [DESTINATIONS.index(d) for d in TABLE10]

    def snap(mm):
        here = (mm.state == State.ARRIVED) & np.isin(mm.dest, surveyed)
        frame["since"] = mm.month - mm.arrival_month[here]

    m.observe(snap, [m.month_of(2021, 0)])
    m.run()
    s = summary(m)
    k = 1.0 / m.scale
    y0 = m.month_of(2017)
    arr = m.record.arrivals_persons_dest
    out = {f"t10_{d}": arr[y0:y0 + 48, DESTINATIONS.index(d)].sum() * k for d in TABLE10}
    ok = (m.approval_month >= 0) & (m.approval_month < m.month_of(2021))
    out["within_1_month_to_2020"] = np.mean((m.approval_month - m.application_month)[ok] < 1)
    since = frame["since"]
    out.update({"t3_less_than_year": np.mean(since < 12), "t3_1_3_years": np.mean((since >= 12) & (since < 36)),
                "t3_3_5_years": np.mean((since >= 36) & (since < 60)), "t3_over_5_years": np.mean(since >= 60)})
    y24 = m.month_of(2024)
    four = arr[:, surveyed].sum(axis=1) * k
    for y in range(2014, 2025):
        out[f"arr4_{y}"] = four[m.month_of(y):m.month_of(y) + 12].sum()
    out["arr4_2024_by_july"] = four[y24:y24 + 6].sum()
    for key in ("relocated_persons", "applications_households", "applications_first_households", "waitlisted_households_end",
                "median_application_to_approval_months", "share_approved_within_1_month", "quota_binding_share",
                "arrived_by_july_share"):
        out[key] = s[key]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--delta", type=float, action="append", default=None, help="shift of decide_base (repeatable)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--mult", dest="mults", action="append", default=[], metavar="KEY=FACTOR",
                   help="multiply each member's behavioural parameter KEY by FACTOR (repeatable)")
    p.add_argument("--replicates", type=int, default=4)
    p.add_argument("--scale", type=float, default=0.05)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--parameters", choices=("posterior", "defaults"), default="posterior")
    a = p.parse_args(argv)
    from sim.runner import replicate_seeds

    seeds = replicate_seeds(0, a.replicates)
    for delta in a.delta or [0.0]:
        jobs = [(s, delta, tuple(a.overrides), tuple(a.mults), a.scale, a.parameters == "posterior") for s in seeds]
        with ProcessPoolExecutor(a.workers) as ex:
            res = list(ex.map(one_run, jobs))
        mean = {k: float(np.mean([r[k] for r in res if r[k] is not None])) for k in res[0]}
        print(f"decide_base shift {delta:+.2f} {' '.join(a.overrides + a.mults)}")
        for d, v in TABLE10.items():
            print(f"  Table 10 {d:18s} {mean[f't10_{d}']:8.0f} / {v}  ({mean[f't10_{d}'] / v - 1:+.1%})")
        print("  Table 3 ALL  " + "  ".join(f"{c} {mean['t3_' + c]:.3f} ({t:.3f})" for c, t in TABLE3_ALL.items()))
        print("  arrivals in the four surveyed regions by year: "
              + " ".join(f"{y}:{mean[f'arr4_{y}']:.0f}" for y in range(2014, 2025))
              + f"  2024 by July: {mean['arr4_2024_by_july']:.0f}")
        for key in ("relocated_persons", "applications_households", "applications_first_households", "waitlisted_households_end",
                    "median_application_to_approval_months", "share_approved_within_1_month", "quota_binding_share",
                    "arrived_by_july_share", "within_1_month_to_2020"):
            print(f"  {key:40s} {mean[key]:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
