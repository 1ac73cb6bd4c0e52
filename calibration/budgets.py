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
