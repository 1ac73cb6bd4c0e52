"""Speed of the monthly step, read against a minimal Mesa agent step and its numpy equivalent, and
the cost of a full-scale run.

    python benchmarks/bench_step.py --households 2000000 [--months 12] [--warmup 60] [--parameters defaults]
                                    [--full-run] [--json]

The model is built on the baseline with the population scaled to about N households, run untimed for
`--warmup` months (so the programme is under way), then timed for `--months` months with every rule
on, phase by phase. The two references push the same number of household-months through (a) a
minimal `mesa.Agent` whose step draws one random number and may change its state, and (b) the same
in numpy arrays: the floor the model is read against (`numpy_over_model`: how many times faster
the reference is). `--full-run` also runs `relocsim run --scale 1.0` in a child process and reports
its CPU time (user + system) and peak resident memory. Rates are per second of this process's CPU
time, so that other work on the machine slows model and references alike; the numpy reference is
the median of three readings. The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time

import mesa
import numpy as np

import sim.model
from sim import scenario
from sim.model import PHASES, RelocationModel
from sim.population import households_by_origin


def scale_for(households: int, mean_size: float) -> float:
    return households / households_by_origin(1.0, mean_size).sum()


# CPU time of this process, not wall time: other processes on a shared machine then slow both the
# model and the references alike instead of whichever ran while they were busy
CLOCK = time.process_time


def bench_model(n: int, months: int, warmup: int, seed: int, parameters: str = "posterior") -> dict:
    from calibration.ensemble import posterior
    from sim.runner import parameters_for

    sc = scenario.load("baseline", [f"time.end_year={2014 + (warmup + months + 11) // 12}"])
    sc, _ = parameters_for(sc, seed, posterior() if parameters == "posterior" else None)  # the calibrated behaviour, as runs use it
    t0 = CLOCK()
    m = RelocationModel(sc, seed=seed, scale=scale_for(n, sc.data["population"]["mean_household_size"]))
    setup = CLOCK() - t0
    for _ in range(warmup):
        m.step()
    phase_s = {p.__name__: 0.0 for p in PHASES}

    def timed(phase):
        def run(model):
            t = CLOCK()
            phase(model)
            phase_s[phase.__name__] += CLOCK() - t
        return run

    sim.model.PHASES = tuple(timed(p) for p in PHASES)
    try:
        t0 = CLOCK()
        for _ in range(months):
            m.step()
        step = CLOCK() - t0
    finally:
        sim.model.PHASES = PHASES
    return {"households": m.n, "setup_s": setup, "step_s": step, "household_months_per_s": m.n * months / step,
            "ms_per_month_by_phase": {k: 1000 * v / months for k, v in phase_s.items()},
            "ms_per_month_outside_phases": 1000 * (step - sum(phase_s.values())) / months,
            "arrived_households_at_end": int(np.count_nonzero(m.arrival_month >= 0))}


def bench_full_run() -> dict:
    """CPU time and peak memory of `relocsim run --scale 1.0` (the whole programme, 2014-2024)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sim.cli", "run", "--scale", "1.0", "--out", out],
                       check=True, capture_output=True)
        wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"full_run_wall_s": wall, "full_run_user_s": after.ru_utime - before.ru_utime,
            "full_run_system_s": after.ru_stime - before.ru_stime,
            "full_run_cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "full_run_peak_rss_mb": after.ru_maxrss / 1024}


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
    t0 = CLOCK()
    for _ in range(months):
        model.agents.do("step")
    return n * months / (CLOCK() - t0)


def bench_numpy(n: int, months: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    state = np.zeros(n, np.int8)
    t0 = CLOCK()
    for _ in range(months):
        flip = rng.random(n) < 0.01
        state[flip] = 1 - state[flip]
    return n * months / (CLOCK() - t0)


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
    ap.add_argument("--full-run", action="store_true", help="also time `relocsim run --scale 1.0` (CPU, peak memory)")
    ap.add_argument("--json", action="store_true", help="print only the JSON line")
    args = ap.parse_args()
    # the full run first: a child forked from this process once it holds the model counts the
    # parent's resident pages in its own peak until it execs
    full = bench_full_run() if args.full_run else {}
    res = bench_model(args.households, args.months, args.warmup, args.seed, args.parameters)
    ref_n = args.reference_households or res["households"]
    res.update({
        "months": args.months, "parameters": args.parameters,
        "warmup_months": args.warmup,
        "mesa_reference_per_s": bench_mesa(ref_n, args.months, args.seed),
        "mesa_reference_households": ref_n,
        # the median of three: the reference takes a fraction of a second, so one reading is noisy
        "numpy_reference_per_s": float(np.median([bench_numpy(res["households"], args.months, args.seed) for _ in range(3)])),
        "python": platform.python_version(), "numpy": np.__version__, "mesa": mesa.__version__,
    })
    res["numpy_over_model"] = res["numpy_reference_per_s"] / res["household_months_per_s"]
    res.update(full)
    if not args.json:
        print(f"model: {res['household_months_per_s']:,.0f} household-months/s on {res['households']:,} households")
        print(f"mesa reference: {res['mesa_reference_per_s']:,.0f}/s; numpy reference: {res['numpy_reference_per_s']:,.0f}/s"
              f" ({res['numpy_over_model']:.2f} times the model's rate)")
        print("ms per month: " + ", ".join(f"{k} {v:.2f}" for k, v in res["ms_per_month_by_phase"].items())
              + f", outside the phases {res['ms_per_month_outside_phases']:.2f}")
        if args.full_run:
            print(f"relocsim run --scale 1.0: {res['full_run_cpu_s']:.1f} s CPU ({res['full_run_user_s']:.1f} user, "
                  f"{res['full_run_system_s']:.1f} system), {res['full_run_wall_s']:.1f} s wall, "
                  f"peak {res['full_run_peak_rss_mb']:,.0f} MB")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
