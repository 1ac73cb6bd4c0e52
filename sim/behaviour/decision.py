"""Deciding and choosing a destination (IOM Tables 17-20).

A considering household either gives up (back to aware) or picks a destination region with a
multinomial logit over the regions open this year: jobs in its sector, distance from home,
contacts already living there, housing provided by the authorities, and winter severity. Then it
starts collecting documents (IOM Table 22).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.awareness import refresh
from sim.behaviour.common import choose
from sim.protocol import ModelView
from sim.regions import DESTINATIONS
from sim.states import Channel, DecisionMode, State


def contacts_by_destination(m: ModelView, who: np.ndarray) -> np.ndarray:
    """(len(who) x destinations) count of each household's contacts living in each region now."""
    owner, nb = m.net.neighbours(who)
    there = m.state[nb] == State.ARRIVED
    k = len(DESTINATIONS)
    flat = np.bincount(owner[there] * k + m.dest[nb[there]], minlength=len(who) * k)
    return flat.reshape(len(who), k)


SURVEYED = ("north_kazakhstan", "pavlodar", "kostanay", "east_kazakhstan")  # regions with a destination constant


def destination_constants(b) -> np.ndarray:
    """Destination constants of the logit (0 for regions without one): IOM Table 10 identifies them."""
    return np.array([getattr(b, f"choice_asc_{r}") if r in SURVEYED else 0.0 for r in DESTINATIONS])


def destination_utility(m: ModelView, who: np.ndarray, contacts: np.ndarray) -> np.ndarray:
    b, w, hh = m.b, m.world, m.hh
    vac = (w.vacancy_stock * m.prog.vacancy_multiplier)[:, hh.sector[who]].T * m.prog.vacancy_index[m.year_index]
    u = (b.choice_w_jobs * np.log1p(vac)
         + b.choice_w_distance * w.origin_dest_km[hh.origin[who]] / 1000.0
         + b.choice_w_network * np.log1p(contacts)
         + b.choice_w_housing * m.prog.provided_share[None, :]
         + b.choice_w_climate * w.winter_severity[None, :]
         + destination_constants(b)[None, :])
    return np.where(m.prog.active[m.year_index][None, :], u, -np.inf)


def _decision_mode(m: ModelView, who: np.ndarray) -> None:
    """How the decision was taken (IOM Table 14): with contacts who relocated, with relatives and
    friends who told of the programme, or independently in the family circle."""
    consult = m.streams.uniform("decision", m.month, who, k=1) < m.b.consult_share
    movers = m.mover_contacts[who] > 0
    network = m.aware_channel[who] >= Channel.NETWORK  # heard from relatives and friends, or from movers
    m.decision_mode[who] = np.where(consult & movers, DecisionMode.WITH_RELOCATED,
                                    np.where(consult & network, DecisionMode.WITH_RELATIVES, DecisionMode.INDEPENDENT))


def deciding(m: ModelView) -> None:
    """Households that considered relocating last month give up for now or choose a destination."""
    idx = m.deciding_idx()
    if len(idx):
        decide(m, idx)


def decide(m: ModelView, who: np.ndarray) -> None:
    b = m.b
    give_up = m.streams.uniform("decision", m.month, who) < b.decide_drop_rate
    if not m.prog.active[m.year_index].any():
        give_up[:] = True  # no destination takes anyone this year
    stop = who[give_up]
    if len(stop):
        m.state[stop] = State.AWARE
        refresh(m, stop)
    go = who[~give_up]
    if len(go) == 0:
        return
    util = destination_utility(m, go, contacts_by_destination(m, go))
    prob = np.exp(util - util.max(axis=1, keepdims=True))
    m.dest[go] = choose(prob, m.streams.uniform("destination", m.month, go)).astype(np.int8)
    m.state[go] = State.COLLECTING
    m.collect_month[go] = m.month
    m.timer[go] = m.prog.draw_delay("documents", m.streams.uniform("documents", m.month, go),
                                    m.streams.uniform("documents", m.month, go, k=1))[0]
    _decision_mode(m, go)
    m.add_active(go)
