"""Adaptation (IOM Tables 40-43): an arrival adapts once its months in the region reach the months
its difficulty needs (set on arrival). Two employment outcomes are recorded here too: problems with
getting a job (IOM Table 27: jobless at 6 months after arrival; before then, jobless so far, so that a
recent arrival answers from what it has lived), and employment at 12 months."""

from __future__ import annotations

import numpy as np

from sim.protocol import ModelView
from sim.states import Job, Known, State

JOB_PROBLEMS_MONTHS = 6  # the survey's "period following arrival" for a job (issue 19; docs/ODD.md 8.7)


def adaptation(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    since = m.month - m.arrival_month[idx]
    early = idx[since <= JOB_PROBLEMS_MONTHS]  # kept up to date in the first 6 months, frozen at 6
    m.job_problems[early] = (m.job[early] == Job.NONE) & ~m.hh.inactive[early]
    at12 = idx[since == 12]
    m.employed_12m[at12] = np.where(m.job[at12] != Job.NONE, Known.YES, Known.NO)


def adapted(m: ModelView, idx: np.ndarray) -> np.ndarray:
    return (m.month - m.arrival_month[idx]) >= m.adapt_needed[idx]
