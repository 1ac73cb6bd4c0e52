"""An analytic stand-in for the model with a known front, so tests can check the search recovers it.

Levers `x` and `y` in [0, 1]: persons retained = 1000 x, programme cost = 1e9 (x^2 + y) plus a
replicate's noise that is the same for every candidate (common random numbers), the largest year's
cost = cost / 4. `y` only adds cost, so the front is y = 0 with x spread over [0, 1] (up to the cap).
"""

from __future__ import annotations

import numpy as np


def synthetic_evaluator(task: dict) -> dict[str, float]:
    x, y = float(task["values"].get("x", 0.0)), float(task["values"].get("y", 0.0))
    noise = float(np.random.default_rng(task["seed"] % 2**32).normal()) * 1e7
    cost = 1e9 * (x * x + y) + noise
    return {"retained_24m_persons": 1000.0 * x + noise * 1e-6, "programme_cost_tenge": cost,
            "return_share_24m": 0.3 - 0.1 * x, "employed_share_12m": 0.5, "relocated_persons": 2000.0 * x,
            "max_annual_cost_tenge": cost / 4, "cost_per_retained_24m_tenge": cost / max(1000.0 * x, 1.0)}
