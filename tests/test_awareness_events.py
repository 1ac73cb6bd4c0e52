"""Awareness and the start of considering are event-driven (issue 21): waiting times and a calendar.

`refresh` draws each household's geometric waiting time to its next event from its monthly chance
`p_move`; the awareness phase acts only on the households due. These tests check that the waiting time
has the law of the monthly Bernoulli draw it replaces, that a household with no hazard is never
scheduled nor drawn, that the calendar holds every live event, and that common random numbers survive:
one seed gives one run, and two scenarios that part in year Y agree in every count before Y.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.model
from sim import scenario
from sim.model import RelocationModel
from sim.rng import Streams
from sim.states import NEVER, RECORD, State

aw = importlib.import_module("sim.behaviour.awareness")  # the module (sim.behaviour.awareness is the phase)
U = np.random.default_rng(20240521).random(400_000)  # many uniforms in [0, 1)
SHORT = ["time.end_year=2016"]


# ------------------------------------------------------------------ the waiting time
@settings(max_examples=60, deadline=None)
@given(p=st.floats(1e-4, 0.999, exclude_min=False), horizon=st.integers(1, 132))
def test_the_waiting_time_has_the_law_of_monthly_draws(p, horizon):
    """P(event within T months) = 1 - (1 - p)^T and E[wait + 1] = 1/p: p events per month at risk."""
    wait = aw.waiting_time(np.float32(p), U)
    p = float(np.float32(p))  # the model keeps p_move in float32
    assert np.all(wait >= 0) and np.all(wait == np.floor(wait))
    want = 1.0 - (1.0 - p) ** horizon
    got = np.mean(wait < horizon)
    assert abs(got - want) <= 5 * np.sqrt(want * (1 - want) / len(U)) + 1e-9
    # exactly, not only on average: wait < T if and only if u < 1 - (1 - p)^T (up to rounding at the edge)
    edge = np.abs(U - want) < 1e-9
    assert np.array_equal((wait < horizon)[~edge], (U < want)[~edge])
    mean, sd = np.mean(wait + 1), np.sqrt(1 - p) / p
    assert abs(mean * p - 1) <= 6 * sd * p / np.sqrt(len(U))
    assert abs(np.mean(wait == 0) - p) <= 5 * np.sqrt(p * (1 - p) / len(U))


def test_the_first_month_is_the_bernoulli_draw_and_the_edges():
    p = np.float32(0.3)
    assert np.array_equal(aw.waiting_time(p, U) == 0, U < p)  # the draw of the month it replaces
    assert np.all(np.isinf(aw.waiting_time(0.0, U))) and np.all(np.isinf(aw.waiting_time(-0.1, U[:10])))
    assert np.all(aw.waiting_time(1.0, U) == 0)
    assert aw.waiting_time(0.5, np.array([0.0]))[0] == 0  # u = 0 is a valid number
    assert np.all(np.isfinite(aw.waiting_time(1e-7, U)))


# ------------------------------------------------------------------ the calendar
def _calendar_checks(m: RelocationModel) -> None:
    """At the end of a month: every live event is filed once in its bucket, and no household with a
    zero chance, or past AWARE, is scheduled."""
    t = m.month
    live = np.flatnonzero(m.next_event != NEVER)
    assert np.all(m.next_event[live] > t), "an event in the past was not handled"
    assert np.all(m.next_event[live] < m.n_months)
    assert np.all(m.p_move[live] > 0), "a household with a zero chance is scheduled"
    assert np.all(m.state[live] <= State.AWARE), "a household past AWARE is scheduled"
    assert np.all(m.next_event[m.p_move == 0] == NEVER)
    assert all(not b for b in m.calendar[: t + 1]), "a bucket of a past month is not empty"
    filed = np.zeros(m.n, bool)
    for mo in range(t + 1, m.n_months):
        if m.calendar[mo]:
            who = np.unique(np.concatenate(m.calendar[mo]))
            filed[who[m.next_event[who] == mo]] = True
    assert np.array_equal(filed, m.next_event != NEVER), "the calendar misses a live event"


def test_the_calendar_holds_every_live_event_and_no_zero_hazard():
    m = RelocationModel(scenario.load("baseline", SHORT), seed=3, scale=0.01)
    m.observe(_calendar_checks)
    m.run()
    assert m.record.state_counts[-1][State.AWARE] > 0 and m.record.applications_hh.sum() > 0


def test_the_phase_acts_on_the_households_due_and_on_no_other(monkeypatch):
    """In each month's awareness phase, exactly the UNAWARE and AWARE households whose event falls in
    that month change state; a household filed in a bucket but since rescheduled does not."""
    acted = []

    def watched(m):
        due_now = (m.next_event == m.month) & (m.state <= State.AWARE)
        before = m.state.copy()
        aw.awareness(m)
        changed = m.state != before
        assert np.array_equal(changed, due_now), m.month
        assert np.all(m.state[changed] == before[changed] + 1)  # UNAWARE -> AWARE, AWARE -> DECIDING
        acted.append(int(changed.sum()))

    monkeypatch.setattr(sim.model, "PHASES", tuple(watched if p is aw.awareness else p for p in sim.model.PHASES))
    m = RelocationModel(scenario.load("baseline", SHORT), seed=4, scale=0.01)
    m.run()
    assert sum(acted) > 1000


class _WaitDraws(Streams):
    """Streams that record which households took the waiting-time draw, with their chance then."""

    def __init__(self, seed):
        super().__init__(seed)
        self.drawn: list[tuple[int, np.ndarray]] = []

    def draw(self, draw, month, idx, round=0):
        if draw is aw.WAIT:
            self.drawn.append((month, np.asarray(idx).copy()))
        return super().draw(draw, month, idx, round)


def test_a_household_with_no_hazard_is_never_drawn_nor_touched(monkeypatch):
    """No media or centre news and nobody aware at the start: every chance is zero, so nothing is
    scheduled, no waiting time is ever drawn and no household hears of the programme."""
    monkeypatch.setattr(sim.model, "Streams", _WaitDraws)
    off = SHORT + ["behaviour.awareness_media_rate=0", "behaviour.awareness_centre_rate=0"]
    m = RelocationModel(scenario.load("baseline", off), seed=1, scale=0.01)
    assert np.all(m.p_move == 0) and np.all(m.next_event == NEVER) and all(not b for b in m.calendar)
    m.run()
    assert m.streams.drawn == [] and np.all(m.state == State.UNAWARE)


def test_only_households_with_a_hazard_take_the_draw(monkeypatch):
    """In a run, the waiting-time draw is taken only for households whose chance is above zero, and the
    households with a zero chance (centre contacts aside, media off) are never due."""
    monkeypatch.setattr(sim.model, "Streams", _WaitDraws)
    seen: list[np.ndarray] = []
    real = aw.waiting_time

    def spy(p, u):
        seen.append(np.asarray(p))
        return real(p, u)

    monkeypatch.setattr(aw, "waiting_time", spy)
    m = RelocationModel(scenario.load("baseline", SHORT + ["behaviour.awareness_media_rate=0"]), seed=2, scale=0.01)
    zero = np.flatnonzero(m.p_move == 0)
    assert len(zero) > 0 and np.all(m.next_event[zero] == NEVER)
    assert not np.isin(zero, np.concatenate([idx for _, idx in m.streams.drawn])).any()
    m.run()
    assert seen and all(np.all(p > 0) for p in seen)


# ------------------------------------------------------------------ common random numbers
def _record(m: RelocationModel, months: int, years: int) -> dict[str, np.ndarray]:
    out = {}
    for c in RECORD:
        a = getattr(m.record, c.name)
        out[c.name] = a[:months] if c.dims[0] == "month" else a[:years]
    return out


def test_one_seed_gives_one_run():
    a = RelocationModel(scenario.load("baseline", SHORT), seed=7, scale=0.01).run()
    b = RelocationModel(scenario.load("baseline", SHORT), seed=7, scale=0.01).run()
    ra, rb = _record(a, a.n_months, len(a.years)), _record(b, b.n_months, len(b.years))
    assert all(np.array_equal(ra[k], rb[k]) for k in ra)
    assert np.array_equal(a.next_event, b.next_event) and np.array_equal(a.state, b.state)


@pytest.mark.parametrize("change", ["[relocation_subsidy]\nmci_per_member = { 2016 = 140 }\n",
                                    "[rent_subsidy]\nmonths = 0\n"])
def test_scenarios_that_part_in_a_year_agree_in_every_count_before_it(tmp_path: Path, change):
    base_file = scenario.SCENARIO_DIR / "baseline.toml"
    p = tmp_path / "later.toml"
    p.write_text(f'extends = "{base_file}"\nname = "later"\nstarts = 2016\n' + change)
    over = ["time.end_year=2017"]
    frames = {}

    def snapshot(key):
        def take(m):
            frames[key] = (m.state.copy(), m.next_event.copy(), m.p_move.copy())
        return take

    runs = {}
    for key, sc in (("base", scenario.load("baseline", over)), ("alt", scenario.load(p, over))):
        m = RelocationModel(sc, seed=11, scale=0.02)
        m.observe(snapshot(key), [m.month_of(2016) - 1])
        runs[key] = m.run()
    upto, years = runs["base"].month_of(2016), 2016 - 2014
    ra, rb = _record(runs["base"], upto, years), _record(runs["alt"], upto, years)
    assert [k for k in ra if not np.array_equal(ra[k], rb[k])] == []
    assert all(np.array_equal(x, y) for x, y in zip(frames["base"], frames["alt"]))  # the same state in December
    assert not np.array_equal(runs["base"].p_move, runs["alt"].p_move)  # and they part from January
