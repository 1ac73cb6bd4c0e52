"""Subsidy payments (IOM 3.4.5, Tables 35 and 37).

Subsidies are paid from the household's payment month on (IOM Table 37); rent months that fell due
earlier are paid then as arrears. The rent subsidy covers renters for the scenario's months.
"""

from __future__ import annotations

import numpy as np

from sim.protocol import ModelView
from sim.states import Housing, State


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
