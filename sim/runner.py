"""The Python API behind `relocsim run`: run a scenario for one or more replicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.ensemble import ParameterEnsemble
from sim.model import RelocationModel
from sim.nested import flatten
from sim.outcomes import flows_table, monthly_table, summary
from sim.inputs import override_items, parse_override
from sim.scenario import Scenario, apply_overrides, from_dict, load


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Distinct seeds for replicates: the seed itself for one, SeedSequence children for more."""
    if replicates == 1:
        return [int(seed)]
    return [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(int(seed)).spawn(replicates)]


def parameters_for(scenario: Scenario, seed: int, ensemble: ParameterEnsemble | None = None) -> tuple[Scenario, int | None]:
    """The scenario with this replicate's behavioural parameters: a draw from `ensemble` (e.g. the
    calibrated one, `calibration.ensemble.posterior()`), or the scenario as it is without one.
    Parameters the scenario or --set gave explicitly are kept. Returns (scenario, trial id or None)."""
    if ensemble is None:
        return scenario, None
    trial, params = ensemble.behaviour_draw(seed)
    return scenario.with_behaviour(params), trial


def with_overrides(scenario: Scenario | str | Path, overrides: Sequence[str] | Mapping[str, Any] | None = None) -> Scenario:
    """A scenario (object, shipped name or path) with overrides applied: `--set` strings or a
    {dotted key: value} dict, validated like `relocsim run --set`."""
    if not isinstance(scenario, Scenario):
        return load(scenario, overrides)
    items = override_items(overrides)
    if not items:
        return scenario
    where = f"{scenario.source} (with overrides)"
    given = {path[1] for path, _v in map(parse_override, items) if path[0] == "behaviour" and len(path) > 1}
    data = apply_overrides(scenario.data, items)
    if not data.get("starts"):
        data.pop("starts", None)   # filled in as 0 (unset), which the schema's range refuses when given
    new = from_dict(data, where)
    before = with_overrides(scenario.before, items) if scenario.before is not None else None
    return Scenario(str(data.get("name") or scenario.name), where, new.data,
                    scenario.explicit_behaviour | given, before)


@dataclass
class RunResult:
    scenario: Scenario
    seeds: list[int]
    scale: float
    parameter_sets: list = field(default_factory=list)
    models: list = field(default_factory=list)
    summaries: list[dict] = field(default_factory=list)
    monthly: list[pd.DataFrame] = field(default_factory=list)
    flows: list[pd.DataFrame] = field(default_factory=list)
    observations: list = field(default_factory=list)  # what `observe` returned for each replicate
    seed: int | None = None                           # the base seed the replicate seeds derive from

    def monthly_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.monthly, self.seeds))], ignore_index=True)

    def flows_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.flows, self.seeds))], ignore_index=True)

    def summary_frame(self) -> pd.DataFrame:
        """A tidy table of the outcomes: one row per replicate (with its seed and parameter set), one
        column per scalar outcome of the run summary (nested keys joined with dots)."""
        rows = []
        for i, (s, summ) in enumerate(zip(self.seeds, self.summaries)):
            trial = self.parameter_sets[i] if i < len(self.parameter_sets) else None
            scalars = {k: v for k, v in flatten(summ).items() if v is None or isinstance(v, (bool, int, float, str))}
            rows.append({"replicate": i, "seed": s, "parameter_set": trial, **scalars})
        return pd.DataFrame(rows)

    def plot(self, outcome: str = "in_destination_persons", ax=None):
        """One monthly outcome over time, a line per replicate (labels and units from sim.labels);
        returns the matplotlib Axes. `outcome`: a column of `monthly_long()`."""
        import matplotlib.pyplot as plt

        from sim.labels import label

        df = self.monthly_long()
        if outcome not in df.columns or outcome in ("year", "month", "replicate", "seed"):
            raise ValueError(f"outcome {outcome!r}: not a monthly outcome; allowed: "
                             f"{', '.join(c for c in df.columns if c not in ('year', 'month', 'replicate', 'seed'))}")
        ax = ax if ax is not None else plt.subplots(figsize=(8, 4))[1]
        for _rep, sub in df.groupby("replicate"):
            ax.plot(sub["year"] + (sub["month"] - 1) / 12, sub[outcome], lw=1, alpha=0.8, label=f"seed {sub['seed'].iloc[0]}")
        ax.set_xlabel("year")
        ax.set_title(f"{self.scenario.name}: {label(outcome).text}")
        ax.set_ylabel(label(outcome).unit or "")
        if len(self.seeds) <= 10:
            ax.legend(fontsize=7)
        return ax


def run_scenario(scenario: Scenario | str | Path, seed: int = 0, replicates: int = 1, scale: float | None = None,
                 on_month: Callable[[], None] | None = None, ensemble: ParameterEnsemble | None = None,
                 keep_models: bool = False, observe: Callable[[RelocationModel], Any] | None = None,
                 overrides: Sequence[str] | Mapping[str, Any] | None = None) -> RunResult:
    """Run `replicates` independent replicates of a scenario; `on_month` is called after each month.

    `scenario`: a `Scenario`, a shipped scenario's name or a path; `overrides`: `--set` strings or a
    {dotted key: value} dict applied (and validated) first, e.g. {"time.end_year": 2016}.

    Each replicate has its own seed and, given an `ensemble`, its own draw from it, so the spread over
    replicates carries parameter uncertainty too; without one the behavioural parameters are the
    scenario's (schema defaults where it sets none). `observe(model)`, if given, is called with each
    replicate's model before it runs (to register observers, `RelocationModel.observe`); what it
    returns is kept in `RunResult.observations`.
    """
    scenario = with_overrides(scenario, overrides)
    seeds = replicate_seeds(seed, replicates)
    res = RunResult(scenario, seeds, float(scale if scale is not None else scenario.data["population"]["scale"]),
                    seed=int(seed))
    for s in seeds:
        sc, trial = parameters_for(scenario, s, ensemble)
        res.parameter_sets.append(trial)
        model = RelocationModel(sc, seed=s, scale=res.scale)
        if observe is not None:
            res.observations.append(observe(model))
        model.run(progress=(lambda _m: on_month()) if on_month else None)
        res.summaries.append(summary(model))
        res.monthly.append(monthly_table(model))
        res.flows.append(flows_table(model))
        if keep_models:
            res.models.append(model)
    return res
