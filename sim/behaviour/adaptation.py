"""Adaptation (IOM Tables 40-43): an arrival adapts once its months in the region reach the months
its difficulty needs (set on arrival); the employment outcome at 12 months is recorded here too."""

from __future__ import annotations

import numpy as np

from sim.protocol import ModelView
from sim.states import Job, Known, State


def adaptation(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    since = m.month - m.arrival_month[idx]
    at6 = idx[since == 6]
    m.jobless_6m[at6] = (m.job[at6] == Job.NONE) & ~m.hh.inactive[at6]
    at12 = idx[since == 12]
    m.employed_12m[at12] = np.where(m.job[at12] != Job.NONE, Known.YES, Known.NO)


def adapted(m: ModelView, idx: np.ndarray) -> np.ndarray:
    return (m.month - m.arrival_month[idx]) >= m.adapt_needed[idx]
