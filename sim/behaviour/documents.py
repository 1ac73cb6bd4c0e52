"""Collecting the documents and applying (IOM Tables 21-22).

A household that chose a destination collects its documents for the months drawn from the survey's
categories, then submits its application, which goes under review for the months the review takes.
"""

from __future__ import annotations

from sim.behaviour.common import start_delay, timer_done
from sim.protocol import ModelView
from sim.rng import declare
from sim.states import State

PROCESSING_DELAY = declare("processing_delay", "processing", 0, "months the review of an application takes", __name__, rounds=2)


def documents(m: ModelView) -> None:
    """Households collecting documents count down; those done submit their application."""
    done = timer_done(m, m.active_idx(State.COLLECTING))
    if len(done) == 0:
        return
    m.state[done] = State.REVIEW
    first = done[m.application_month[done] < 0]  # never applied before (a household that gave up may apply again)
    m.record.applications_first_hh[m.month] += len(first)
    m.application_month[done] = m.month
    start_delay(m, done, "processing", PROCESSING_DELAY)
    m.record.applications_hh[m.month] += len(done)
    m.record.applications_persons[m.month] += int(m.hh.size[done].sum())
