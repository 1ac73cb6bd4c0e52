"""`relocsim compare`: run scenarios with common random numbers, write the comparison, print its summary."""

from __future__ import annotations

import logging
from pathlib import Path

from sim.cli import arguments
from sim.cli.common import add_language_argument, add_parameters_argument, ensemble_for

log = logging.getLogger("relocsim")
DEFAULT_OUT = Path("results") / "compare"   # as sim.compare.DEFAULT_OUT (not imported: keeps --help light)
DEFAULT_REPLICATES = 5                      # as sim.compare.DEFAULT_REPLICATES


def add_parsers(subparsers) -> None:
    p = subparsers.add_parser(
        "compare", help="run several scenarios with common random numbers and compare their outcomes",
        description="Run scenarios with the same replicate seeds; write compare.csv (mean, 90% band, paired "
                    "difference from the first scenario), plots and compare.json into DIR/<timestamp>/.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="two or more shipped scenario names or paths; the first is the reference")
    p.add_argument("--replicates", type=arguments.replicates, default=DEFAULT_REPLICATES,
                   help=f"replicates per scenario, the same seeds for all (default {DEFAULT_REPLICATES})")
    p.add_argument("--seed", type=arguments.seed, default=0, help="seed the replicate seeds derive from, 0 to 2^63-1 (default 0)")
    p.add_argument("--scale", type=arguments.scale, default=None,
                   help="fraction of households simulated, 1e-05 to 1 (default: each scenario's)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key in every scenario, e.g. --set time.end_year=2020 (repeatable)")
    add_parameters_argument(p, "behavioural parameters: draws from the calibrated ensemble, one per replicate seed and "
                               "the same for every scenario (default), or the schema defaults")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"parent folder of the result folder, which is new each time (default {DEFAULT_OUT})")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--brief", action="store_true",
                   help="also write brief.html: one A4 page in the chosen language (the question, headline differences "
                        "with their 90%% bands, two plots, caveats and the command that reproduces it)")
    add_language_argument(p)
    p.set_defaults(func=cmd_compare)


def print_summary(comp, table) -> None:
    """The printed outcomes per scenario, with the paired difference from the first and its 90% band."""
    from sim.compare import PRINTED
    from sim.i18n import _, number
    from sim.labels import format_difference, format_value, label

    print(_("differences from {reference}, paired over {n} replicate(s), 90% band in brackets").format(
        reference=comp.labels[0], n=len(comp.seeds)))
    for outcome in PRINTED:
        rows = table[table["outcome"] == outcome].set_index("scenario")
        if rows.empty:
            continue
        print(f"  {label(outcome).text}")
        for lab in comp.labels:
            r = rows.loc[lab]
            diff = "" if lab == comp.labels[0] else (
                f"  {format_difference(outcome, r['diff_from_first'])} "
                f"[{format_difference(outcome, r['diff_low'])}, {format_difference(outcome, r['diff_high'])}]")
            print(f"    {lab:32s} {format_value(outcome, r['mean']):>24s}{diff}")
    from sim.compare import binding_note, binding_shares, rationed_shares

    shares, rationed = binding_shares(comp), rationed_shares(comp)
    for lab in comp.labels:
        binds = bool(table.loc[table["scenario"] == lab, "quotas_bind"].iloc[0])
        detail = _("{binding} of the quota in destination-years where it bound; {rationed} of attempts to choose a region "
                   "deferred for want of quota room").format(binding=number(100 * shares[lab], ".0f") + "%",
                                                             rationed=number(100 * rationed[lab], ".0f") + "%")
        print(f"  {lab}: {binding_note(binds, rationed[lab])} ({detail})")


def cmd_compare(args) -> int:
    from tqdm import tqdm

    from sim.compare import all_overrides, compare_table, load_scenarios, run_comparison, write_comparison

    from sim.output_folder import check_out

    check_out(args.out)   # refused before the work, not after it
    over = all_overrides(args.overrides, args.scale)
    scenarios = load_scenarios(args.scenarios, over)  # every scenario validated before anything runs
    total = sum(sc.months for sc in scenarios) * args.replicates
    log.info("comparing %s: %d replicate(s) each, seeds from %d", ", ".join(sc.name for sc in scenarios), args.replicates, args.seed)
    with tqdm(total=total, unit="month", disable=True if args.quiet else None, desc="compare") as bar:
        comp = run_comparison(args.scenarios, args.replicates, args.seed, args.scale, args.overrides,
                              on_month=lambda: bar.update(1), ensemble=ensemble_for(args.parameters))
    comp.parameters = args.parameters
    table = compare_table(comp)
    command = ["relocsim", "compare", *map(str, args.scenarios), "--replicates", str(args.replicates), "--seed", str(args.seed)]
    if args.scale is not None:
        command += ["--scale", repr(args.scale)]
    command += ["--parameters", args.parameters]
    for o in args.overrides:
        command += ["--set", o]
    if args.brief:
        command += ["--brief"]
    from sim import i18n

    if i18n.language() != "en":
        command += ["--lang", i18n.language()]
    from sim.brief import write_brief

    final = write_comparison(comp, args.out, table, command, extras=[write_brief] if args.brief else [])
    print(f"wrote {final}")
    print_summary(comp, table)
    return 0
