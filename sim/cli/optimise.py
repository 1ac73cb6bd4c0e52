"""`relocsim optimise`: a multi-objective search of the levers (sim.optimise), resumable, on any backend."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from sim.cli import arguments
from sim.cli.common import ensemble_for
from sim.executors import BACKENDS

log = logging.getLogger("relocsim")


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser("optimise", help="search the levers for the front of retention, cost and returns",
                              description="Run a policy search spec (TOML, e.g. scenarios/optimise/example.toml): "
                                          "Optuna's multi-objective sampler proposes lever mixes, each run on the same "
                                          "seeds and ensemble draws as the base. Rerun the same command to resume.")
    p.add_argument("spec", type=Path, help="optimise spec file (TOML)")
    p.add_argument("--backend", choices=BACKENDS, default="serial", help="where the runs execute (default serial)")
    p.add_argument("--workers", type=arguments.positive_int, default=None,
                   help="worker processes for processes/dask (default: all cores)")
    p.add_argument("--scheduler", type=arguments.scheduler_address, default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://host:8786 (with --backend dask)")
    p.add_argument("--max-trials", type=arguments.positive_int, default=None, metavar="N",
                   help="stop after N newly evaluated candidates (rerun the same command to continue)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default results/optimise/<spec name>)")
    p.set_defaults(func=cmd_optimise)


def cmd_optimise(args) -> int:
    from sim import inputs
    from sim.extras import require
    from sim.scenario import ScenarioError

    require("optuna", "optimise", "relocsim optimise")
    require("pyarrow", "optimise", "relocsim optimise (trials.parquet)")
    if args.backend == "dask":
        require("distributed", "optimise", "relocsim optimise --backend dask")
    if args.scheduler and args.backend != "dask":
        raise ScenarioError([f"--scheduler {args.scheduler}: a scheduler address is for --backend dask, not {args.backend}"])
    if args.scheduler:
        inputs.probe_scheduler(args.scheduler)
    from sim.optimise import load_spec, run_search, write_outputs
    from sim.output_folder import check_out, safe_name

    spec = load_spec(args.spec)          # every problem is found before anything is written
    out = check_out(args.out or Path("results") / "optimise" / safe_name(spec.name))
    ensemble = ensemble_for(spec.parameters) if spec.parameters == "posterior" else None
    workers = 1 if args.backend == "serial" else args.workers
    try:
        search = run_search(spec, out, backend=args.backend, workers=workers, scheduler=args.scheduler,
                            max_trials=args.max_trials, ensemble=ensemble,
                            on_batch=lambda n: log.info("%s: %d of %d trials evaluated", spec.name, n, spec.trials))
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are in {out / 'runs'}; run the same command again to continue", file=sys.stderr)
        return 130
    paths = write_outputs(search)
    if not paths:
        print(f"{search.executed} runs now in {out / 'runs'}, the first batch unfinished: run the same command again to continue")
        return 0
    print(f"{len(search.trials)} of {spec.trials} trials ({search.executed} runs now, {search.reused} found done); "
          f"wrote {', '.join(str(p) for p in paths.values())} and {out / 'scenarios'}")
    if not search.complete:
        print("the search is unfinished: run the same command again to continue")
    print((out / "report.md").read_text().split("## What to try first", 1)[-1].strip())
    return 0
