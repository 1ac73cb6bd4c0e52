"""Write docs/elasticities.md: what each lever of the scenario library does against the baseline.

For every scenario in scenarios/*.toml (except the baseline) the baseline and the scenario run with
the same replicate seeds and the same draws from the calibrated ensemble (common random numbers,
`sim.compare`), and the table gives the paired change in relocated persons, returned persons, the
share employed at 12 months and the net cost per person retained 24 months, with its 90% band over
replicates, for the lever change the scenario states. Levers that act on demand are marked; where
one does not move relocations (its band holds zero) the table says why: quotas that bind, or a
lever that does not enter the decision to move.

    python tools/elasticities.py                       # 8 replicates at scale 0.1 (the shipped table)
    python tools/elasticities.py --replicates 4 --scale 0.05 --workers 2 --preliminary
"""

from __future__ import annotations

import argparse
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "elasticities.md"
OUTCOMES = ("relocated_persons", "returned_persons", "employed_share_12m", "cost_per_retained_person_24m_tenge")
# Keys through which a lever reaches the decision to relocate (sim/behaviour/awareness.py subsidy_pull)
# or the choice of destination (sim/behaviour/decision.py destination_utility).
DECISION_KEYS = ("relocation_subsidy.", "rent_subsidy.", "quotas.", "quota_rule.", "information_campaign.")
CHOICE_KEYS = ("housing.provided_share", "vacancies.")
DEMAND_LEVERS = ("relocation_subsidy.", "rent_subsidy.", "housing.provided_share", "services.orientation",
                 "information_campaign.")  # issue 8: subsidies, information, housing; issue 20: the campaign


def _lever(name: str) -> str:
    """The scenario's stated lever change: its '# Lever change:' comment, first sentence."""
    text = (ROOT / "scenarios" / f"{name}.toml").read_text(encoding="utf-8")
    m = re.search(r"#\s*Lever change:(.*?)(?:\n(?!#)|\n#\s*\n|$)", text, re.S)
    if not m:
        return ""
    prose = re.sub(r"\s*\n#\s*", " ", m.group(1)).strip()
    first = prose.split(". ")[0].rstrip(".")
    return first if len(first) <= 160 else first[:157].rstrip() + "..."


def _chunk(args: tuple) -> list:
    from calibration.ensemble import posterior
    from sim.compare import binding_shares, compare_table, rationed_shares, run_comparison, scenario_differences

    names, replicates, scale, seed = args
    comp = run_comparison(["baseline", *names], replicates=replicates, seed=seed, scale=scale, ensemble=posterior())
    t = compare_table(comp)
    diffs = scenario_differences(comp)
    shares = {k: (v, rationed_shares(comp)[k]) for k, v in binding_shares(comp).items()}
    return [(t, diffs, shares)]


def _why(name: str, keys: list[str], moved: bool, binds: bool, fewer: bool = False, rationed: float = 0.0) -> str:
    if moved:
        if fewer and any(k.startswith("housing.provided_share") for k in keys):
            return ("moved, downwards: housing enters only the choice of destination, not the decision to relocate; "
                    "shifting households between regions changes where quotas bind")
        return ""
    if binds:
        return ("quotas bind (the year's quota, or the monthly release rationing choices): a demand lever moves "
                "applications, deferred choices and the wait-list, not relocations")
    if "rent_subsidy.by_region_price" in keys and not any(k.startswith(("relocation_subsidy.", "rent_subsidy.months")) for k in keys):
        return ("the decision weighs the national rent rate (sim/behaviour/awareness.py subsidy_pull); regional rates "
                "steer the choice of destination (behaviour.choice_w_rent), shifting arrivals between regions")
    if any(k.startswith("services.orientation") for k in keys):
        return ("orientation reaches participants who already applied and acts on adaptation after arrival; the lever "
                "on awareness and the decision through information is information_campaign.toml")
    if any(k.startswith(DECISION_KEYS) for k in keys):
        from sim.compare import RATIONING

        if rationed >= RATIONING:
            return (f"enters the decision, but quotas ration part of demand ({rationed:.0%} of the attempts to choose a "
                    "region deferred for want of quota room, most of them in 2021-2024), and the change "
                    "in relocations is within the noise at this budget")
        return "enters the decision, but the change is within the noise at this budget"
    if any(k.startswith(CHOICE_KEYS) for k in keys):
        return "enters only the choice of destination, not the decision to relocate: it shifts arrivals between regions"
    return "acts after arrival (services, jobs, housing, payments): it does not enter the decision to relocate"


def _fmt(outcome: str, v: float) -> str:
    from sim.labels import format_difference

    if outcome.endswith("_tenge"):  # per person: tenge, not millions
        return f"{v:+,.0f} tenge"
    return format_difference(outcome, v)


def write(results: list, replicates: int, scale: float, seed: int, preliminary: bool) -> str:
    import pandas as pd

    from sim.compare import BINDING

    t = pd.concat([r[0] for r in results])
    diffs, shares = {}, {}
    for _, d, s in results:
        diffs.update(d)
        shares.update(s)
    names = [n for n in diffs if n != "baseline"]
    lines = [
        "<!-- GENERATED FILE: python tools/elasticities.py (see its docstring); do not edit by hand. -->",
        "# Elasticities: what each lever of the scenario library does" + (" (PRELIMINARY)" if preliminary else ""),
        "",
        f"Each scenario against the baseline, {replicates} replicates at scale {scale:g} (seed {seed}), common random "
        "numbers and the same draws from the calibrated ensemble (calibration/posterior.csv) in both runs of a "
        "replicate. Each cell is the paired change (scenario minus baseline) for the scenario's stated lever change, "
        "its 90% band over replicates in brackets. Relocated and returned persons are totals 2014-2024; employment is "
        "the share employed 12 months after arrival (percentage points); cost is net subsidies per person retained "
        "24 months (tenge). Demand lever: it acts on the decision to relocate or the choice of destination.",
        "",
        f"Quotas bind for a scenario when at least {BINDING:.0%} of its quota (persons) lay in destination-years "
        f"whose approvals reached 95% of the quota (baseline: {shares.get('baseline', (float('nan'),) * 2)[0]:.0%}), "
        f"or when at least {BINDING:.0%} of its households' attempts to choose a region were deferred because the "
        f"career centre had no region with quota room (baseline: {shares.get('baseline', (float('nan'),) * 2)[1]:.0%}).",
        "",
        "| Scenario | Lever change | Demand lever | Relocated persons | Returned persons | Employed at 12 months | Cost per retained person | Relocations: why no change (or why down) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        keys = list(diffs[name])
        row = t[t["scenario"] == name].set_index("outcome")
        cells = []
        for o in OUTCOMES:
            if o not in row.index:
                cells.append("n/a")
                continue
            r = row.loc[o]
            cells.append(f"{_fmt(o, r['diff_from_first'])} [{_fmt(o, r['diff_low'])}, {_fmt(o, r['diff_high'])}]")
        rel = row.loc["relocated_persons"]
        moved = not (rel["diff_low"] <= 0 <= rel["diff_high"])
        demand = "yes" if any(k.startswith(DEMAND_LEVERS) for k in keys) else "no"
        binds = bool(row["quotas_bind"].iloc[0])
        fewer = bool(rel["diff_from_first"] < 0)
        why = _why(name, keys, moved, binds, fewer, shares.get(name, (0.0, 0.0))[1])
        lines.append(f"| {name} | {_lever(name)} | {demand} | " + " | ".join(cells) + f" | {why} |")
    lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--replicates", type=int, default=8, help="replicates per scenario (default 8)")
    p.add_argument("--scale", type=float, default=0.1, help="population scale (default 0.1)")
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--preliminary", action="store_true", help="label the table preliminary (a reduced budget)")
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    names = sorted(f.stem for f in (ROOT / "scenarios").glob("*.toml") if f.stem != "baseline")
    k = max(1, min(a.workers, len(names)))
    chunks = [tuple(names[i::k]) for i in range(k)]
    with ProcessPoolExecutor(k) as ex:
        results = [r for part in ex.map(_chunk, [(c, a.replicates, a.scale, a.seed) for c in chunks]) for r in part]
    a.out.write_text(write(results, a.replicates, a.scale, a.seed, a.preliminary), encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
