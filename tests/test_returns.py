"""Issue 9: returns as competing hazards by reason, their time profile, housing capacity, and
repayment that households anticipate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim import scenario
from sim.behaviour.returns import reason_hazards
from sim.model import RelocationModel
from sim.outcomes import monthly_table
from sim.regions import DESTINATIONS
from sim.states import Housing, Job, ReturnReason, State

from conftest import FAST_SCALE, run_baseline


def test_returns_by_reason_sum_to_returns():
    m, s = run_baseline(seed=1, check=True)
    by_reason = s["returned_persons_by_reason"]
    assert set(by_reason) == {r.name.lower() for r in ReturnReason if r >= 0}
    assert s["returned_persons"] > 0
    assert sum(by_reason.values()) == pytest.approx(s["returned_persons"])
    df = monthly_table(m)
    cols = [f"returned_{r}_persons" for r in by_reason]
    assert df[cols].to_numpy().sum() == pytest.approx(s["returned_persons"])
    assert np.all(m.return_reason[m.state == State.RETURNED] >= 0)
    profile = s["cumulative_return_share_by_months_since_arrival"]
    shares = [profile[k] for k in ("6", "12", "24", "36", "60")]
    assert all(0 <= a <= 1 for a in shares)


def _model_at(year: int, month: int, overrides=(), seed: int = 2) -> RelocationModel:
    m = RelocationModel(scenario.load("baseline", list(overrides)), seed=seed, scale=FAST_SCALE)
    while m.month <= m.month_of(year, month):
        m.step()
    m.month -= 1  # the state as the returns phase of that month left it
    return m


@pytest.mark.parametrize("month", [0, 6])   # January (heating season) and July
def test_a_reason_has_no_hazard_where_it_cannot_apply(month):
    m = _model_at(2020, month)
    idx = np.flatnonzero(m.state == State.ARRIVED)
    assert len(idx) > 50
    h = reason_hazards(m, idx)
    assert np.all(h >= 0) and np.all(h[:, ReturnReason.FAMILY] > 0)  # family events back home reach everyone
    hs = m.housing_status[idx]
    well_housed = (hs == Housing.RENTED) | (hs == Housing.OWN) | ((hs == Housing.PROVIDED) & ~m.poor_housing[idx])
    assert well_housed.any() and np.all(h[well_housed, ReturnReason.HOUSING] == 0)
    settled = m.month - m.arrival_month[idx] >= 1
    assert np.all(h[~well_housed & settled, ReturnReason.HOUSING] > 0)
    assert np.all(h[~settled & (m.has_contacts[idx] | (m.housing_status[idx] != Housing.NONE)), ReturnReason.HOUSING] == 0)
    working = m.job[idx] != Job.NONE
    assert working.any() and np.all(h[working | m.hh.inactive[idx], ReturnReason.JOB] == 0)
    assert np.all(h[~m.deficit[idx], ReturnReason.MONEY] == 0)
    if month == 6:
        assert np.all(h[:, ReturnReason.CLIMATE] == 0)  # no heating season in July
    else:
        assert np.any(h[:, ReturnReason.CLIMATE] > 0)


def test_a_rule_that_asks_back_more_gives_no_more_returns():
    # the same households in the same state: a larger bill can only lower every reason's hazard ...
    m = _model_at(2019, 1)
    idx = np.flatnonzero(m.state == State.ARRIVED)
    hazards = {}
    for rule in ("none", "relocation", "all"):
        m.prog.repayment_rule = rule
        hazards[rule] = reason_hazards(m, idx)
    assert np.all(hazards["relocation"] <= hazards["none"]) and np.all(hazards["all"] <= hazards["relocation"])
    assert np.any(hazards["all"] < hazards["none"])
    # ... and over whole runs (common random numbers) no more persons return
    totals = {rule: sum(run_baseline([f'repayment.rule="{rule}"', "time.end_year=2020"], seed=seed)[1]["returned_persons"]
                        for seed in (1, 2)) for rule in ("none", "all")}
    assert totals["all"] <= totals["none"]


def test_zero_temporary_accommodation_with_a_tight_rental_market_worsens_housing():
    tight = [f"housing.rental_offers_per_month.{d}=4" for d in DESTINATIONS] + ["time.end_year=2020"]
    no_centres = [f"temporary_accommodation.places_per_month.{d}=0" for d in DESTINATIONS]
    many = [f"temporary_accommodation.places_per_month.{d}=60" for d in DESTINATIONS]
    wait = {}
    housing_returns = {}
    for name, extra in (("none", no_centres), ("many", many)):
        waits, back = [], 0.0
        for seed in (1, 2):
            m, s = run_baseline(tight + extra, seed=seed)
            housed = m.arrival_month >= 0
            waits.append(np.where(m.housed_month[housed] >= 0, m.housed_month[housed], m.month) - m.arrival_month[housed])
            back += s["returned_persons_by_reason"]["housing"]
        wait[name], housing_returns[name] = np.concatenate(waits).mean(), back
    assert wait["none"] > wait["many"]
    assert housing_returns["none"] > housing_returns["many"]


def test_within_a_cohort_the_hazard_falls_after_the_first_year():
    m, _ = run_baseline(seed=3, scale=0.05)
    cohort = (m.arrival_month >= m.month_of(2017)) & (m.arrival_month < m.month_of(2020))
    since_return = np.where(m.return_month >= 0, m.return_month - m.arrival_month, 10**6)[cohort]

    def hazard(first: int, last: int) -> float:
        """Returns in months first..last since arrival per household-month at risk then."""
        at_risk = np.clip(np.minimum(since_return, last) - first + 1, 0, None)
        returned = (since_return >= first) & (since_return <= last)
        return returned.sum() / at_risk.sum()

    assert hazard(25, 36) < hazard(0, 11)


def test_business_route_and_grants():
    m, _ = run_baseline(["time.end_year=2020"], seed=1)
    working = (m.state == State.ARRIVED) & (m.job != Job.NONE)
    business = working & (m.job == Job.BUSINESS)
    assert business.any() and np.all(m.hh.business_intent[business])
    grants = run_baseline(["time.end_year=2020", "business_support.grant_coverage={2014=1.0}"], seed=1)[0]
    w2 = (grants.state == State.ARRIVED) & (grants.job != Job.NONE)
    assert np.count_nonzero(grants.job[w2] == Job.BUSINESS) / w2.sum() > np.count_nonzero(m.job[working] == Job.BUSINESS) / working.sum()


def test_payment_delays_follow_each_surveyed_regions_row_of_table_37():
    from sim.programme import Programme

    sc = scenario.load("baseline")
    world = RelocationModel(sc, seed=0, scale=0.001).world
    u = np.random.default_rng(5).random((2, 40000))
    for region, on_arrival in (("north_kazakhstan", 38 / 85), ("kostanay", 9 / 67)):
        dest = np.full(40000, DESTINATIONS.index(region))
        _months, cat = Programme(sc).draw_payment_delay(world, dest, u[0], u[1])
        assert abs(np.mean(cat == 1) - on_arrival) < 0.01  # category 1: immediately upon arrival
        assert np.all(cat < 7)
    # pooled everywhere when switched off, and for a region the survey did not cover
    pooled = scenario.load("baseline", ["payment_timing.by_region=no"])
    dest = np.full(40000, DESTINATIONS.index("kostanay"))
    _m, cat = Programme(pooled).draw_payment_delay(world, dest, u[0], u[1])
    assert abs(np.mean(cat == 1) - 0.2966) < 0.01
    akmola = np.full(40000, DESTINATIONS.index("akmola"))
    _m, cat = Programme(sc).draw_payment_delay(world, akmola, u[0], u[1])
    assert abs(np.mean(cat == 1) - 0.2966) < 0.01


def test_orientation_reaches_each_surveyed_region_as_table_25_says():
    from sim.programme import Programme

    sc = scenario.load("baseline")
    world = RelocationModel(sc, seed=0, scale=0.001).world
    y = list(sc.years).index(2019)
    for region, oriented, told in (("kostanay", 26 / 67, 14 / 26), ("north_kazakhstan", 42 / 85, 30 / 42)):
        p, t = Programme(sc).orientation_chances(world, y, np.array([DESTINATIONS.index(region)]))
        assert p[0] == pytest.approx(oriented, abs=1e-3) and t[0] == pytest.approx(told)
    # a region the survey did not cover takes the pooled reach; switched off, every region does
    p, t = Programme(sc).orientation_chances(world, y, np.array([DESTINATIONS.index("akmola")]))
    assert p[0] == pytest.approx(180 / 354, abs=1e-3) and t[0] == pytest.approx(112 / 180)
    off = scenario.load("baseline", ["services.orientation_by_region=no"])
    p, t = Programme(off).orientation_chances(world, y, np.array([DESTINATIONS.index("kostanay")]))
    assert p[0] == pytest.approx(0.508) and t[0] == pytest.approx(112 / 180)
    # full national coverage reaches everyone in every region
    full = scenario.load("baseline", ["services.orientation_coverage={2014=1.0}"])
    p, _t = Programme(full).orientation_chances(world, y, np.arange(len(DESTINATIONS)))
    assert np.all(p == 1.0)


def test_being_told_of_the_winters_eases_the_climate_hazard():
    m = _model_at(2020, 0)
    idx = np.flatnonzero(m.state == State.ARRIVED)
    gap = m.world.winter_severity[m.dest[idx]] > m.world.origin_winter_severity[m.hh.origin[idx]]
    idx = idx[gap]
    saved = m.briefed[idx].copy()
    m.briefed[idx] = False
    blind = reason_hazards(m, idx)[:, ReturnReason.CLIMATE]
    m.briefed[idx] = True
    told = reason_hazards(m, idx)[:, ReturnReason.CLIMATE]
    m.briefed[idx] = saved
    assert np.all(told <= blind) and np.any(told < blind)
    # briefed arrivals are at most those oriented (or given adaptation services), and some are
    arrived = m.arrival_month >= 0
    assert m.briefed[arrived].any() and not np.any(m.briefed[arrived] & ~m.supported[arrived])
