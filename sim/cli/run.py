"""`relocsim run`, `relocsim validate` and `relocsim scenarios`."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from sim import inputs
from sim.cli import arguments
from sim.cli.common import add_language_argument, add_parameters_argument, ensemble_for

log = logging.getLogger("relocsim")


def add_parsers(sub) -> None:
    r = sub.add_parser("run", help="run a scenario and write its results")
    r.add_argument("scenario", nargs="?", default="baseline", help="a shipped scenario's name or a path (default: baseline)")
    r.add_argument("--seed", type=arguments.seed, default=0, help="seed of the run, 0 to 2^63-1 (default 0)")
    r.add_argument("--replicates", type=arguments.replicates, default=1,
                   help=f"independent replicates with distinct seeds, 1 to {inputs.MAX_REPLICATES}")
    r.add_argument("--scale", type=arguments.scale, default=None,
                   help="fraction of households simulated, 1e-05 to 1 (default: the scenario's)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario key, e.g. --set rent_subsidy.months=24 (repeatable)")
    r.add_argument("--out", type=Path, default=None,
                   help="parent folder of the run folder, which is new each time (default results/<scenario name>)")
    add_parameters_argument(r, "behavioural parameters: draws from the calibrated ensemble (default) or the schema defaults")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    add_language_argument(r)
    r.set_defaults(func=cmd_run)
    v = sub.add_parser("validate", help="validate a scenario file without running it")
    v.add_argument("scenario")
    v.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    v.set_defaults(func=cmd_validate)
    sub.add_parser("scenarios", help="list the shipped scenarios").set_defaults(func=cmd_scenarios)


def cmd_scenarios(_args=None) -> int:
    from sim.scenario import shipped_scenarios

    for name, path in shipped_scenarios().items():
        desc = inputs.read_toml(path).get("description", "")
        print(f"{name:32s} {desc}")
    return 0


def cmd_validate(args) -> int:
    from sim.scenario import load

    sc = load(args.scenario, args.overrides)
    warn_quotas(sc)
    print(f"{sc.source}: valid ({len(sc.years)} years, {sc.years[0]}-{sc.years[-1]})")
    return 0


def cmd_run(args) -> int:
    from tqdm import tqdm

    from sim.output_folder import check_out, safe_name
    from sim.results import run_id, write_run
    from sim.runner import run_scenario
    from sim.scenario import load

    overrides = list(args.overrides)
    if args.scale is not None:
        overrides.append(f"population.scale={args.scale!r}")
    sc = load(args.scenario, overrides)  # validation happens before anything is written
    warn_quotas(sc)
    scale = sc.data["population"]["scale"]
    parent = check_out(args.out if args.out is not None else Path("results") / safe_name(sc.name))  # before the work
    target = parent / run_id(args.seed)
    total = sc.months * args.replicates
    log.info("running %s: %d months x %d replicate(s), scale %g", sc.name, sc.months, args.replicates, scale)
    with tqdm(total=total, unit="month", disable=True if args.quiet else None, desc=sc.name) as bar:
        res = run_scenario(sc, seed=args.seed, replicates=args.replicates, on_month=lambda: bar.update(1),
                           ensemble=ensemble_for(args.parameters))
    final = write_run(res, target, overrides)
    from sim.labels import format_value, label

    s = json.loads((final / "summary.json").read_text())
    print(f"wrote {final}")
    print("; ".join(f"{label(k).text}: {format_value(k, s[k])}" for k in ("relocated_persons", "returned_persons", "employed_share_12m")))
    return 0


def warn_quotas(sc) -> None:
    """Say so on stderr when the scale is too small for the scenario's quotas to be resolved."""
    warning = inputs.quota_warning(sc)
    if warning:
        print(warning, file=sys.stderr)
