"""Returns, moves on within the north, and repayment (IOM executive summary: 770 of 9,206 returned;
IOM 3.4.4: social contract of 5 years, subsidies asked back on breach).

The monthly return hazard rises while the budget is in deficit, the head is jobless after three
months, the household has no housing, it has not adapted, or a divorced or widowed head has no
contacts in the region. A household may instead move on to the nearest other destination (secondary
movement, IOM rec. 6.2), jobless ones more often.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.adaptation import adapted
from sim.behaviour.awareness import add_contacts
from sim.protocol import ModelView
from sim.states import Housing, Job, Marital, State


MOVE_ON_JOBLESS_FACTOR = 3.0  # assumption: jobless households move on three times as often


def returns(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        m.return_risk = (idx, np.zeros(0))
        return
    b, hh, s, mo = m.b, m.hh, m.streams, m.month
    since = mo - m.arrival_month[idx]
    jobless = (m.job[idx] == Job.NONE) & ~hh.inactive[idx] & (since >= 3)
    unhoused = (m.housing_status[idx] == Housing.NONE) & (since >= 1)
    alone = (hh.marital[idx] >= Marital.DIVORCED) & ~m.has_contacts[idx]
    log_h = (np.log(max(b.return_base, 1e-12)) + b.return_w_money * m.deficit[idx] + b.return_w_jobless * jobless
             + b.return_w_unhoused * unhoused + b.return_w_unadapted * ~adapted(m, idx) + b.return_w_family * alone)
    p = 1.0 - np.exp(-np.exp(log_h))
    m.return_risk = (idx, p)  # for observers: the expected returns (calibration/observe.py)
    go = idx[s.uniform("returns", mo, idx) < p]
    if len(go):
        _return_home(m, go)
    stay = idx[m.state[idx] == State.ARRIVED]
    st_jobless = (m.job[stay] == Job.NONE) & ~hh.inactive[stay] & (mo - m.arrival_month[stay] >= 3)
    p_on = b.move_on_rate * np.where(st_jobless, MOVE_ON_JOBLESS_FACTOR, 1.0)
    mover = stay[s.uniform("returns", mo, stay, k=1) < p_on]
    if len(mover):
        _move_on(m, mover)


def _return_home(m: ModelView, who: np.ndarray) -> None:
    mo, prog, rec = m.month, m.prog, m.record
    d = m.first_dest[who].astype(np.int64)  # counted against the region they relocated to
    due = prog.repayment_due(m.subsidy_reloc[who], m.subsidy_rent[who], mo - m.arrival_month[who])
    pays = m.streams.uniform("returns", mo, who, k=2) < m.b.repayment_compliance
    m.reimbursed[who] += np.where(pays, due, 0.0)
    rec.reimbursed[mo] += float(np.where(pays, due, 0.0).sum())
    rec.asked_back[mo] += float(due.sum())
    m.state[who] = State.RETURNED
    m.return_month[who] = mo
    m.housing_status[who] = Housing.NONE
    m.job[who] = Job.NONE
    m.hired_month[who] = -1
    rec.returns_hh[mo] += len(who)
    np.add.at(rec.returns_persons_dest[mo], d, m.hh.size[who])
    add_contacts(m, who, m.mover_contacts, -1)


def _move_on(m: ModelView, who: np.ndarray) -> None:
    """Move to the nearest other destination open this year; housing and job search start again."""
    w, y = m.world, m.year_index
    km = w.dest_dest_km[m.dest[who].astype(np.int64)].copy()
    km[:, ~m.prog.active[y]] = np.inf
    km[np.arange(len(who)), m.dest[who]] = np.inf
    ok = np.isfinite(km.min(axis=1))
    who, km = who[ok], km[ok]
    m.record.moved_on_hh[m.month] += len(who)
    m.dest[who] = km.argmin(axis=1).astype(np.int8)
    m.housing_status[who] = Housing.NONE
    m.job[who] = Job.NONE
    m.hired_month[who] = -1
