"""Designs of a sweep: the full grid of listed values, or Latin hypercube or Sobol points scaled to ranges."""

from __future__ import annotations

import itertools
import warnings

from sim.sweep.spec import Param


def qmc_engine(cls, d: int, seed: int, **kw):
    import inspect

    if "rng" in inspect.signature(cls).parameters:
        return cls(d, rng=seed, **kw)
    return cls(d, seed=seed, **kw)


def design_points(params: list[Param], design: str, samples: int | None, seed: int) -> list[dict]:
    """Grid: the full product (last key varies fastest). lhs/sobol: `samples` points scaled to the ranges."""
    keys = [p.key for p in params]
    if design == "grid":
        return [dict(zip(keys, combo)) for combo in itertools.product(*(p.grid_values() for p in params))]
    from scipy.stats import qmc

    d = len(params)
    if design == "lhs":
        engine = qmc_engine(qmc.LatinHypercube, d, seed)
    else:
        engine = qmc_engine(qmc.Sobol, d, seed, scramble=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol balance: warned about once, at spec level
        unit = engine.random(samples)
    lo, hi = zip(*(p.unit_bounds() for p in params))
    scaled = qmc.scale(unit, lo, hi)
    return [{p.key: p.from_continuous(x) for p, x in zip(params, row)} for row in scaled]

