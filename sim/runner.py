"""The Python API behind `relocsim run`: run a scenario for one or more replicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from sim.ensemble import ParameterEnsemble
from sim.model import RelocationModel
from sim.outcomes import flows_table, monthly_table, summary
from sim.scenario import Scenario


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

    def monthly_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.monthly, self.seeds))], ignore_index=True)

    def flows_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.flows, self.seeds))], ignore_index=True)


def run_scenario(scenario: Scenario, seed: int = 0, replicates: int = 1, scale: float | None = None,
                 on_month: Callable[[], None] | None = None, ensemble: ParameterEnsemble | None = None,
                 keep_models: bool = False, observe: Callable[[RelocationModel], Any] | None = None) -> RunResult:
    """Run `replicates` independent replicates of a scenario; `on_month` is called after each month.

    Each replicate has its own seed and, given an `ensemble`, its own draw from it, so the spread over
    replicates carries parameter uncertainty too; without one the behavioural parameters are the
    scenario's (schema defaults where it sets none). `observe(model)`, if given, is called with each
    replicate's model before it runs (to register observers, `RelocationModel.observe`); what it
    returns is kept in `RunResult.observations`.
    """
    seeds = replicate_seeds(seed, replicates)
    res = RunResult(scenario, seeds, float(scale if scale is not None else scenario.data["population"]["scale"]))
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
