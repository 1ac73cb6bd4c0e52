"""Awareness and decision (IOM Tables 14-18).

An unaware household hears of the programme from media and internet, from an employment centre, or
from its contacts (aware ones, and those who already relocated). An aware household starts to
consider relocating with a chance pushed by unemployment, housing and debts and pulled by the
subsidies and by contacts who moved. Both chances sit in one array `p_move`, kept up to date when a
household's contacts change, so the month needs one uniform per household and one comparison.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.common import choose, sigmoid
from sim.protocol import ModelView
from sim.rng import declare
from sim.states import State

HEAR_OR_CONSIDER = declare("hear_or_consider", "awareness", 0, "one number per household and month: hears of the programme, "
                           "or starts to consider it", __name__, sequential=True)
AWARE_CHANNEL = declare("aware_channel", "awareness", 1, "the channel that brought the news", __name__)


def _logit_static(m: ModelView) -> np.ndarray:
    """The part of the decision logit that does not change during a run."""
    hh, b, w = m.hh, m.b, m.world
    # Origin propensity: survey share of respondents from each origin (IOM Table 12) over its share of
    # population (IOM Table 7), so that origins send participants in the survey's proportions.
    pop_share = w.origin_population / w.origin_population.sum()
    origin_w = np.log(w.origin_survey_share / pop_share)
    return (b.decide_base + b.decide_w_unemployed * hh.jobless + b.decide_w_no_own_housing * ~hh.own_home
            + b.decide_w_debt * hh.bank_loan + b.decide_w_young * hh.young + origin_w[hh.origin]).astype(np.float32)


def subsidy_pull(m: ModelView, idx: np.ndarray) -> np.ndarray:
    """Relocation plus rent subsidy of this year for the family, in years of a typical wage.

    Measured against the mean wage (not the household's own income) so that the package changes
    how many apply more than who applies.
    """
    hh, p, y = m.hh, m.prog, m.year_index
    rent = p.rent_months * p.rent_mci.mean()
    value = p.reloc_mci[y] * hh.size[idx] + rent
    return np.log1p(value / (12.0 * float(m.wage_mci.mean())))


def _p_aware(m: ModelView, idx: np.ndarray) -> np.ndarray:
    b, deg = m.b, m.net.degree[idx]
    rate = (b.awareness_media_rate + b.awareness_centre_rate * m.hh.centre_contact[idx]
            + b.awareness_network_weight * m.aware_contacts[idx] / np.maximum(deg, 1)
            + b.awareness_mover_weight * m.mover_contacts[idx] / np.maximum(deg, 1))
    return 1.0 - np.exp(-rate)


def _p_decide(m: ModelView, idx: np.ndarray) -> np.ndarray:
    b, deg = m.b, m.net.degree[idx]
    logit = (m.logit_static[idx] + b.decide_w_subsidy * subsidy_pull(m, idx)
             + b.decide_w_movers * m.mover_contacts[idx] / np.maximum(deg, 1))
    return sigmoid(logit)


def refresh(m: ModelView, idx: np.ndarray) -> None:
    """Recompute the month's transition chance of the households in `idx` from their state."""
    if len(idx) == 0:
        return
    st = m.state[idx]
    p = np.zeros(len(idx), np.float32)
    un, aw = st == State.UNAWARE, st == State.AWARE
    if un.any():
        p[un] = _p_aware(m, idx[un])
    if aw.any():
        p[aw] = _p_decide(m, idx[aw])
    m.p_move[idx] = p


def init_probabilities(m: ModelView) -> None:
    m.logit_static[:] = _logit_static(m)
    refresh(m, np.arange(m.n))


def add_contacts(m: ModelView, who: np.ndarray, counter: np.ndarray, delta: int) -> None:
    """Tell the contacts of `who` that one more (or fewer) of their contacts is aware / relocated."""
    if len(who) == 0:
        return
    _, nb = m.net.neighbours(who)
    hit = np.bincount(nb, minlength=m.n) if len(nb) > m.n // 64 else None
    if hit is not None:
        touched = np.flatnonzero(hit)
        counter[touched] += (delta * hit[touched]).astype(counter.dtype)
    else:
        touched, cnt = np.unique(nb, return_counts=True)
        counter[touched] += (delta * cnt).astype(counter.dtype)
    refresh(m, touched[m.state[touched] <= State.AWARE])


def awareness(m: ModelView) -> None:
    """One uniform per household: unaware ones may become aware, aware ones may start considering."""
    u = m.streams.sequence(HEAR_OR_CONSIDER).random(m.n, dtype=np.float32)
    hits = np.flatnonzero(u < m.p_move)
    st = m.state[hits]
    newly_aware = hits[st == State.UNAWARE]
    deciding = hits[st == State.AWARE]
    if len(newly_aware):
        _record_channel(m, newly_aware)
        m.state[newly_aware] = State.AWARE
        refresh(m, newly_aware)
        add_contacts(m, newly_aware, m.aware_contacts, +1)
    if len(deciding):
        m.state[deciding] = State.DECIDING  # they weigh it up this month and decide next month
        m.p_move[deciding] = 0.0


def _record_channel(m: ModelView, idx: np.ndarray) -> None:
    """Which channel brought the news, in proportion to each channel's share of the hazard."""
    b, deg = m.b, np.maximum(m.net.degree[idx], 1)
    parts = np.stack([
        np.full(len(idx), b.awareness_media_rate),
        b.awareness_centre_rate * m.hh.centre_contact[idx],
        b.awareness_network_weight * m.aware_contacts[idx] / deg,
        b.awareness_mover_weight * m.mover_contacts[idx] / deg,
    ], axis=1)
    m.aware_channel[idx] = choose(parts + 1e-12, m.streams.draw(AWARE_CHANNEL, m.month, idx))
