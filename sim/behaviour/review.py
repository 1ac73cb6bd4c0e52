"""Review of applications (IOM 3.3.1, matrix 2.2.1).

Eligibility: at least one household member holds a qualification (IOM 3.3.1); applications may
also be refused for incomplete or unreliable documents (IOM matrix 2.2.1). Those that pass wait for
selection within the quota.
"""

from __future__ import annotations

from sim.behaviour.common import timer_done
from sim.protocol import ModelView
from sim.rng import declare
from sim.states import State

DOCUMENT_DEFECT = declare("document_defect", "selection", 0, "application refused for incomplete or unreliable documents", __name__)


def review(m: ModelView) -> None:
    """Applications whose review ends: refused, or passed on to selection."""
    done = timer_done(m, m.active_idx(State.REVIEW))
    if len(done) == 0:
        return
    defect = m.streams.draw(DOCUMENT_DEFECT, m.month, done) < m.b.doc_defect_rate
    refused = done[~m.hh.eligible[done] | defect]
    m.state[refused] = State.REJECTED
    m.record.rejections_hh[m.month] += len(refused)
    passed = done[m.hh.eligible[done] & ~defect]
    m.state[passed] = State.WAITLISTED
    m.queued_since[passed] = m.month
