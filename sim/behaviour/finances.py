"""Subsidy payments and the monthly household budget (IOM 3.4.5, Tables 35-38).

Subsidies are paid from the household's payment month on (IOM Table 37); rent months that fell due
earlier are paid then as arrears. The rent subsidy covers renters for the scenario's months. The
budget adds earnings and subsidies and takes off living costs, rent or what a household without
housing pays to stay somewhere, winter heating and debt service (IOM 3.3.3: 38-40% repay bank loans).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.employment import employment_value_mci
from sim.protocol import ModelView
from sim.states import Education, Housing, Marital, State

WINTER_MONTHS = (0, 1, 2, 10, 11)        # Nov-Mar: heating season
STAY_COST_SHARE = 0.6                    # assumption: cost of staying with acquaintances/hostel vs rent
OWN_HOUSING_COST_SHARE = 0.3             # assumption: utilities of provided or own housing vs rent


def market_rent_mci(m: ModelView, idx: np.ndarray) -> np.ndarray:
    b = m.b
    base = np.where(m.rural_dest[idx], b.rent_market_mci_rural, b.rent_market_mci_urban)
    size_factor = np.where(m.hh.size[idx] >= m.prog.large_family_from, 1.2, 1.0)
    return base * size_factor * m.world.rent_price_index[m.dest[idx]]


def subsidies(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    prog, mci, rec, mo = m.prog, m.mci, m.record, m.month
    # rent months fall due while renting, up to the subsidy's length
    # paid for the months after arrival (IOM 3.4.5: monthly for one year upon arrival) in which the family rents
    within = (mo - m.arrival_month[idx]) < prog.rent_months
    renting = idx[(m.housing_status[idx] == Housing.RENTED) & m.claims_rent[idx] & within]
    m.rent_accrued[renting] += 1
    payable = idx[m.pay_month[idx] <= mo]
    # relocation subsidy, once
    reloc = payable[m.reloc_due[payable] > 0]
    amount = m.reloc_due[reloc] * mci
    m.subsidy_reloc[reloc] += amount
    m.cash[reloc] += amount
    m.reloc_due[reloc] = 0
    rec.paid[mo, 0] += amount.sum()
    # rent subsidy: months due and not yet paid
    owed = payable[m.rent_accrued[payable] > m.rent_paid_months[payable]]
    months = (m.rent_accrued[owed] - m.rent_paid_months[owed]).astype(np.float64)
    rate = prog.rent_subsidy_mci(m.hh.size[owed], m.rural_dest[owed], m.world.rent_price_index[m.dest[owed]]) * mci
    rent = months * rate
    m.subsidy_rent[owed] += rent
    m.cash[owed] += rent
    m.rent_paid_months[owed] = m.rent_accrued[owed]
    rec.paid[mo, 1] += rent.sum()


def finances(m: ModelView) -> None:
    idx = m.active_idx(State.ARRIVED)
    if len(idx) == 0:
        return
    b, hh, mci = m.b, m.hh, m.mci
    income = employment_value_mci(m, idx) + (hh.marital[idx] == Marital.MARRIED) * b.second_earner_share * m.wage_mci[Education.GENERAL_SECONDARY]
    hs = m.housing_status[idx]
    rent = market_rent_mci(m, idx)
    housing_cost = np.select([hs == Housing.RENTED, hs == Housing.NONE, hs == Housing.TEMPORARY],
                             [rent, STAY_COST_SHARE * rent, 0.0], OWN_HOUSING_COST_SHARE * rent)
    heating = b.winter_heating_mci * m.world.winter_severity[m.dest[idx]] * (m.month % 12 in WINTER_MONTHS)
    costs = b.living_cost_mci_per_person * hh.size[idx] + housing_cost + heating + hh.debt_mci[idx]
    m.cash[idx] += (income - costs) * mci
    m.deficit[idx] = m.cash[idx] < 0
