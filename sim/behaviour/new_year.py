"""The start of each month and year: quotas (IOM Table 10; source 000), vacancies (IOM Table 9)."""

from __future__ import annotations

import numpy as np

from sim.behaviour.awareness import NEW_TERMS, pull_terms, refresh
from sim.behaviour.common import stochastic_round
from sim.protocol import ModelView
from sim.regions import SECTORS
from sim.rng import declare
from sim.states import State

QUOTA_ROUNDING = declare("quota_rounding", "selection", 7, "rounding of each region's scaled quota (per region, not household)", __name__)
VACANCY_ROUNDING = declare("vacancy_rounding", "jobs", 8, "rounding of each region and sector's new openings (per cell)", __name__)


def campaign_cost(m: ModelView) -> None:
    """The information campaign's cost for the year, booked in January: each unit of extra media reach
    per reached household of each origin region, and of centre outreach per reached household in touch
    with an employment centre, at its unit cost (MCI)."""
    media_extra, centre_extra, on = m.prog.campaign_terms(m.year_index)
    if not on:
        return
    media_cost, centre_cost = m.prog.campaign_cost_mci
    cov, n_origins = m.prog.campaign_coverage, len(m.prog.campaign_coverage)
    households = np.bincount(m.hh.origin, minlength=n_origins)   # once a campaign year
    in_touch = np.bincount(m.hh.origin, weights=m.hh.centre_contact, minlength=n_origins)   # centre outreach reaches these
    cost = media_extra * media_cost * np.dot(cov, households) + centre_extra * centre_cost * np.dot(cov, in_touch)
    m.record.campaign_cost[m.month] += float(cost) * m.mci


def new_year(m: ModelView) -> None:
    y = m.year_index
    m.schedule_from = m.month  # refreshes before this month's awareness phase schedule from this month
    if m.month % 12 == 0:
        if m.programmes is not None:  # a scenario with `starts` switches programmes in that year
            m.prog = m.programmes[int(m.year >= m.scenario.starts)]
        u = m.streams.draw(QUOTA_ROUNDING, m.month, np.arange(len(m.quota_left)))
        m.quota_year = stochastic_round(m.prog.quota[y] * m.scale, u)
        m.quota_left = m.quota_year.copy()
        m.record.quota_persons_year[y] = m.quota_year
        # subsidy levels may change with the year: aware households reweigh the programme (only
        # then: with the same terms their chances, and so the law of their waiting times, stand)
        terms = pull_terms(m)
        if terms != m.pull_terms:
            # a changed campaign moves the awareness chance of the unaware too: one pass over everyone
            # in the years a campaign starts, changes or stops, never otherwise
            unaware_too = terms[-1] != m.pull_terms[-1]
            m.pull_terms = terms
            refresh(m, np.flatnonzero(m.state <= State.AWARE if unaware_too else m.state == State.AWARE), NEW_TERMS)
        campaign_cost(m)
    # Vacancies open at the scenario's monthly turnover of the registered stock (IOM Table 9) and stay
    # open until filled, up to the stock itself. Whole openings, drawn by stochastic rounding, keep the
    # scaled expectation at any population scale; carrying unfilled ones over keeps small-scale runs
    # from losing hires to the lumpiness of a thin market.
    stock = m.world.vacancy_stock * m.prog.vacancy_multiplier * m.prog.vacancy_index[y]
    agri = SECTORS.index("agriculture")
    stock[:, agri] *= 1.0 + m.prog.land_for_farming  # land for farming adds openings in agriculture (rec. 5)
    expected = (stock * m.prog.turnover * m.scale).ravel()
    u = m.streams.draw(VACANCY_ROUNDING, m.month, np.arange(expected.size))
    inflow = stochastic_round(expected, u).reshape(stock.shape)
    m.openings = np.minimum(m.openings + inflow, np.ceil(stock * m.scale))
    m.begin_month_index()
