"""The Python API behind `relocsim run`: run a scenario for one or more replicates."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class RunResult:
    scenario: Scenario
    seeds: list[int]
    scale: float
    summaries: list[dict] = field(default_factory=list)
    monthly: list[pd.DataFrame] = field(default_factory=list)
    flows: list[pd.DataFrame] = field(default_factory=list)

    def monthly_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.monthly, self.seeds))], ignore_index=True)

    def flows_long(self) -> pd.DataFrame:
        return pd.concat([df.assign(replicate=i, seed=s) for i, (df, s) in enumerate(zip(self.flows, self.seeds))], ignore_index=True)


def run_scenario(scenario: Scenario, seed: int = 0, replicates: int = 1, scale: float | None = None,
                 on_month: Callable[[], None] | None = None) -> RunResult:
    """Run `replicates` independent replicates of a scenario; `on_month` is called after each month."""
    seeds = replicate_seeds(seed, replicates)
    res = RunResult(scenario, seeds, float(scale if scale is not None else scenario.data["population"]["scale"]))
    for s in seeds:
        model = RelocationModel(scenario, seed=s, scale=res.scale)
        model.run(progress=(lambda _m: on_month()) if on_month else None)
        res.summaries.append(summary(model))
        res.monthly.append(monthly_table(model))
        res.flows.append(flows_table(model))
    return res
