"""Awareness and decision (IOM Tables 14-18).

An unaware household hears of the programme from media and internet, from an employment centre, or
from its contacts (aware ones, and those who already relocated). An aware household starts to
consider relocating with a chance pushed by unemployment, housing and debts and pulled by the
subsidies and by contacts who moved. Both chances sit in one array `p_move`, kept up to date when a
household's hazard changes (its contacts change, a new year's subsidies, it gives up back to AWARE).

The phase is event-driven. Whenever `refresh` sets a household's monthly chance p, it draws the
household's waiting time to its next event, geometric with that p (`waiting_time`), and files the
household in the calendar bucket of that month (`next_event`). The awareness phase of month t then
acts only on the households due in t; a household whose chance is 0, or whose event falls after the
run, is never touched again until its hazard changes. Because the geometric law is memoryless, a
redraw when p falls, and a second independent clock making up the difference when it rises (see
`refresh`), give the same law as one Bernoulli draw per household and month.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.common import sigmoid, sorted_distinct
from sim.protocol import ModelView
from sim.rng import Draw, declare
from sim.states import NEVER, State

WAIT = declare("awareness_wait", "awareness", 0, "the waiting time, in months from the first month it governs, to "
               "hearing of the programme or starting to consider it; keyed by that first month, so two redraws "
               "before one awareness phase reuse one number, harmless since no event can fall between them",
               __name__, redrawn=True)
AWARE_CHANNEL = declare("aware_channel", "awareness", 1, "the channel that brought the news", __name__)
MORE_AWARE = declare("awareness_wait_more_aware", "awareness", 2, "the second clock of a household whose chance "
                     "rose because more of its contacts became aware (see `refresh`)", __name__, redrawn=True)
MORE_MOVERS = declare("awareness_wait_more_movers", "awareness", 3, "the second clock of a household whose chance "
                      "rose because more of its contacts now live in a destination", __name__, redrawn=True)
NEW_TERMS = declare("awareness_wait_new_terms", "awareness", 4, "the second clock of a household whose chance "
                    "rose with a new year's terms (subsidies, an information campaign)", __name__, redrawn=True)


def waiting_time(p: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Whole months before the event, for a monthly chance `p` and a uniform `u` in [0, 1).

    Geometric on 0, 1, 2...: P(wait = k) = (1 - p)^k p, by inversion, wait = floor(log(1 - u) / log(1 - p))
    (1 - u, not u, so that wait = 0 exactly when u < p: the first month is the Bernoulli draw it
    replaces). Infinite where p <= 0, 0 where p >= 1.
    """
    p = np.asarray(p, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.log1p(-np.asarray(u, np.float64))
        w /= np.log1p(-p)
    np.floor(w, out=w)
    if not (np.all(p > 0.0) and np.all(p < 1.0)):  # the edges, rare in a run
        w = np.where(p >= 1.0, 0.0, w)
        w = np.where(p > 0.0, w, np.inf)
    return w


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
    per_member, rent, wage = pull_terms(m)[:3]
    value = per_member * m.hh.size[idx] + rent
    return np.log1p(value / (12.0 * wage))


def pull_terms(m: ModelView) -> tuple[float, float, float, float, tuple[float, float, bool]]:
    """What the decision chance reads of this year: relocation subsidy per member, rent subsidy over its
    months, the mean wage (MCI), the early phase's shift (`early_shift`) and the information campaign
    (`Programme.campaign_terms`, which the awareness chance reads too). While they stay, no chance changes."""
    p = m.prog
    return (float(p.reloc_mci[m.year_index]), float(p.rent_months * p.rent_mci.mean()), float(m.wage_mci.mean()),
            early_shift(m), p.campaign_terms(m.year_index))


def early_shift(m: ModelView) -> float:
    """The shift of the decision logit this year: `early_decide_shift` before `early_until` (the
    programme before the 2016 list of destinations, IOM Table 3's early arrivals), else none."""
    return float(m.b.early_decide_shift) if m.year < m.b.early_until else 0.0


def _channel_rates(m: ModelView, idx: np.ndarray) -> tuple:
    """The monthly hazards of hearing by each channel (media and internet, employment centre, aware
    contacts, contacts who moved), an information campaign's extra reach included where it runs."""
    b, deg = m.b, np.maximum(m.net.degree[idx], 1)
    media_extra, centre_extra, on = m.prog.campaign_terms(m.year_index)
    media, centre = b.awareness_media_rate, b.awareness_centre_rate * m.hh.centre_contact[idx]
    if on:
        reach = m.prog.campaign_coverage[m.hh.origin[idx]]
        media = media * (1.0 + media_extra * reach)
        centre = centre * (1.0 + centre_extra * reach)
    return (media, centre, b.awareness_network_weight * m.aware_contacts[idx] / deg,
            b.awareness_mover_weight * m.mover_contacts[idx] / deg)


def _p_aware(m: ModelView, idx: np.ndarray) -> np.ndarray:
    media, centre, network, movers = _channel_rates(m, idx)
    return 1.0 - np.exp(-(media + centre + network + movers))


def _p_decide(m: ModelView, idx: np.ndarray) -> np.ndarray:
    b, deg = m.b, m.net.degree[idx]
    logit = (m.logit_static[idx] + early_shift(m) + b.decide_w_subsidy * subsidy_pull(m, idx)
             + b.decide_w_movers * m.mover_contacts[idx] / np.maximum(deg, 1))
    if m.prog.campaign_on[m.year_index]:   # the campaign's word on the terms, where it reaches
        logit = logit + m.prog.campaign_decide_shift * m.prog.campaign_coverage[m.hh.origin[idx]]
    return sigmoid(logit)


def refresh(m: ModelView, idx: np.ndarray, more: Draw | None = None) -> None:
    """Recompute the monthly transition chance of the households in `idx` from their state, and
    schedule their next event from it (from this month if the awareness phase has not run yet).

    Where the chance rose from p to p' > p for the same event, the household keeps its waiting time
    and gains a second, independent clock with the chance q = (p' - p) / (1 - p) that makes up the
    difference ((1 - p)(1 - q) = 1 - p'); its event is the earlier of the two. That clock's number
    is `more` (one declared draw per caller, so that two rises of one month take independent
    numbers). A fall, or a chance set from 0 (a new event), redraws the waiting time (`WAIT`)."""
    if len(idx) == 0:
        return
    st = m.state[idx]
    p = np.zeros(len(idx), np.float32)
    un, aw = st == State.UNAWARE, st == State.AWARE
    if un.any():
        p[un] = _p_aware(m, idx[un])
    if aw.any():
        p[aw] = _p_decide(m, idx[aw])
    old = m.p_move[idx]
    m.p_move[idx] = p
    if more is None:
        _schedule(m, idx, p)
        return
    rise = (p > old) & (old > 0)
    redraw = ~rise & (p != old)
    if redraw.any():
        _schedule(m, idx[redraw], p[redraw])
    if rise.any():
        o = old[rise].astype(np.float64)
        _add_clock(m, idx[rise], (p[rise] - o) / (1.0 - o), more)


def _schedule(m: ModelView, idx: np.ndarray, p: np.ndarray) -> None:
    """Draw the waiting times of `idx` and file each household under the month of its event."""
    t0 = m.schedule_from
    when = np.full(len(idx), NEVER, np.int16)
    live = np.flatnonzero(p > 0)
    everyone = len(live) == len(idx)  # the common case: no copies
    who, chance = (idx, p) if everyone else (idx[live], p[live])
    wait = waiting_time(chance, m.streams.draw(WAIT, t0, who)) if len(who) else np.zeros(0)
    in_run = np.flatnonzero(wait < m.n_months - t0)  # events after the run need no bucket
    live, wait = (in_run if everyone else live[in_run]), wait[in_run]
    when[live] = t0 + wait.astype(np.int16)
    m.next_event[idx] = when
    _file(m.calendar, idx[live], when[live])


def _add_clock(m: ModelView, idx: np.ndarray, q: np.ndarray, more: Draw, hazard: np.ndarray | None = None) -> None:
    """A second clock of chance `q` (hazard -log(1 - q), if known) for households whose chance rose:
    file the few it brings forward. It fires within the h months before the current event (or the
    run's end) when u < 1 - (1 - q)^h, so only those take the waiting time's logarithms."""
    t0 = m.schedule_from
    u = m.streams.draw(more, t0, idx)
    h = np.minimum(m.next_event[idx], m.n_months) - t0
    if hazard is None:
        hazard = -np.log1p(-np.asarray(q, np.float64))
    fires = np.flatnonzero(u < -np.expm1(-hazard * h))
    if len(fires) == 0:
        return
    wait = waiting_time(q[fires], u[fires])
    sooner = wait < h[fires]  # the same test, but for rounding at the edge
    who, when = idx[fires[sooner]], (t0 + wait[sooner]).astype(np.int16)
    m.next_event[who] = when
    _file(m.calendar, who, when)


def _file(calendar: list[list[np.ndarray]], who: np.ndarray, when: np.ndarray) -> None:
    """Append `who` to the bucket of its month `when`: one sort, then a split per month."""
    if len(who) == 0:
        return
    who = who.astype(np.int32)
    if len(who) > 1:
        order = np.argsort(when, kind="stable")  # a radix sort of int16
        who, when = who[order], when[order]
    cut = np.flatnonzero(when[1:] != when[:-1]) + 1
    for t, part in zip(when[np.r_[0, cut]].tolist(), np.split(who, cut)):
        calendar[t].append(part)


def due(m: ModelView, t: int) -> np.ndarray:
    """The households whose event falls in month `t`, UNAWARE or AWARE still; empties bucket `t`.

    The calendar deletes lazily: an entry made stale by a later refresh (another month in
    `next_event`) or by a change of state is dropped here."""
    parts, m.calendar[t] = m.calendar[t], []
    if not parts:
        return np.zeros(0, np.int64)
    who = np.concatenate(parts)
    who = who[(m.next_event[who] == t) & (m.state[who] <= State.AWARE)]
    return sorted_distinct(who).astype(np.int64)  # once each: a refresh may file a household twice in t


SETUP_CHUNK = 1 << 18  # households per slice of the first scheduling (the draws do not depend on it)


def init_probabilities(m: ModelView) -> None:
    """Set-up: the static logit, everyone's chance and the calendar of first events."""
    m.logit_static[:] = _logit_static(m)
    m.calendar = [[] for _ in range(m.n_months)]
    m.pull_terms = pull_terms(m)
    m.schedule_from = m.month
    for start in range(0, m.n, SETUP_CHUNK):  # in slices, so that set-up's temporaries stay small
        refresh(m, np.arange(start, min(start + SETUP_CHUNK, m.n)))


def add_contacts(m: ModelView, who: np.ndarray, counter: np.ndarray, delta: int) -> None:
    """Tell the contacts of `who` that one more (or fewer) of their contacts is aware / relocated."""
    if len(who) == 0:
        return
    nb = m.net.contacts_of(who)
    if counter is m.aware_contacts and delta > 0:
        _more_aware(m, nb)
        return
    touched, cnt = sorted_distinct(nb, counts=True)  # a sort of the ties: no pass over every household
    counter[touched] += (delta * cnt).astype(counter.dtype)
    refresh(m, touched[m.state[touched] <= State.AWARE], MORE_MOVERS)


def _more_aware(m: ModelView, nb: np.ndarray) -> None:
    """Unaware households at the other end of the ties `nb` have more aware contacts: their hazard
    of hearing rises by the network's share, a clock of its own (the other channels' clocks stand).

    Aware contacts weigh only in the awareness chance, so only unaware households are counted and
    told: `aware_contacts` is complete for every household while it is unaware, all that reads it."""
    nb = np.sort(nb)  # first: gathers in ascending order are several times faster than scattered ones
    nb = nb[m.state[nb] == State.UNAWARE]
    who, cnt = sorted_distinct(nb, counts=True, presorted=True)
    m.aware_contacts[who] += cnt.astype(m.aware_contacts.dtype)
    rise = m.b.awareness_network_weight * cnt / np.maximum(m.net.degree[who], 1)
    q = -np.expm1(-rise)  # 1 - exp(-rise): the chance of hearing by this channel alone in a month
    m.p_move[who] = 1.0 - (1.0 - m.p_move[who]) * (1.0 - q)  # = _p_aware of the new count
    _add_clock(m, who, q, MORE_AWARE, rise)


def awareness(m: ModelView) -> None:
    """The households due this month act: unaware ones become aware, aware ones start considering."""
    hits = due(m, m.month)
    m.schedule_from = m.month + 1  # from here on, refreshes schedule from next month
    if len(hits) == 0:
        return
    st = m.state[hits]
    newly_aware = hits[st == State.UNAWARE]
    deciding = hits[st == State.AWARE]
    if len(deciding):
        m.state[deciding] = State.DECIDING  # they weigh it up this month and decide next month
        m.p_move[deciding] = 0.0
        m.next_event[deciding] = NEVER
        m.add_deciding(deciding)
    if len(newly_aware):
        _record_channel(m, newly_aware)
        m.state[newly_aware] = State.AWARE
        m.p_move[newly_aware] = 0.0  # the chance of a new event: drawn afresh
        m.ever_aware += len(newly_aware)
        refresh(m, newly_aware)
        add_contacts(m, newly_aware, m.aware_contacts, +1)


def _record_channel(m: ModelView, idx: np.ndarray) -> None:
    """Which channel brought the news, in proportion to each channel's share of the hazard: the
    channel whose stretch of the summed hazard holds the uniform times that sum."""
    tiny = 1e-12  # every channel a sliver, so that a zero hazard picks by position, never divides by 0
    parts = tuple(rate + tiny for rate in _channel_rates(m, idx))
    edge = parts[0] + parts[1]
    x = m.streams.draw(AWARE_CHANNEL, m.month, idx) * (edge + parts[2] + parts[3])
    channel = (x > parts[0]).astype(np.int8)
    channel += x > edge
    channel += x > edge + parts[2]
    m.aware_channel[idx] = channel
