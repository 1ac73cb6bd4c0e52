"""The information campaign (issue 20, item 5): it raises awareness where it reaches and only there,
through the channels it pays for; its decision shift moves applications; its cost is what it says."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_baseline
from sim.regions import ORIGINS
from sim.states import State

SCALE, END = 0.02, "time.end_year=2015"
ONLY_FIRST = "information_campaign.origin_coverage={" + ", ".join(
    f"{o}={1.0 if i == 0 else 0.0}" for i, o in enumerate(ORIGINS)) + "}"


def aware_share(m) -> np.ndarray:
    """Share of each origin's households that have heard of the programme."""
    heard = m.state != State.UNAWARE
    return np.bincount(m.hh.origin, weights=heard, minlength=len(ORIGINS)) / np.bincount(m.hh.origin, minlength=len(ORIGINS))


@pytest.fixture(scope="module")
def runs():
    base, _ = run_baseline([END], scale=SCALE)
    media, s_media = run_baseline([END, ONLY_FIRST, "information_campaign.media_extra={2014=3.0}"], scale=SCALE)
    return base, media, s_media


def test_a_campaign_raises_awareness_where_it_reaches(runs):
    base, media, _ = runs
    before, after = aware_share(base), aware_share(media)
    assert after[0] > before[0] * 1.5, (before[0], after[0])          # reached: media four times over
    assert np.all(np.abs(after[1:] - before[1:]) < 0.25 * before[1:] + 0.002), (before, after)   # not reached


def test_the_news_comes_by_the_channel_the_campaign_pays_for(runs):
    base, media, _ = runs
    first = (media.hh.origin == 0) & (media.state != State.UNAWARE)
    first_base = (base.hh.origin == 0) & (base.state != State.UNAWARE)
    assert np.mean(media.aware_channel[first] == 0) > np.mean(base.aware_channel[first_base] == 0) + 0.1


def test_the_campaign_costs_its_unit_cost_per_reached_household_and_year(runs):
    _, media, s_media = runs
    reached = np.count_nonzero(media.hh.origin == 0)
    per_year = reached * 3.0 * 0.05 * media.prog.mci[:2]   # media_extra 3 x media_cost_mci 0.05, two years; no centre outreach
    jan = media.record.campaign_cost[[0, 12]]
    np.testing.assert_allclose(jan, per_year)
    assert media.record.campaign_cost.sum() == pytest.approx(per_year.sum())
    assert s_media["campaign_cost_tenge"] == pytest.approx(per_year.sum() / media.scale)
    base_cost = run_baseline([END, "time.end_year=2014"], scale=0.005)[1]["campaign_cost_tenge"]
    assert base_cost == 0


def test_the_decision_shift_moves_applications_while_the_campaign_runs():
    """A campaign of no extra reach (1e-9) with a large decision shift: more aware households start to
    consider; the same with no shift gives the base's count."""
    tiny = "information_campaign.media_extra={2014=1e-9}"
    plain, _ = run_baseline(["time.end_year=2016", tiny, "information_campaign.decide_shift=0.0"], scale=SCALE)
    shifted, _ = run_baseline(["time.end_year=2016", tiny, "information_campaign.decide_shift=1.5"], scale=SCALE)
    considered = [int(m.record.state_counts[-1, State.DECIDING:].sum()) for m in (plain, shifted)]
    assert considered[1] > considered[0] * 1.3, considered


def test_a_regional_rent_rate_steers_the_choice_of_destination():
    """With `rent_subsidy.by_region_price = yes` a region whose rent index is above 1 pays more, and
    with a choice weight on it draws a larger share of arrivals than with the weight at 0; with the
    national rate (`no`) the weight changes nothing at all."""
    from sim.regions import DESTINATIONS

    def shares(*over):
        m, s = run_baseline(["time.end_year=2018", *over], scale=0.05)
        arrivals = np.array([s["relocated_persons_by_destination"][d] for d in DESTINATIONS])
        return m, arrivals / arrivals.sum()

    m, off = shares('rent_subsidy.by_region_price="yes"', "behaviour.choice_w_rent=0.0")
    _, on = shares('rent_subsidy.by_region_price="yes"', "behaviour.choice_w_rent=10.0")
    index = m.world.rent_price_index
    dear, cheap = index > 1.05, index < 0.97
    assert on[dear].sum() > off[dear].sum() + 0.01 and on[cheap].sum() < off[cheap].sum(), (off, on, index)
    national = [run_baseline(["time.end_year=2015", f"behaviour.choice_w_rent={w}"], scale=0.01)[1]["relocated_persons_by_destination"]
                for w in (0.0, 10.0)]
    assert national[0] == national[1]


def test_centre_outreach_is_paid_for_the_households_in_touch_with_a_centre():
    m, _ = run_baseline(["time.end_year=2014", ONLY_FIRST, "information_campaign.centre_extra={2014=2.0}"], scale=0.01)
    in_touch = np.count_nonzero((m.hh.origin == 0) & m.hh.centre_contact)
    assert 0 < in_touch < np.count_nonzero(m.hh.origin == 0)
    assert m.record.campaign_cost[0] == pytest.approx(in_touch * 2.0 * 0.5 * m.prog.mci[0])
