"""Temporary accommodation, the rental market and housing quality (IOM Box 1, Tables 28-29,
matrix 2.2.2, recommendation 4; source 001).

Temporary accommodation centres hold an arrival for at most 10 days; their monthly capacity is a
lever and those who find no bed queue in order of arrival, staying meanwhile with acquaintances or in
a hostel. Households without housing search the rental market with each region's monthly success
rate from IOM Table 29, better while in a centre. The market
offers each region only so many flats a month, in towns and villages (`rentals_left`): when more
households find one than it offers, the rest keep searching. Provided housing may be unsuitable
for living (`poor_housing`); such households search the market too. Help to buy or build a home (recommendation 4.1) and economic mobility
certificates (source 001) turn renters into owners.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.common import fill_in_order, stochastic_round
from sim.protocol import ModelView
from sim.regions import DESTINATIONS
from sim.rng import declare
from sim.states import Housing, State, TempStatus

RENTAL_ROUNDING = declare("rental_rounding", "housing", 7, "rounding of the flats each region offers (per region and settlement type)", __name__)
CENTRE_ROUNDING = declare("centre_rounding", "arrival", 9, "rounding of each region's temporary accommodation places (per region)", __name__)
CENTRE_QUEUE_TIE = declare("centre_queue_tie", "arrival", 2, "order within a month in the queue for a temporary accommodation centre", __name__)
FLAT_FOUND = declare("flat_found", "housing", 1, "finds a flat on the rental market this month", __name__)
PURCHASE_HELP = declare("purchase_help", "housing", 2, "a renter buys or builds a home with the programme's help", __name__)


def housing(m: ModelView) -> None:
    _offer_rentals(m)
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    _temporary_accommodation(m, idx)
    _search(m, idx)
    _purchase_help(m, idx)


def _offer_rentals(m: ModelView) -> None:
    """This month's flats on offer to arrivals, split between towns and villages. Unlet flats stay on
    offer up to `rental_offer_months` months' worth (so that a thinly scaled market is not lumpier than the real one)."""
    offers = m.prog.rental_offers * m.scale
    rural = m.b.rural_destination_share
    expected = np.stack([offers * (1.0 - rural), offers * rural], axis=1)
    u = m.streams.draw(RENTAL_ROUNDING, m.month, np.arange(expected.size))
    inflow = stochastic_round(expected.ravel(), u).reshape(expected.shape)
    m.rentals_left = np.minimum(m.rentals_left + inflow, np.ceil(m.b.rental_offer_months * expected))


def _temporary_accommodation(m: ModelView, idx: np.ndarray) -> None:
    k = len(DESTINATIONS)
    # last month's guests have left (10-day stays)
    m.temp_status[idx[m.temp_status[idx] == TempStatus.IN_CENTRE]] = TempStatus.DONE
    left_centre = idx[(m.housing_status[idx] == Housing.TEMPORARY)]
    m.housing_status[left_centre] = Housing.NONE
    queue = idx[(m.temp_status[idx] == TempStatus.QUEUED) & (m.housing_status[idx] == Housing.NONE)]
    cap = stochastic_round(m.prog.temp_places * m.scale, m.streams.draw(CENTRE_ROUNDING, m.month, np.arange(k)))
    placed = queue[fill_in_order(m.dest[queue].astype(np.int64), m.arrival_month[queue] + m.streams.draw(CENTRE_QUEUE_TIE, m.month, queue),
                                 np.ones(len(queue)), cap.astype(float))]
    m.temp_status[placed] = TempStatus.IN_CENTRE
    m.housing_status[placed] = Housing.TEMPORARY
    m.record.temp_placed[m.month] += len(placed)
    m.record.temp_queue[m.month] += len(queue) - len(placed)


def _search(m: ModelView, idx: np.ndarray) -> None:
    hs = m.housing_status[idx]
    # households in provided housing unsuitable for living look for a flat as well
    seek = idx[(hs == Housing.NONE) | (hs == Housing.TEMPORARY) | ((hs == Housing.PROVIDED) & m.poor_housing[idx])]
    if len(seek) == 0:
        return
    b = m.b
    d = m.dest[seek].astype(np.int64)
    in_centre = m.housing_status[seek] == Housing.TEMPORARY
    effort = b.housing_search_multiplier * (1.0 + b.temp_accommodation_search_bonus * in_centre)
    p = 1.0 - (1.0 - m.world.housing_found_within_month[d]) ** effort
    u = m.streams.draw(FLAT_FOUND, m.month, seek)
    cand = seek[u < p]
    # the market's flats go to those who found one, in the order of the draw, while they last
    cell = m.dest[cand].astype(np.int64) * 2 + m.rural_dest[cand]
    let = fill_in_order(cell, u[u < p], np.ones(len(cand)), m.rentals_left.ravel().copy())
    found = cand[let]
    np.subtract.at(m.rentals_left.reshape(-1), cell[let], 1.0)
    m.housing_status[found] = Housing.RENTED
    m.poor_housing[found] = False
    m.housed_month[found[m.housed_month[found] < 0]] = m.month
    m.temp_status[found[m.temp_status[found] == TempStatus.QUEUED]] = TempStatus.DONE  # leaves the queue


def _purchase_help(m: ModelView, idx: np.ndarray) -> None:
    # certificate holders buy a home a few months after arrival, out of rented or poor housing (source 001)
    cert = idx[m.certificate[idx] & (m.month - m.arrival_month[idx] == m.b.certificate_months) & (m.housing_status[idx] != Housing.OWN)]
    m.housing_status[cert] = Housing.OWN
    m.poor_housing[cert] = False
    m.housed_month[cert[m.housed_month[cert] < 0]] = m.month
    m.temp_status[cert[m.temp_status[cert] == TempStatus.QUEUED]] = TempStatus.DONE
    share = m.prog.purchase_help
    if share <= 0:
        return
    renters = idx[m.housing_status[idx] == Housing.RENTED]
    p = 1.0 - (1.0 - share) ** (1.0 / 12.0)
    owners = renters[m.streams.draw(PURCHASE_HELP, m.month, renters) < p]
    m.housing_status[owners] = Housing.OWN
