"""`relocsim calibrate` (estimate the behavioural parameters) and `relocsim fit-report` (how well the
calibrated baseline reproduces the survey and official counts)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from calibration.budgets import BUDGETS, HISTORY_BUDGETS, WARM_STARTED, WRITES_SHIPPED, Budget
from sim.cli import arguments
from sim.cli.common import PARAMETER_SOURCES
from sim.executors import BACKENDS

METHODS = ("history", "tpe")
HISTORY_SHIPPED = {"standard", "full", "cluster"}   # history-matching budgets whose ensemble replaces calibration/posterior.csv


def add_parsers(sub) -> None:
    p = sub.add_parser("calibrate", help="estimate the behavioural parameters (full budget: writes calibration/posterior.csv)")
    p.add_argument("--method", choices=METHODS, default="history",
                   help="history: history matching in waves with Gaussian-process emulators, every set on its own "
                        "seeds (default); tpe: the older Optuna TPE search with ABC rejection on its history")
    p.add_argument("--budget", choices=sorted(set(BUDGETS) | set(HISTORY_BUDGETS)), default="quick",
                   help="quick: under a minute; standard (history): the first three waves of full; full: four waves, "
                        "within two hours on 2 cores (tpe: 10-20 minutes); cluster (history): for many workers; "
                        "refine (tpe): from the shipped ensemble")
    p.add_argument("--trials", type=arguments.positive_int, default=None, help="--method tpe: override the budget's number of trials")
    p.add_argument("--replicates", type=arguments.replicates, default=None, help="override the budget's replicates (seeds) per evaluation")
    p.add_argument("--backend", choices=BACKENDS, default="processes",
                   help="where history matching's runs execute, as for sweeps (default processes; tpe: always processes)")
    p.add_argument("--workers", type=arguments.positive_int, default=max(1, (os.cpu_count() or 1)), help="parallel worker processes (default: all cores)")
    p.add_argument("--scheduler", type=arguments.scheduler_address, default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://host:8786 (with --backend dask)")
    p.add_argument("--seed", type=arguments.seed, default=0, help="seed of the study, 0 to 2^63-1 (default 0)")
    p.add_argument("--out", type=Path, default=None,
                   help="where to write the ensemble (default: calibration/posterior.csv, which runs use, for the full "
                        "budget; the study folder for the quick one, so a trial run leaves the shipped ensemble alone)")
    p.add_argument("--work-dir", type=Path, default=None, help="study journal folder (default calibration/work/<budget>)")
    p.add_argument("--warm-start", type=Path, default=None, metavar="CSV",
                   help="evaluate an earlier ensemble's sets first (history: in wave 1, beside its Latin hypercube; "
                        "tpe: first, and by default for --budget refine from calibration/posterior.csv); a new study only")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("fit-report", help="compare the baseline's virtual survey with the IOM survey and official counts")
    p.add_argument("--out", type=Path, default=Path("results") / "calibration")
    p.add_argument("--replicates", type=arguments.replicates, default=8)
    p.add_argument("--scale", type=arguments.scale, default=0.1)
    p.add_argument("--seed", type=arguments.seed, default=0)
    p.add_argument("--parameters", choices=PARAMETER_SOURCES, default="posterior")
    p.add_argument("--posterior", type=Path, default=None, metavar="CSV",
                   help="evaluate this ensemble (a posterior.csv written by relocsim calibrate) instead of the shipped one")
    from sim.cli.common import add_language_argument

    add_language_argument(p)   # the report's headings and plots; its tables and JSON stay English
    p.set_defaults(func=cmd_fit_report)


def cmd_calibrate(args) -> int:
    from sim.extras import require_extra

    require_extra("calibrate", "relocsim calibrate")
    if args.method == "history":
        return _cmd_history(args)
    from calibration import calibrate as cal
    from sim.output_folder import check_out, claim_own_folder
    from sim.scenario import ScenarioError

    if args.budget not in BUDGETS:
        raise ScenarioError([f"--budget {args.budget}: not a budget of --method tpe; allowed: {', '.join(sorted(BUDGETS))}"])
    budget = BUDGETS[args.budget]
    for key in ("trials", "replicates"):
        value = getattr(args, key)   # at least 1: argparse checked it (sim.cli.arguments)
        if value:
            budget = Budget(**{**asdict(budget), key: value})
    home = calibration_home(cal.CAL_DIR)
    work = check_out(args.work_dir or home / "work" / args.budget, "--work-dir")
    warm = args.warm_start or (cal.POSTERIOR if args.budget in WARM_STARTED else None)
    if warm is not None:
        try:
            cal.warm_start_sets(warm, cal.FREE)
        except (OSError, ValueError) as exc:
            raise ScenarioError([f"--warm-start {warm}: {exc}"]) from None
    out = check_ensemble_out(args.out or (home / "posterior.csv" if args.budget in WRITES_SHIPPED else work / "posterior.csv"))
    claim_own_folder(work, "calibrate", legacy=("study.journal", "settings.json"), option="--work-dir")   # a study's folder, resumable
    df = cal.calibrate(budget, workers=args.workers, work_dir=work, out=out, seed=args.seed, study_name=args.budget,
                       progress=not args.quiet, warm_start=warm)
    print(f"wrote {out}: {len(df)} accepted parameter sets (best distance {df['distance'].min():.1f})")
    if Path(out).resolve() != cal.POSTERIOR.resolve():
        print(f"runs still use {cal.POSTERIOR}; to use this ensemble instead, copy it there or pass --out {cal.POSTERIOR}")
    return 0


def _cmd_history(args) -> int:
    """`relocsim calibrate --method history` (the default)."""
    from calibration import calibrate as cal
    from calibration import matching
    from sim import inputs
    from sim.extras import require
    from sim.output_folder import check_out, claim_own_folder
    from sim.scenario import ScenarioError

    wrong = ["--trials"] if args.trials else []
    if args.budget not in HISTORY_BUDGETS:
        wrong.append(f"--budget {args.budget}")
    if wrong:
        raise ScenarioError([f"{', '.join(wrong)}: for --method tpe only; history matching's budgets: "
                             f"{', '.join(sorted(HISTORY_BUDGETS))}"])
    if args.scheduler and args.backend != "dask":
        raise ScenarioError([f"--scheduler {args.scheduler}: a scheduler address is for --backend dask, not {args.backend}"])
    if args.backend == "dask":
        require("distributed", "sweep", "relocsim calibrate --backend dask")
    if args.scheduler:
        inputs.probe_scheduler(args.scheduler)
    if args.warm_start is not None:
        try:
            cal.warm_start_sets(args.warm_start, cal.FREE)
        except (OSError, ValueError) as exc:
            raise ScenarioError([f"--warm-start {args.warm_start}: {exc}"]) from None
    budget = HISTORY_BUDGETS[args.budget]
    if args.replicates:
        budget = type(budget)(**{**asdict(budget), "replicates": args.replicates})
    home = calibration_home(cal.CAL_DIR)
    work = check_out(args.work_dir or home / "work" / f"history-{args.budget}", "--work-dir")
    out = check_ensemble_out(args.out or (home / "posterior.csv" if args.budget in HISTORY_SHIPPED else work / "posterior.csv"))
    claim_own_folder(work, "calibrate", option="--work-dir")
    df = matching.calibrate_history(budget, work, out, seed=args.seed, backend=args.backend,
                                    workers=1 if args.backend == "serial" else args.workers, scheduler=args.scheduler,
                                    progress=not args.quiet, budget_name=args.budget, warm_start=args.warm_start)
    meta = json.loads(Path(out).with_suffix(".json").read_text())
    med = meta["median_set"]
    print(f"wrote {out}: {len(df)} parameter sets ({meta['reason']}); median set: distance {med['distance']:.1f} "
          f"in the search, {med['fresh_distance']:.1f} on fresh seeds; identified: {', '.join(meta['identified']) or 'none'}")
    if Path(out).resolve() != cal.POSTERIOR.resolve():
        print(f"runs still use {cal.POSTERIOR}; to use this ensemble instead, copy it there or pass --out {cal.POSTERIOR}")
    return 0


def calibration_home(cal_dir: Path) -> Path:
    """Where `calibrate` writes by default: the repository's calibration/ folder in a source checkout (a full
    calibration then updates the ensemble runs use); ./calibration in the working folder when relocsim is
    installed from a wheel, never the installed package (README "Calibration")."""
    return cal_dir if (cal_dir.parent / "pyproject.toml").is_file() else Path("calibration")


def check_ensemble_out(out: Path) -> Path:
    """The ensemble CSV `calibrate` writes, with its metadata beside it (same name, .json): refused (exit 2)
    unless it ends in .csv and both files are new or an earlier ensemble and its metadata."""
    from sim.inputs import InputError
    from sim.output_folder import check_out

    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise InputError([f"--out {out}: names the ensemble, a CSV file (its metadata is written beside it, as "
                          f"NAME.json); allowed: a path ending in .csv, e.g. results/posterior.csv"])
    check_out(out.parent)
    meta = out.with_suffix(".json")
    for path, ours in ((out, _is_ensemble), (meta, _is_ensemble_metadata)):
        if path.exists() and not ours(path):
            raise InputError([f"--out {out}: {path} exists and is not a calibrated ensemble's file; it is not "
                              f"overwritten; allowed: a new path, or an ensemble calibrate wrote before"])
    return out


def _is_ensemble(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            return path.is_file() and fh.readline().startswith("trial,distance")
    except (OSError, UnicodeDecodeError):
        return False


def _is_ensemble_metadata(path: Path) -> bool:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and {"method", "accepted"} <= set(meta)


def cmd_fit_report(args) -> int:
    from sim.scenario import ScenarioError

    if args.posterior is not None and not args.posterior.is_file():
        raise ScenarioError([f"--posterior {args.posterior}: no such file; give a posterior.csv written by relocsim calibrate"])
    from calibration.report import write_report
    from sim.output_folder import check_out

    check_out(args.out)   # before the runs
    out = write_report(args.out, args.replicates, args.scale, args.seed, args.parameters, args.posterior)
    s = json.loads((out / "summary.json").read_text())["goals"]
    parts = []
    for split in ("calibration", "holdout"):
        g, sk = s[f"outcome_inside_{split}"], s[f"skill_vs_null_{split}"]
        inside = f"{split}: {g['inside']}/{s[f'outcome_cells_{split}']} outcome cells inside ({g['share']:.1%})"
        parts.append(inside + (f", skill {sk['value']:.2f} [{sk['band_95'][0]:.2f}, {sk['band_95'][1]:.2f}]" if sk else ", no group cells"))
    missed = [k for k, v in s["official"].items() if not v["met"]]
    print(f"wrote {out}: " + "; ".join(parts) + f"; beyond 1.96: {s['share_beyond_1_96']:.1%}; "
          + "official figures off by more than 10%: " + (", ".join(missed) or "none"))
    return 0
