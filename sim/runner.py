"""The Python API behind `relocsim run`: run a scenario for one or more replicates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from sim.model import RelocationModel
from sim.outcomes import flows_table, monthly_table, summary
from sim.scenario import Scenario


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Distinct seeds for replicates: the seed itself for one, SeedSequence children for more."""
    if replicates == 1:
        return [int(seed)]
    return [int(c.generate_state(1)[0]) for c in np.random.SeedSequence(int(seed)).spawn(replicates)]


PARAMETER_SOURCES = ("posterior", "defaults")


def parameters_for(scenario: Scenario, seed: int, parameters: str = "posterior",
                   posterior: Path | None = None) -> tuple[Scenario, int | None]:
    """The scenario with this replicate's behavioural parameters: a draw from the calibrated ensemble
    (`calibration/posterior.csv`) unless `parameters` is "defaults" or no ensemble is shipped.
    Parameters the scenario or --set gave explicitly are kept; `posterior` names another ensemble file.
    Returns (scenario, trial id or None)."""
    if parameters not in PARAMETER_SOURCES:
        raise ValueError(f"parameters: {parameters!r} not allowed; allowed: {', '.join(PARAMETER_SOURCES)}")
    if parameters == "defaults":
        return scenario, None
    from calibration.ensemble import SURVEY_PARAMETERS, load_posterior, posterior_draw

    post = load_posterior() if posterior is None else load_posterior(posterior)
    if post is None:
        return scenario, None
    trial, params = posterior_draw(post, seed)
    return scenario.with_behaviour({k: v for k, v in params.items() if k not in SURVEY_PARAMETERS}), trial


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

    def monthly_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.monthly, self.seeds))], ignore_index=True)

    def flows_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.flows, self.seeds))], ignore_index=True)


def run_scenario(scenario: Scenario, seed: int = 0, replicates: int = 1, scale: float | None = None,
                 on_month: Callable[[], None] | None = None, parameters: str = "posterior", keep_models: bool = False,
                 posterior: Path | None = None) -> RunResult:
    """Run `replicates` independent replicates of a scenario; `on_month` is called after each month.

    Each replicate has its own seed and, with `parameters="posterior"`, its own draw from the
    calibrated parameter ensemble, so the spread over replicates carries parameter uncertainty too.
    """
    seeds = replicate_seeds(seed, replicates)
    res = RunResult(scenario, seeds, float(scale if scale is not None else scenario.data["population"]["scale"]))
    for s in seeds:
        sc, trial = parameters_for(scenario, s, parameters, posterior)
        res.parameter_sets.append(trial)
        model = RelocationModel(sc, seed=s, scale=res.scale)
        model.run(progress=(lambda _m: on_month()) if on_month else None)
        res.summaries.append(summary(model))
        res.monthly.append(monthly_table(model))
        res.flows.append(flows_table(model))
        if keep_models:
            res.models.append(model)
    return res
