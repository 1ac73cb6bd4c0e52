"""`relocsim sweep` and `relocsim sensitivity`: designs of runs streamed to Parquet, resumable."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from sim import inputs
from sim.cli import arguments
from sim.cli.common import ensemble_for
from sim.executors import BACKENDS

log = logging.getLogger("relocsim")
METHODS = ("sobol", "morris")   # as sim.sensitivity.METHODS (not imported: keeps --help light)


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS, default="serial", help="where the runs execute (default serial)")
    p.add_argument("--workers", type=arguments.positive_int, default=None,
                   help="worker processes for processes/dask (default: all cores)")
    p.add_argument("--scheduler", type=arguments.scheduler_address, default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://host:8786 (with --backend dask)")
    p.add_argument("--out", type=Path, required=True, help="output folder; rerun with the same folder to resume")
    p.add_argument("--max-runs", type=arguments.positive_int, default=None, metavar="N",
                   help="stop after N new runs (rerun the same command to continue)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="run a scenario over a grid, Latin hypercube or Sobol design of parameters",
                              description="Run a sweep spec (TOML); results stream to OUT/runs/<run_id>.parquet. "
                                          "Rerunning the same command skips finished runs.")
    p.add_argument("spec", type=Path, help="sweep spec file (TOML), e.g. scenarios/sweeps/example.toml")
    add_backend_arguments(p)
    p.set_defaults(func=cmd_sweep)
    p = subparsers.add_parser("sensitivity", help="global sensitivity analysis (Sobol or Morris, SALib) of key outcomes",
                              description="Sample the ranges of a sensitivity spec (TOML) with SALib, run the samples "
                                          "(streamed to OUT/runs, resumable) and write OUT/indices.csv and OUT/indices.png.")
    p.add_argument("spec", type=Path, help="sensitivity spec file (TOML), e.g. scenarios/sweeps/sensitivity_example.toml")
    p.add_argument("--method", choices=METHODS, default=None, help="SALib method (default: the spec's method)")
    add_backend_arguments(p)
    p.set_defaults(func=cmd_sensitivity)


def workers_for(args) -> int | None:
    if args.backend == "serial":
        if args.workers not in (None, 1):
            log.warning("--workers %d ignored by the serial backend", args.workers)
        return 1
    return args.workers


def _check_backend(args, extra: str, command: str) -> None:
    """Before anything is read or written: the extra the command needs, and a scheduler that answers."""
    from sim.extras import require, require_extra
    from sim.scenario import ScenarioError

    if extra == "sensitivity":
        require_extra("sensitivity", command)     # SALib, and pyarrow for its runs
    require("pyarrow", extra, command)            # results are Parquet files
    if args.backend == "dask":
        require("distributed", "sweep", f"{command} --backend dask")
    if args.scheduler and args.backend != "dask":
        raise ScenarioError([f"--scheduler {args.scheduler}: a scheduler address is for --backend dask, not {args.backend}"])
    if args.scheduler:
        inputs.probe_scheduler(args.scheduler)


def _ensemble(spec: Path):
    """The calibrated ensemble when the spec asks for it (its `parameters`, "posterior" by default)."""
    from sim.sweep.spec import read_spec

    source = read_spec(spec).get("parameters", "posterior")
    return ensemble_for(source) if source == "posterior" else None


def _execute(plan, args):
    """Run the plan's unfinished runs; returns its Stats, or an exit code when stopped or a package is missing."""
    from sim.sweep import execute

    out = Path(args.out)
    try:
        return execute(plan, out, backend=args.backend, workers=workers_for(args), scheduler=args.scheduler,
                       quiet=args.quiet, max_runs=args.max_runs)
    except KeyboardInterrupt:
        done = len(list((out / "runs").glob("*.parquet")))
        print(f"\ninterrupted: {done} of {len(plan.runs)} runs in {out / 'runs'}; run the same command again to continue",
              file=sys.stderr)
        return 130


def report_stats(stats, out: Path) -> None:
    print(f"{stats.total - stats.remaining} of {stats.total} runs in {out / 'runs'} "
          f"({stats.executed} run now, {stats.skipped} already there"
          + (f", {stats.elsewhere} being run by another sweep into this folder" if stats.elsewhere else "") + ")")
    if stats.remaining:
        print(f"{stats.remaining} runs remain: run the same command again to continue")


def cmd_sweep(args) -> int:
    _check_backend(args, "sweep", "relocsim sweep")
    from sim.sweep import load_sweep_spec

    plan = load_sweep_spec(args.spec, _ensemble(args.spec))   # every problem is found before anything is written
    stats = _execute(plan, args)
    if isinstance(stats, int):
        return stats
    report_stats(stats, Path(args.out))
    print(f"read them with pandas.read_parquet({str(Path(args.out))!r})")
    return 0


def cmd_sensitivity(args) -> int:
    _check_backend(args, "sensitivity", "relocsim sensitivity")
    from sim.sensitivity import analyse, load_sensitivity_spec, write_indices

    plan = load_sensitivity_spec(args.spec, args.method, _ensemble(args.spec))
    out = Path(args.out)
    stats = _execute(plan, args)
    if isinstance(stats, int):
        return stats
    report_stats(stats, out)
    if stats.remaining:
        return 0
    df = analyse(plan, out)
    csv, png = write_indices(df, plan, out)
    print(f"wrote {csv} and {png}")
    key = "ST" if plan.extra["sensitivity"]["method"] == "sobol" else "mu_star"
    for name, sub in df[df["index"] == key].groupby("output", sort=False):
        top = sub.sort_values("value", ascending=False).head(3)
        print(f"  {name}: largest {key}: " + ", ".join(f"{p} {v:.3g}" for p, v in zip(top["parameter"], top["value"])))
    return 0
