"""Behaviour: the model responds to the programme's levers in the direction the rules imply."""

from __future__ import annotations

import dataclasses

import numpy as np

from sim import scenario
from calibration.observe import RunObserver
from sim.model import RelocationModel
from sim.regions import DESTINATIONS

from conftest import FAST_SCALE, run_baseline

ZERO_QUOTAS = [f"quotas.{d}={{2014=0}}" for d in DESTINATIONS]


def test_zero_quota_gives_zero_relocations():
    m, s = run_baseline(ZERO_QUOTAS, seed=1)
    assert s["relocated_persons"] == 0
    assert s["approved_households"] == 0
    assert s["applications_households"] == 0  # no destination open: nobody applies
    assert s["subsidies_paid_tenge"]["relocation"] == 0


def test_zero_quota_in_one_region_closes_it():
    _, s = run_baseline(["quotas.pavlodar={2014=0}"], seed=1)
    assert s["relocated_persons_by_destination"]["pavlodar"] == 0
    assert s["relocated_persons"] > 0


def test_higher_relocation_subsidy_gives_no_fewer_applications():
    for seed in (1, 2):
        # with slack quotas: where the quota rations choices, more pull means more deferred choices instead
        _, base = run_baseline(["quota_rule.slack=5"], seed=seed)
        _, high = run_baseline(["quota_rule.slack=5", "relocation_subsidy.mci_per_member={2014=140}"], seed=seed)
        assert high["applications_households"] >= base["applications_households"]


def test_no_rent_subsidy_gives_no_fewer_returns_for_the_same_arrivals():
    # The applicant flow is held fixed (no subsidy pull on decisions) so that the comparison is of the
    # same households after arrival; with the pull on, fewer households apply and the change in
    # arrivals and job competition is reported, not tested (see docs/ODD.md).
    # Quotas need not bind (issue 8), so returns would change later decisions through contacts who
    # relocated: those pulls are held off too.
    fixed = ["behaviour.decide_w_subsidy=0", "behaviour.decide_w_movers=0", "behaviour.awareness_mover_weight=0",
             "behaviour.choice_w_network=0"]
    for seed in (1, 2):
        mb, base = run_baseline(fixed, seed=seed)
        mn, none = run_baseline(fixed + ["rent_subsidy.months=0"], seed=seed)
        assert (mb.arrival_month == mn.arrival_month).all()  # same households arrived at the same time
        assert none["subsidies_paid_tenge"]["rent"] == 0
        assert none["returned_persons"] >= base["returned_persons"]


def test_longer_rent_subsidy_costs_more():
    _, base = run_baseline(seed=4)
    _, long = run_baseline(["rent_subsidy.months=24"], seed=4)
    assert long["subsidies_paid_tenge"]["rent"] > base["subsidies_paid_tenge"]["rent"]


def test_no_repayment_rule_means_nothing_reimbursed():
    _, s = run_baseline(["repayment.rule=\"none\""], seed=4)
    assert s["reimbursed_tenge"] == 0
    _, b = run_baseline(seed=4)
    assert b["reimbursed_tenge"] > 0


def test_more_temporary_accommodation_shortens_queue():
    mb, _ = run_baseline(seed=6)
    big = [f"temporary_accommodation.places_per_month.{d}=500" for d in DESTINATIONS]
    mbig, _ = run_baseline(big, seed=6)
    assert mbig.record.temp_queue.sum() <= mb.record.temp_queue.sum()
    assert mbig.record.temp_placed.sum() >= mb.record.temp_placed.sum()


def _expected_and_realized_returns(return_level: float, seed: int):
    sc = scenario.load("baseline", ["time.end_year=2018"])
    m = RelocationModel(sc, seed=seed, scale=FAST_SCALE)
    m.b = dataclasses.replace(m.b, return_level=return_level)  # beyond the schema's bound on purpose: a certain return
    obs = RunObserver(m)   # the expected returns, as the calibration observes them
    m.run()
    return obs.return_risk_persons.sum(axis=1), m.record.returns_persons_dest.astype(float)


def test_expected_returns_equal_realized_when_return_is_certain():
    # with a hazard of 1 every household at risk returns in the month it is at risk, so the recorded
    # expectation (the compensator the calibration distance uses) must equal the count exactly
    expected, realized = _expected_and_realized_returns(1e9, seed=3)
    assert realized.sum() > 0
    np.testing.assert_allclose(expected, realized)


def test_expected_returns_track_realized_returns():
    exp_total = real_total = 0.0
    for seed in (1, 2, 3):
        expected, realized = _expected_and_realized_returns(5.0, seed)
        exp_total, real_total = exp_total + expected.sum(), real_total + realized.sum()
    # realized persons scatter around the expectation: variance about E x household size (~5); 4 SE
    assert real_total > 100
    assert abs(real_total - exp_total) < 4 * np.sqrt(6 * exp_total)
