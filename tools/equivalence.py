"""Does a changed engine reproduce the old one's outcomes? A statistical test, not byte identity.

    python tools/equivalence.py --old /tmp/old_engine [--scenarios baseline ...] [--replicates 32]
                                [--scale 0.05] [--seed 2026] [--out docs/equivalence.md]

`--old` is a checkout of the engine to compare with (e.g. `git worktree add /tmp/old_engine <commit>`);
the new engine is this checkout. Each engine runs every scenario for the same replicate seeds with the
shipped ensemble, in its own process (PYTHONPATH set to its checkout). Because the engines draw their
random numbers differently, their replicates are independent samples of the same model, not pairs.

The test, per scenario and outcome (every scalar outcome of the run summary outside the breakdowns
whose replicates vary): Welch's two-sample t-test of the two engines' means; the family of outcomes of
a scenario is judged with Holm's step-down correction at 5%. The engines are called equivalent on a
scenario when no outcome is rejected. The report also counts raw p < 0.05 (about 5% expected by
chance) and gives each outcome's difference in units of its standard error.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline", "rent_subsidy_24_months", "women_package")


def _flat(d: dict, prefix: str = ""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, f"{prefix}{k}.")
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            yield prefix + k, float(v)


def worker(scenario: str, replicates: int, scale: float, seed: int) -> None:
    """Print one JSON object: outcome -> list of replicate values (runs in the engine's checkout)."""
    from calibration.ensemble import posterior
    from sim import scenario as scenarios
    from sim.runner import run_scenario

    sc = scenarios.load(scenario, [f"population.scale={scale!r}"])
    res = run_scenario(sc, seed=seed, replicates=replicates, ensemble=posterior())
    rows = [dict(_flat(s)) for s in res.summaries]
    keys = sorted(set.intersection(*(set(r) for r in rows)))
    print(json.dumps({k: [r[k] for r in rows] for k in keys if not k.startswith("breakdowns.")}))


def run_engine(root: Path, scenario: str, replicates: int, scale: float, seed: int) -> dict[str, list[float]]:
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", scenario, "--replicates", str(replicates),
           "--scale", str(scale), "--seed", str(seed)]
    out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def holm(p: np.ndarray, alpha: float = 0.05) -> np.ndarray:
    """Which hypotheses Holm's step-down procedure rejects at family level `alpha`."""
    order = np.argsort(p)
    reject = np.zeros(len(p), bool)
    for rank, i in enumerate(order):
        if p[i] > alpha / (len(p) - rank):
            break
        reject[i] = True
    return reject


def compare(old: dict[str, list[float]], new: dict[str, list[float]]) -> list[dict]:
    """Per outcome: means, sds, difference in standard errors, Welch p, Holm's verdict."""
    from scipy import stats

    rows = []
    for k in sorted(set(old) & set(new)):
        a, b = np.asarray(old[k]), np.asarray(new[k])
        if a.std() == 0 and b.std() == 0:
            continue  # no spread in either engine (a quota filled in every replicate): nothing to test
        se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
        p = float(stats.ttest_ind(a, b, equal_var=False).pvalue) if se > 0 else 1.0
        rows.append({"outcome": k, "old_mean": a.mean(), "old_sd": a.std(ddof=1), "new_mean": b.mean(),
                     "new_sd": b.std(ddof=1), "z": (b.mean() - a.mean()) / se if se > 0 else 0.0, "p": p})
    rejected = holm(np.array([r["p"] for r in rows]))
    for r, rej in zip(rows, rejected):
        r["rejected"] = bool(rej)
    return rows


def report(results: dict[str, list[dict]], args) -> str:
    lines = ["# Old and new engine: statistical equivalence", "",
             f"`python tools/equivalence.py --old {args.old} --replicates {args.replicates} --scale {args.scale} "
             f"--seed {args.seed}`: {args.replicates} replicates per engine and scenario, shipped ensemble.", "",
             "Test: Welch's t-test per outcome; Holm's correction at 5% over the outcomes of a scenario.", "",
             "| scenario | outcomes tested | rejected (Holm, 5%) | raw p < 0.05 | largest abs(z) |",
             "|---|---|---|---|---|"]
    for sc, rows in results.items():
        zmax = max(rows, key=lambda r: abs(r["z"]))
        lines.append(f"| {sc} | {len(rows)} | {sum(r['rejected'] for r in rows)} | {sum(r['p'] < 0.05 for r in rows)} "
                     f"| {abs(zmax['z']):.2f} ({zmax['outcome']}) |")
    for sc, rows in results.items():
        lines += ["", f"## {sc}", "", "| outcome | old mean (sd) | new mean (sd) | z | p |", "|---|---|---|---|---|"]
        for r in rows:
            flag = " **rejected**" if r["rejected"] else ""
            lines.append(f"| {r['outcome']} | {r['old_mean']:.4g} ({r['old_sd']:.3g}) | {r['new_mean']:.4g} "
                         f"({r['new_sd']:.3g}) | {r['z']:+.2f} | {r['p']:.3f}{flag} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, help="checkout of the engine to compare with")
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--replicates", type=int, default=32)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=None, help="write the markdown report here")
    ap.add_argument("--worker", metavar="SCENARIO", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.replicates, args.scale, args.seed)
        return
    if args.old is None:
        ap.error("--old is required")
    results = {}
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        for sc in args.scenarios:
            old = pool.submit(run_engine, args.old.resolve(), sc, args.replicates, args.scale, args.seed)
            new = pool.submit(run_engine, ROOT, sc, args.replicates, args.scale, args.seed)
            results[sc] = compare(old.result(), new.result())
            print(f"{sc}: {len(results[sc])} outcomes, {sum(r['rejected'] for r in results[sc])} rejected", flush=True)
    text = report(results, args)
    if args.out:
        tmp = args.out.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(args.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
