"""Speed of the monthly step, read against a minimal Mesa agent step and its numpy equivalent.

    python benchmarks/bench_step.py --households 2000000 [--months 12] [--warmup 60] [--parameters defaults] --json

The model is built on the baseline with the population scaled to about N households, run untimed for
`--warmup` months (so the programme is under way), then timed for `--months` months with every rule
on. The two references push the same number of household-months through (a) a minimal `mesa.Agent`
whose step draws one random number and may change its state, and (b) the same in numpy arrays.
The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import mesa
import numpy as np

from sim import scenario
from sim.model import RelocationModel
from sim.population import households_by_origin


def scale_for(households: int, mean_size: float) -> float:
    return households / households_by_origin(1.0, mean_size).sum()


def bench_model(n: int, months: int, warmup: int, seed: int, parameters: str = "posterior") -> dict:
    from calibration.ensemble import posterior
    from sim.runner import parameters_for

    sc = scenario.load("baseline", [f"time.end_year={2014 + (warmup + months + 11) // 12}"])
    sc, _ = parameters_for(sc, seed, posterior() if parameters == "posterior" else None)  # the calibrated behaviour, as runs use it
    t0 = time.perf_counter()
    m = RelocationModel(sc, seed=seed, scale=scale_for(n, sc.data["population"]["mean_household_size"]))
    setup = time.perf_counter() - t0
    for _ in range(warmup):
        m.step()
    t0 = time.perf_counter()
    for _ in range(months):
        m.step()
    step = time.perf_counter() - t0
    return {"households": m.n, "setup_s": setup, "step_s": step, "household_months_per_s": m.n * months / step,
            "arrived_households_at_end": int(np.count_nonzero(m.arrival_month >= 0))}


class _MinimalAgent(mesa.Agent):
    def __init__(self, model):
        super().__init__(model)
        self.state = 0

    def step(self):
        if self.random.random() < 0.01:
            self.state = 1 - self.state


def bench_mesa(n: int, months: int, seed: int) -> float:
    model = mesa.Model(seed=seed)
    for _ in range(n):
        _MinimalAgent(model)
    t0 = time.perf_counter()
    for _ in range(months):
        model.agents.do("step")
    return n * months / (time.perf_counter() - t0)


def bench_numpy(n: int, months: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    state = np.zeros(n, np.int8)
    t0 = time.perf_counter()
    for _ in range(months):
        flip = rng.random(n) < 0.01
        state[flip] = 1 - state[flip]
    return n * months / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, required=True)
    ap.add_argument("--months", type=int, default=12, help="timed months (default 12)")
    ap.add_argument("--warmup", type=int, default=60, help="untimed months before timing (default 60)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--reference-households", type=int, default=None,
                    help="households for the Mesa reference (default: the same N; its rate is per household-month)")
    ap.add_argument("--parameters", choices=("posterior", "defaults"), default="posterior",
                    help="behaviour: a draw from calibration/posterior.csv (as runs use) or the schema defaults")
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    args = ap.parse_args()
    res = bench_model(args.households, args.months, args.warmup, args.seed, args.parameters)
    ref_n = args.reference_households or res["households"]
    res.update({
        "months": args.months, "parameters": args.parameters,
        "warmup_months": args.warmup,
        "mesa_reference_per_s": bench_mesa(ref_n, args.months, args.seed),
        "mesa_reference_households": ref_n,
        "numpy_reference_per_s": bench_numpy(res["households"], args.months, args.seed),
        "python": platform.python_version(), "numpy": np.__version__, "mesa": mesa.__version__,
    })
    if not args.json:
        print(f"model: {res['household_months_per_s']:,.0f} household-months/s on {res['households']:,} households")
        print(f"mesa reference: {res['mesa_reference_per_s']:,.0f}/s; numpy reference: {res['numpy_reference_per_s']:,.0f}/s")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
