"""Temporary accommodation and the housing search (IOM Box 1, Tables 28-29, recommendation 4).

Temporary accommodation centres hold an arrival for at most 10 days; their monthly capacity is a
lever and those who find no bed queue in order of arrival. Households without housing search the
rental market with each region's monthly success rate from IOM Table 29, better while in a centre.
Help to buy or build a home (recommendation 4.1) turns renters into owners.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.common import fill_in_order, stochastic_round
from sim.protocol import ModelView
from sim.regions import DESTINATIONS
from sim.states import Housing, State, TempStatus


def housing(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    _temporary_accommodation(m, idx)
    _search(m, idx)
    _purchase_help(m, idx)


def _temporary_accommodation(m: ModelView, idx: np.ndarray) -> None:
    k = len(DESTINATIONS)
    # last month's guests have left (10-day stays)
    m.temp_status[idx[m.temp_status[idx] == TempStatus.IN_CENTRE]] = TempStatus.DONE
    left_centre = idx[(m.housing_status[idx] == Housing.TEMPORARY)]
    m.housing_status[left_centre] = Housing.NONE
    queue = idx[(m.temp_status[idx] == TempStatus.QUEUED) & (m.housing_status[idx] == Housing.NONE)]
    cap = stochastic_round(m.prog.temp_places * m.scale, m.streams.uniform("arrival", m.month, np.arange(k), k=9))
    placed = queue[fill_in_order(m.dest[queue].astype(np.int64), m.arrival_month[queue] + m.streams.uniform("arrival", m.month, queue, k=2),
                                 np.ones(len(queue)), cap.astype(float))]
    m.temp_status[placed] = TempStatus.IN_CENTRE
    m.housing_status[placed] = Housing.TEMPORARY
    m.record.temp_placed[m.month] += len(placed)
    m.record.temp_queue[m.month] += len(queue) - len(placed)


def _search(m: ModelView, idx: np.ndarray) -> None:
    seek = idx[(m.housing_status[idx] == Housing.NONE) | (m.housing_status[idx] == Housing.TEMPORARY)]
    if len(seek) == 0:
        return
    b = m.b
    d = m.dest[seek].astype(np.int64)
    in_centre = m.housing_status[seek] == Housing.TEMPORARY
    effort = b.housing_search_multiplier * (1.0 + b.temp_accommodation_search_bonus * in_centre)
    p = 1.0 - (1.0 - m.world.housing_found_within_month[d]) ** effort
    found = seek[m.streams.uniform("housing", m.month, seek, k=1) < p]
    m.housing_status[found] = Housing.RENTED
    m.housed_month[found[m.housed_month[found] < 0]] = m.month
    m.temp_status[found[m.temp_status[found] == TempStatus.QUEUED]] = TempStatus.DONE  # leaves the queue


def _purchase_help(m: ModelView, idx: np.ndarray) -> None:
    share = m.prog.purchase_help
    if share <= 0:
        return
    renters = idx[m.housing_status[idx] == Housing.RENTED]
    p = 1.0 - (1.0 - share) ** (1.0 / 12.0)
    owners = renters[m.streams.uniform("housing", m.month, renters, k=2) < p]
    m.housing_status[owners] = Housing.OWN
