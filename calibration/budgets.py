"""Budgets of `relocsim calibrate`: how many trials, replicates per trial and at what scale.

Kept apart from `calibration.calibrate` (which needs Optuna) so that the command line can list them
without importing the calibration machinery.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    trials: int
    replicates: int
    scale: float
    end_year: int = 2021           # the survey (January 2021) and official counts to 2020 need no later years
    accept_fraction: float = 0.1
    min_accept: int = 8


BUDGETS = {
    "quick": Budget(trials=24, replicates=1, scale=0.05),   # under a minute on 2 cores (15 s measured)
    "full": Budget(trials=400, replicates=2, scale=0.1),    # 10-20 minutes on 2 cores
    # from the shipped ensemble, with more replicates per trial: after a model change, or to sharpen
    # the ensemble without favouring sets that fit a few lucky seeds (docs/ODD.md 8.2); ~10 minutes
    "refine": Budget(trials=200, replicates=4, scale=0.1),
}
WARM_STARTED = {"refine"}         # budgets that warm-start from calibration/posterior.csv by default
WRITES_SHIPPED = {"full", "refine"}  # budgets whose ensemble replaces calibration/posterior.csv by default


@dataclass(frozen=True)
class HistoryBudget:
    """History matching (`calibration.history`): evaluations per wave, replicates (seeds) per evaluation,
    the fresh-seed replicates of each accepted set, the most sets kept, and the implausibility settings."""
    per_wave: tuple[int, ...]
    replicates: int
    scale: float
    fresh_replicates: int
    ensemble: int = 150           # at most this many sets are kept (a random subset of the non-implausible)
    end_year: int = 2021
    cutoff: float = 3.0           # implausibility cut-off
    which: int = 2                # the second-largest statistic's implausibility is compared with it
    draws: int = 4000             # uniform draws of the box per rejection round when sampling the NROY
    rounds: int = 10


HISTORY_BUDGETS = {
    # CI: two waves (8, then 6) at scale 0.005, one seed each; the sets kept re-scored on one fresh seed each
    "quick": HistoryBudget(per_wave=(8, 6), replicates=1, scale=0.005, fresh_replicates=1, ensemble=6, draws=2000, rounds=3),
    # the first three waves of `full` (the same designs and seeds), at most 100 sets kept; 35 minutes on 2
    # cores shared with other work, fresh seeds included (calibration/README.md: the run of 4 December 2026)
    "standard": HistoryBudget(per_wave=(160, 130, 120), replicates=2, scale=0.1, fresh_replicates=2, ensemble=100),
    # 4 waves, 2 seeds per set at scale 0.1: about 1,100 search runs and 300 fresh runs, at 2-3 s a run: under an hour on 2 cores
    "full": HistoryBudget(per_wave=(160, 130, 120, 140), replicates=2, scale=0.1, fresh_replicates=2, ensemble=150),
    # many workers: more sets per wave and more seeds per set, for a tighter replicate variance
    "cluster": HistoryBudget(per_wave=(400, 300, 300, 300, 300), replicates=4, scale=0.1, fresh_replicates=8,
                             ensemble=300, draws=20000),
}
