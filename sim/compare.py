"""`relocsim compare`: run several scenarios under common random numbers and compare their outcomes.

Every scenario is run with the same replicate seeds (`sim.runner.replicate_seeds`), and the model
keys every random draw by (stream, month, household), so replicate r of scenario B differs from
replicate r of scenario A by policy, not by noise. Each outcome therefore gets, per scenario, its
mean and 90% band over replicates (5th-95th percentile) and the difference from the first scenario
computed replicate by replicate (paired), with its own 90% band: with common random numbers these
paired bands are much tighter than the difference of two independent bands.

Results go to `DIR/<timestamp>-seed<N>/` (default DIR `results/compare`), written into a hidden
`.partial` folder and renamed when complete:

    compare.csv             one row per (outcome, scenario): mean, low, high, diff_from_first,
                            diff_low, diff_high, n (replicates with a value)
    compare_replicates.csv  every outcome of every replicate (scenario, replicate, seed, outcome, value)
    annual.csv              yearly series per scenario and replicate (arrivals, returns, subsidies...)
    compare.json            run metadata: scenarios and what differs from the first, seeds,
                            overrides, scale, package versions
    *.png                   relocations, employment, returns and budget over time with bands; returns
                            by reason and by months since arrival; cost
                            per retained person; outcomes by gender and marital status; differences
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.compare_plots import write_plots
from sim.comparison import HEADLINE, NET_SUBSIDIES, PRINTED, SUBSIDY_TOTAL, Comparison  # PRINTED: read here by the CLI
from sim.ensemble import ParameterEnsemble
from sim.i18n import _, using
from sim.inputs import override_items
from sim.label_table import LABELS_CSV, write_labels
from sim.nested import flatten
from sim.output_folder import atomic_folder, unique_id
from sim.results import versions
from sim.runner import replicate_seeds, run_scenario, with_overrides
from sim.scenario import Scenario, ScenarioError

log = logging.getLogger("relocsim")

DEFAULT_OUT = Path("results") / "compare"
DEFAULT_REPLICATES = 5
BAND = (5.0, 95.0)  # percentiles of the 90% band, as in sim.results.combine
COLUMNS = ["scenario", "outcome", "mean", "low", "high", "diff_from_first", "diff_low", "diff_high", "n", "quotas_bind"]
# A scenario's quotas "bind" when, on average over replicates, at least this share of its quota (persons)
# lay in destination-years whose approvals reached 95% of the quota: there a lever acting on demand
# cannot move relocations (issue 8). They also bind when at least this share of the households' attempts
# to choose a region were deferred for want of quota room (the monthly release rations demand).
BINDING = 0.5
# Below BINDING, the notes still say that quotas ration demand in part from this share of deferred choices.
RATIONING = 0.1
Overrides = Sequence[str] | Mapping[str, Any] | None  # --set strings or a {dotted key: value} dict


# --------------------------------------------------------------------------- running

def _labels(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique by a suffix where two scenarios share one."""
    out: list[str] = []
    for sc in scenarios:
        label, k = sc.name, 2
        while label in out:
            label, k = f"{sc.name}#{k}", k + 1
        out.append(label)
    return out


def load_scenarios(names_or_paths: Sequence[str | Path | Scenario], overrides: Overrides = ()) -> list[Scenario]:
    """Load and validate every scenario first (names, paths or `Scenario` objects, the overrides applied to
    each); one ScenarioError lists the problems of all of them."""
    if len(names_or_paths) < 2:
        raise ScenarioError([f"compare: expected at least two scenarios, got {len(names_or_paths)}: "
                             f"{', '.join(getattr(n, 'name', str(n)) for n in names_or_paths) or 'none'}"])
    scenarios, problems = [], []
    for name in names_or_paths:
        try:
            scenarios.append(with_overrides(name, override_items(overrides)))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))  # a scenario named twice reports once
    return scenarios


def all_overrides(overrides: Overrides, scale: float | None) -> list:
    """The overrides as a list (`--set` strings, or (key, value) pairs from a dict), `scale` last."""
    out = override_items(overrides)
    if scale is not None:
        out.append(f"population.scale={float(scale)!r}")  # validated against the schema's bounds
    return out


def run_comparison(names_or_paths: Sequence[str | Path | Scenario], replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                   scale: float | None = None, overrides: Overrides = None,
                   on_month: Callable[[], None] | None = None, ensemble: ParameterEnsemble | None = None) -> Comparison:
    """Validate all scenarios, then run each for the same replicate seeds. Behavioural parameters
    come from `ensemble` (e.g. the calibrated one, `calibration.ensemble.posterior()`: one draw per
    replicate seed, hence the same draw for every scenario) or, without one, from the schema."""
    if int(replicates) < 1:
        raise ScenarioError([f"compare: replicates must be a positive whole number, got {replicates}"])
    over = all_overrides(overrides, scale)
    scenarios = load_scenarios(names_or_paths, over)
    seeds = replicate_seeds(seed, int(replicates))
    labels = _labels(scenarios)
    results = []
    for label, sc in zip(labels, scenarios):
        log.debug("compare: running %s for seeds %s", label, seeds)
        res = run_scenario(sc, seed=seed, replicates=int(replicates), on_month=on_month, ensemble=ensemble)
        # common random numbers: every scenario sees the same seeds and the same parameter draws
        same_draws = not results or res.parameter_sets == results[0].parameter_sets
        if res.seeds != seeds or not same_draws:
            raise RuntimeError(f"{label}: replicate seeds {res.seeds} / parameter sets {res.parameter_sets} differ "
                               f"from the first scenario's")
        results.append(res)
    return Comparison(labels, scenarios, results, seeds, int(seed), over, results[0].scale,
                      "defaults" if ensemble is None else "posterior", list(results[0].parameter_sets))


# --------------------------------------------------------------------------- outcomes

def _number(v) -> float:
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return math.nan
    return float(v)


def outcome_values(summary: dict) -> dict[str, float]:
    """A run summary as {outcome: number} (NaN where undefined), with total and net subsidies added
    after the subsidies by type and after the repayments."""
    flat = {k: _number(v) for k, v in flatten(summary).items()
            if not k.startswith(("bands_90.", "run.", "replicate_summaries")) and not isinstance(v, (str, list))}
    paid = [k for k in flat if k.startswith("subsidies_paid_tenge.")]
    total = float(np.sum([flat[k] for k in paid]))
    out: dict[str, float] = {}
    for k, v in flat.items():
        out[k] = v
        if paid and k == paid[-1]:
            out[SUBSIDY_TOTAL] = total
        if k == "reimbursed_tenge":
            out[NET_SUBSIDIES] = total - v
    out.setdefault(SUBSIDY_TOTAL, total)
    return out


def _outcome_order(keys: list[str]) -> list[str]:
    head = [k for k in HEADLINE if k in keys]
    return head + [k for k in keys if k not in head]


def _stats(x: np.ndarray) -> tuple[float, float, float, int]:
    ok = x[np.isfinite(x)]
    if len(ok) == 0:
        return math.nan, math.nan, math.nan, 0
    return float(ok.mean()), float(np.percentile(ok, BAND[0])), float(np.percentile(ok, BAND[1])), len(ok)


def replicate_table(comp: Comparison) -> pd.DataFrame:
    """Every outcome of every replicate, long: scenario, replicate, seed, outcome, value."""
    rows = []
    for label, res in zip(comp.labels, comp.results):
        for i, (s, summ) in enumerate(zip(res.seeds, res.summaries)):
            for outcome, v in outcome_values(summ).items():
                rows.append((label, i, s, outcome, v))
    return pd.DataFrame(rows, columns=["scenario", "replicate", "seed", "outcome", "value"])


def compare_table(comp: Comparison) -> pd.DataFrame:
    """One row per (outcome, scenario): mean and 90% band over replicates, and the paired
    difference from the first scenario with its 90% band."""
    values = [[outcome_values(s) for s in res.summaries] for res in comp.results]
    keys: list[str] = []
    for per_scenario in values:
        for rep in per_scenario:
            keys.extend(k for k in rep if k not in keys)
    rows = []
    binds = quotas_bind(comp)
    for outcome in _outcome_order(keys):
        mat = np.array([[rep.get(outcome, math.nan) for rep in per_scenario] for per_scenario in values], float)
        for j, label in enumerate(comp.labels):
            mean, low, high, n = _stats(mat[j])
            dmean, dlow, dhigh, _ = _stats(mat[j] - mat[0])  # paired by replicate seed
            rows.append((label, outcome, mean, low, high, dmean, dlow, dhigh, n, binds[label]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _summary_means(comp: Comparison, key: str) -> dict[str, float]:
    """Per scenario, the mean over replicates of a summary share (NaN where no replicate has it)."""
    out = {}
    for label, res in zip(comp.labels, comp.results):
        x = np.array([_number(s.get(key)) for s in res.summaries], float)
        out[label] = float(np.nanmean(x)) if np.isfinite(x).any() else math.nan
    return out


def binding_shares(comp: Comparison) -> dict[str, float]:
    """Per scenario, the mean over replicates of the share of the quota (persons) in destination-years where it bound."""
    return _summary_means(comp, "quota_binding_share")


def rationed_shares(comp: Comparison) -> dict[str, float]:
    """Per scenario, the mean over replicates of the share of attempts to choose a region that the
    career centre deferred because no region had quota room (the monthly release rations demand)."""
    return _summary_means(comp, "quota_rationed_share")


def quotas_bind(comp: Comparison) -> dict[str, bool]:
    """Per scenario: do its quotas bind (see BINDING), by the year's quota or by the monthly release?"""
    rationed = rationed_shares(comp)
    return {lab: bool(v >= BINDING or rationed[lab] >= BINDING) for lab, v in binding_shares(comp).items()}


def compare_scenarios(names_or_paths: Sequence[str | Path | Scenario], replicates: int = DEFAULT_REPLICATES, seed: int = 0,
                      scale: float | None = None, overrides: Overrides = None,
                      ensemble: ParameterEnsemble | None = None) -> pd.DataFrame:
    """Run the scenarios with common random numbers and return the comparison table (see module doc).
    `overrides`: `--set` strings or a {dotted key: value} dict applied to every scenario, as in `run_scenario`."""
    return compare_table(run_comparison(names_or_paths, replicates, seed, scale, overrides, ensemble=ensemble))


def annual_table(comp: Comparison) -> pd.DataFrame:
    """Yearly series per scenario and replicate (national totals; employed_share is the mean of months)."""
    frames = []
    for label, res in zip(comp.labels, comp.results):
        for i, (s, df) in enumerate(zip(res.seeds, res.monthly)):
            g = df.groupby("year")
            paid = [c for c in df.columns if c.startswith("paid_") and c.endswith("_tenge")]
            out = pd.DataFrame({
                "applications_hh": g["applications_hh"].sum(),
                "arrivals_persons": g["arrivals_persons"].sum(),
                "returned_persons": df.filter(like="returns_persons_").sum(axis=1).groupby(df["year"]).sum(),
                "returns_hh": g["returns_hh"].sum(),
                "employed_share": g["employed_share"].mean(),
                "in_destination_persons_december": g["in_destination_persons"].last(),
                **{c: g[c].sum() for c in paid},
                "paid_total_tenge": df[paid].sum(axis=1).groupby(df["year"]).sum(),
                "reimbursed_tenge": g["reimbursed_tenge"].sum(),
            }).reset_index()
            out.insert(0, "seed", s)
            out.insert(0, "replicate", i)
            out.insert(0, "scenario", label)
            frames.append(out)
    return pd.concat(frames, ignore_index=True)


def scenario_differences(comp: Comparison) -> dict[str, dict[str, dict]]:
    """Per scenario, the resolved keys whose values differ from the first scenario's."""
    first = flatten(comp.scenarios[0].data)
    out = {}
    for label, sc in zip(comp.labels, comp.scenarios):
        flat = flatten(sc.data)
        keys = [k for k in list(first) + [k for k in flat if k not in first] if first.get(k) != flat.get(k)]
        out[label] = {k: {"first": first.get(k), "this": flat.get(k)} for k in keys if k not in ("name", "description")}
    return out


def quota_state(binds: bool, rationed: float) -> str:
    """"bind", "ration" (at least RATIONING of the attempts to choose a region deferred) or "slack"."""
    return "bind" if binds else "ration" if rationed >= RATIONING else "slack"


def binding_note(binds: bool, rationed: float = 0.0) -> str:
    """What the quotas mean for a lever acting on demand (see quota_state)."""
    state = quota_state(binds, rationed)
    if state == "bind":
        return _("quotas bind: approvals reached the quota in most destination-years, or most choices waited for "
                 "quota room, so a lever acting on demand (subsidies, information, housing) cannot move relocations "
                 "here; it moves applications, deferred choices and the wait-list")
    if state == "ration":
        return _("quotas ration part of demand: attempts to choose a region were deferred for want of quota room "
                 "(the monthly release), so a lever acting on demand moves deferred choices more than relocations")
    return _("quotas slack: relocations follow demand")


# --------------------------------------------------------------------------- writing

def write_comparison(comp: Comparison, out_parent: Path = DEFAULT_OUT, table: pd.DataFrame | None = None,
                     command: list[str] | None = None, extras: Sequence[Callable[..., str]] = ()) -> Path:
    """Write tables, plots and metadata into `out_parent/<timestamp>-seed<N>/` atomically; plots in the current
    language, tables, labels.csv and compare.json the same in every one. Each of `extras` (e.g.
    `sim.brief.write_brief`) is called as extra(comp, table, annual, command, folder) inside the folder being
    written and returns the name of the file it wrote."""
    out_parent = Path(out_parent)
    out_parent.mkdir(parents=True, exist_ok=True)
    target = out_parent / unique_id(comp.seed)
    with atomic_folder(target, "compare") as tmp:
        table = compare_table(comp) if table is None else table
        table.to_csv(tmp / "compare.csv", index=False)
        replicate_table(comp).to_csv(tmp / "compare_replicates.csv", index=False)
        annual = annual_table(comp)
        annual.to_csv(tmp / "annual.csv", index=False)
        plots = write_plots(comp, table, annual, tmp)
        write_labels(list(table["outcome"].unique()) + [c for c in annual.columns if c not in ("scenario", "replicate", "seed", "year")],
                     tmp / LABELS_CSV)
        written = [LABELS_CSV] + [extra(comp, table, annual, command, tmp) for extra in extras]
        diffs, rationed = scenario_differences(comp), rationed_shares(comp)
        with using("en"):   # compare.json is read by scripts: English whatever the language
            notes = {lab: binding_note(b, rationed[lab]) for lab, b in quotas_bind(comp).items()}
        meta = {
            "compare_id": target.name,
            "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": command,
            "scenarios": [
                {"label": lab, "name": sc.name, "file": sc.source, "description": sc.data.get("description", ""),
                 "differs_from_first": diffs[lab]}
                for lab, sc in zip(comp.labels, comp.scenarios)
            ],
            "first": comp.labels[0],
            "overrides": comp.overrides,
            "seed": comp.seed,
            "replicates": len(comp.seeds),
            "replicate_seeds": comp.seeds,
            "parameters": comp.parameters,
            "parameter_sets": comp.parameter_sets,
            "common_random_numbers": "every scenario ran the same replicate seeds; diff_* columns are paired by seed",
            "band": f"{BAND[0]:g}th-{BAND[1]:g}th percentile over replicates",
            "scale": comp.scale,
            "outcomes": list(table["outcome"].unique()),
            "quota_binding_share": binding_shares(comp),
            "quota_rationed_share": rationed,
            "quotas_bind": {lab: {"binds": b, "note": notes[lab]} for lab, b in quotas_bind(comp).items()},
            "files": ["compare.csv", "compare_replicates.csv", "annual.csv", "compare.json", *plots, *written],
            "versions": versions(),
        }
        (tmp / "compare.json").write_text(json.dumps(meta, indent=2, default=str))
    return target
