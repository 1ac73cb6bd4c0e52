"""Deciding and choosing a destination (IOM Tables 17-20).

A considering household either gives up (back to aware) or picks a destination region with a
multinomial logit over the regions open this year: jobs in its sector, distance from home,
contacts already living there, housing provided by the authorities, winter severity, and a destination
constant that moves by year (`destination_constants`), among the
regions the career centre says have quota room (source 001); told that none has, it decides again
next month (and may give up meanwhile, `decide_drop_rate`). Then it
starts collecting documents (IOM Table 22).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.selection import informed_room
from sim.behaviour.awareness import refresh
from sim.behaviour.common import choose, size_ahead, start_delay
from sim.protocol import ModelView
from sim.maths import logit, sigmoid
from sim.regions import DESTINATIONS
from sim.rng import declare
from sim.schema import BEHAVIOUR, SURVEYED
from sim.states import Channel, DecisionMode, State

ROOM_ROUNDS = int(BEHAVIOUR.fields["room_rounds"].hi)  # the draws declared: enough for any allowed `room_rounds`

GIVE_UP = declare("give_up", "decision", 0, "a considering household gives up for now", __name__)
CONSULT = declare("consult", "decision", 1, "the decision was taken with others rather than independently", __name__)
DESTINATION = declare("destination", "destination", 0, "the destination chosen (round r: after r choices filled up)", __name__,
                      rounds=ROOM_ROUNDS, stride=2)
ROOM_ORDER = declare("room_order", "destination", 1, "the order in which this month's choosers take a region's room", __name__,
                     rounds=ROOM_ROUNDS, stride=2)
DOCUMENTS_DELAY = declare("documents_delay", "documents", 0, "months collecting the documents takes", __name__, rounds=2)


def contacts_by_destination(m: ModelView, who: np.ndarray) -> np.ndarray:
    """(len(who) x destinations) count of each household's contacts living in each region now."""
    owner, nb = m.net.neighbours(who)
    there = m.state[nb] == State.ARRIVED
    k = len(DESTINATIONS)
    flat = np.bincount(owner[there] * k + m.dest[nb[there]], minlength=len(who) * k)
    return flat.reshape(len(who), k)


def _surveyed(b, prefix: str) -> np.ndarray:
    """Per destination, the parameter `prefix` + region of the surveyed regions, 0 elsewhere."""
    return np.array([getattr(b, prefix + r) if r in SURVEYED else 0.0 for r in DESTINATIONS])


def destination_constants(m: ModelView) -> np.ndarray:
    """This year's destination constants of the logit (0 for regions without one): IOM Table 10 identifies
    their level; the official arrivals' drift between periods moves them by year (`sim.drift`); before the
    2016 list of destinations (`early_until`) the early phase's shifts apply (IOM Table 3 by region)."""
    b = m.b
    asc = _surveyed(b, "choice_asc_") + m.prog.destination_drift[m.year_index]
    return asc + _surveyed(b, "early_asc_") if m.year < b.early_until else asc


def destination_utility(m: ModelView, who: np.ndarray, contacts: np.ndarray) -> np.ndarray:
    b, w, hh = m.b, m.world, m.hh
    vac = (w.vacancy_stock * m.prog.vacancy_multiplier)[:, hh.sector[who]].T * m.prog.vacancy_index[m.year_index]
    u = (b.choice_w_jobs * np.log1p(vac)
         + b.choice_w_distance * w.origin_dest_km[hh.origin[who]] / 1000.0
         + b.choice_w_network * np.log1p(contacts)
         + b.choice_w_housing * m.prog.provided_share[None, :]
         + b.choice_w_climate * w.winter_severity[None, :]
         + destination_constants(m)[None, :]
         + _surveyed(b, "choice_w_centre_")[None, :] * (m.aware_channel[who] == Channel.EMPLOYMENT_CENTRE)[:, None])
    if m.prog.rent_by_region:   # a region that pays more rent subsidy draws more choosers (issue 20)
        u = u + b.choice_w_rent * regional_rent_gain(m)[None, :]
    return np.where(m.prog.active[m.year_index][None, :], u, -np.inf)


def regional_rent_gain(m: ModelView) -> np.ndarray:
    """Per destination, the rent subsidy over its months above the national rate (`rent_subsidy.by_region_price`:
    the rate times the region's rent price index), in years of the mean wage, as the decision's pull is measured."""
    p = m.prog
    per_year_wage = 12.0 * float(m.wage_mci.mean())
    return p.rent_months * float(p.rent_mci.mean()) * (m.world.rent_price_index - 1.0) / per_year_wage


def _decision_mode(m: ModelView, who: np.ndarray) -> None:
    """How the decision was taken (IOM Table 14): a household that consulted others did so with
    contacts who relocated if it has any, else with relatives and friends (whoever told it of the
    programme: IOM asked how the decision was taken, not how the news came); the rest decided
    independently in the family circle. The chance of consulting is `consult_share` shifted in log-odds by
    the destination's `consult_shift_*` (IOM Table 14 by region)."""
    b = m.b
    with np.errstate(divide="ignore"):  # a share of 0 or 1 is a log-odds of -inf or inf: no shift moves it
        chance = sigmoid(logit(b.consult_share) + _surveyed(b, "consult_shift_")[m.dest[who]])
    consult = m.streams.draw(CONSULT, m.month, who) < chance
    movers = m.mover_contacts[who] > 0
    m.decision_mode[who] = np.where(consult & movers, DecisionMode.WITH_RELOCATED,
                                    np.where(consult, DecisionMode.WITH_RELATIVES, DecisionMode.INDEPENDENT))


def _pick(m: ModelView, who: np.ndarray, util: np.ndarray, rnd: int) -> np.ndarray:
    """A destination per household from the logit's utilities (round `rnd` of the month's choices)."""
    return choose(np.exp(util - util.max(axis=1, keepdims=True)), m.streams.draw(DESTINATION, m.month, who, rnd))


def _choose_with_room(m: ModelView, who: np.ndarray, util: np.ndarray) -> np.ndarray:
    """Destinations chosen among the regions the career centre says have room (-1: none has).

    This month's choosers take a region's room in a random order, whole families (the last may
    overrun the tranche, never the year's quota); one who finds its choice taken chooses again among
    the regions still open."""
    tranche, year = (r.astype(np.float64) for r in informed_room(m))
    dest = np.full(len(who), -1, np.int64)
    pending = np.arange(len(who))
    size_all = m.hh.size[who].astype(np.float64)
    for k in range(m.b.room_rounds):
        u = util[pending].copy()
        u[:, (tranche <= 0) | (year < 1)] = -np.inf
        open_ = np.isfinite(u.max(axis=1))
        pending = pending[open_]
        if len(pending) == 0:
            break
        u = u[open_]
        pick = _pick(m, who[pending], u, k)
        key = m.streams.draw(ROOM_ORDER, m.month, who[pending], k)
        size = size_all[pending]
        before = size_ahead(pick, key, size)
        taken = (before < tranche[pick]) & (before + size <= year[pick])
        dest[pending[taken]] = pick[taken]
        used = np.bincount(pick[taken], weights=size[taken], minlength=len(tranche))
        tranche, year = tranche - used, year - used
        pending = pending[~taken]
    return dest


def decision(m: ModelView) -> None:
    """Households that considered relocating last month give up for now or choose a destination."""
    idx = m.deciding_idx()
    if len(idx):
        decide(m, idx)


def decide(m: ModelView, who: np.ndarray) -> None:
    b = m.b
    give_up = m.streams.draw(GIVE_UP, m.month, who) < b.decide_drop_rate
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
    if m.prog.applicants_informed:
        dest = _choose_with_room(m, go, util)
        later = go[dest < 0]
        if len(later):  # told that no region has room now: keep in touch, decide again next month
            m.state[later] = State.DECIDING
            m.p_move[later] = 0.0
            m.record.deferred_hh[m.month] += len(later)
        go, dest = go[dest >= 0], dest[dest >= 0]
        if len(go) == 0:
            return
    else:
        dest = _pick(m, go, util, 0)
    m.dest[go] = dest.astype(np.int8)
    m.record.chose_hh[m.month] += len(go)
    m.state[go] = State.COLLECTING
    m.collect_month[go] = m.month
    start_delay(m, go, "documents", DOCUMENTS_DELAY)
    _decision_mode(m, go)
    m.add_active(go)
