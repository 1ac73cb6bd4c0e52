"""Elementwise maths the model's rules and phases share (the logistic and its inverse), kept outside
`sim.behaviour` so that the programme's rules (`sim.programme`) need not import the phases."""

from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p):
    """The log-odds of a share, the inverse of `sigmoid`."""
    return np.log(p) - np.log1p(-np.asarray(p))
