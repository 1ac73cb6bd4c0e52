"""Selection within the annual quota (IOM Table 23, section 3.3.4; source 001).

Eligible applicants are approved first come, first served while the destination's quota for the year
lasts (released to the regional commissions in monthly tranches; families are included whole), and
wait-listed otherwise; a wait-listed household gives up after `waitlist_max_months`. Applicants are
told before choosing a region whether its quota has room (`informed_room`, source 001).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.awareness import refresh
from sim.behaviour.common import fill_in_order, size_ahead, start_delay
from sim.protocol import ModelView
from sim.rng import declare
from sim.states import State

WAITLIST_TIE = declare("waitlist_tie", "selection", 1, "order within a month among wait-listed applicants", __name__)
MOVING_DELAY = declare("moving_delay", "moving", 0, "months from approval to arrival", __name__, rounds=2)


def commission_room(m: ModelView) -> np.ndarray:
    """Persons the regional commissions may still include this month (IOM 3.3.4: commissions include
    applicants in the regional quota as they review them, through the year). With even release, by
    the end of month k of the year at most k/12 of the year's quota is taken; what a month leaves
    unused carries over to the next months of the same year."""
    if not m.prog.even_release:
        return m.quota_left
    released = m.quota_year * (m.month % 12 + 1) // 12
    return np.maximum(released - (m.quota_year - m.quota_left), 0)


PIPELINE = (State.REVIEW, State.WAITLISTED)


def informed_room(m: ModelView) -> tuple[np.ndarray, np.ndarray]:
    """(tranche room, year room) in persons of each destination, as the career centre tells an
    applicant choosing a region (source 001: applicants are told about inclusion in the regional quota
    before choosing). Tranche room: the quota the commissions will have released `informed_months`
    ahead (all of the year's without even release) less what was approved this year and what submitted
    applications (under review or wait-listed) claim; year room: the year's quota left less those claims.
    A family may take the last of the tranche room whole, but must fit in the year's."""
    under_way = np.concatenate([m.active_idx(s) for s in PIPELINE])
    claimed = np.bincount(m.dest[under_way].astype(np.int64), weights=m.hh.size[under_way], minlength=len(m.quota_year))
    year_room = m.quota_left - claimed
    if not m.prog.even_release:
        return year_room, year_room
    months = min(m.month % 12 + 1 + m.prog.informed_months, 12)
    return m.quota_year * months // 12 - (m.quota_year - m.quota_left) - claimed, year_room


def within_tranche(dest: np.ndarray, key: np.ndarray, size: np.ndarray, year_left: np.ndarray, tranche: np.ndarray) -> np.ndarray:
    """Households the commissions include this month: in order of application, those that fit the
    year's remaining quota (a smaller family may go ahead of a larger one that does not), while the
    month's released tranche is not used up. Families are included whole, so the last one may overrun
    the tranche (never the year's quota): otherwise a tranche smaller than a family, as in a small
    region or a scaled-down run, would keep every family waiting for months."""
    cand = np.flatnonzero(fill_in_order(dest, key, size, year_left, skip_ahead=True))
    ok = np.zeros(len(dest), bool)
    ok[cand] = size_ahead(dest[cand], key[cand], size[cand]) < tranche[dest[cand]]
    return ok


def selection(m: ModelView) -> None:
    """Approve wait-listed households in order of application while the year's quota lasts."""
    idx = m.active_idx(State.WAITLISTED)
    if len(idx) == 0:
        return
    tie = m.streams.draw(WAITLIST_TIE, m.month, idx)
    key = m.queued_since[idx] + tie
    ok = within_tranche(m.dest[idx].astype(np.int64), key, m.hh.size[idx], m.quota_left, commission_room(m))
    approved = idx[ok]
    if len(approved):
        m.approval_month[approved] = m.month
        persons = np.bincount(m.dest[approved], weights=m.hh.size[approved], minlength=len(m.quota_left)).astype(np.int64)
        m.quota_left -= persons
        m.record.approved_persons_year[m.year_index] += persons
        m.record.approvals_hh[m.month] += len(approved)
        m.state[approved] = State.MOVING
        start_delay(m, approved, "moving", MOVING_DELAY)
    waiting = idx[~ok]
    too_long = waiting[m.month - m.queued_since[waiting] >= m.b.waitlist_max_months]
    if len(too_long):
        m.state[too_long] = State.AWARE
        m.dest[too_long] = -1
        m.queued_since[too_long] = -1
        m.record.gave_up_hh[m.month] += len(too_long)
        refresh(m, too_long)
