"""Behaviour: the model responds to the programme's levers in the direction the rules imply."""

from __future__ import annotations

from sim.regions import DESTINATIONS

from conftest import run_baseline

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
        _, base = run_baseline(seed=seed)
        _, high = run_baseline(["relocation_subsidy.mci_per_member={2014=140}"], seed=seed)
        assert high["applications_households"] >= base["applications_households"]


def test_no_rent_subsidy_gives_no_fewer_returns_for_the_same_arrivals():
    # The applicant flow is held fixed (no subsidy pull on decisions) so that the comparison is of the
    # same households after arrival; with the pull on, fewer households apply and the change in
    # arrivals and job competition is reported, not tested (see docs/ODD.md).
    fixed = ["behaviour.decide_w_subsidy=0"]
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
