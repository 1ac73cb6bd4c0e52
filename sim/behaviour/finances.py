"""The monthly household budget (IOM 3.3.3, Tables 36 and 38).

The budget adds earnings and subsidies and takes off living costs, rent or what a household without
housing pays to stay somewhere, winter heating and debt service (IOM 3.3.3: 38-40% repay bank loans).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.employment import employment_value_mci
from sim.protocol import ModelView
from sim.states import Education, Housing, Marital, State

WINTER_MONTHS = (0, 1, 2, 10, 11)        # Nov-Mar: heating season (calendar months, January = 0)


def market_rent_mci(m: ModelView, idx: np.ndarray) -> np.ndarray:
    b = m.b
    base = np.where(m.rural_dest[idx], b.rent_market_mci_rural, b.rent_market_mci_urban)
    size_factor = np.where(m.hh.size[idx] >= m.prog.large_family_from, b.large_family_rent_factor, 1.0)
    return base * size_factor * m.world.rent_price_index[m.dest[idx]]


def finances(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    b, hh, mci = m.b, m.hh, m.mci
    income = employment_value_mci(m, idx) + (hh.marital[idx] == Marital.MARRIED) * b.second_earner_share * m.wage_mci[Education.GENERAL_SECONDARY]
    hs = m.housing_status[idx]
    rent = market_rent_mci(m, idx)
    housing_cost = np.select([hs == Housing.RENTED, hs == Housing.NONE, hs == Housing.TEMPORARY],
                             [rent, b.stay_cost_share * rent, 0.0], b.own_housing_cost_share * rent)
    heating = b.winter_heating_mci * m.world.winter_severity[m.dest[idx]] * (m.month % 12 in WINTER_MONTHS)
    costs = b.living_cost_mci_per_person * hh.size[idx] + housing_cost + heating + hh.debt_mci[idx]
    m.cash[idx] += (income - costs) * mci
    m.deficit[idx] = m.cash[idx] < 0
