"""The start of each month and year: quotas (IOM Table 10; source 000), vacancies (IOM Table 9)."""

from __future__ import annotations

import numpy as np

from sim.behaviour.awareness import refresh
from sim.behaviour.common import stochastic_round
from sim.regions import SECTORS
from sim.states import State


def new_year(m) -> None:
    y = m.year_index
    if m.month % 12 == 0:
        u = m.streams.uniform("selection", m.month, np.arange(len(m.quota_left)), k=7)
        m.quota_year = stochastic_round(m.prog.quota[y] * m.scale, u)
        m.quota_left = m.quota_year.copy()
        m.record.quota_persons_year[y] = m.quota_year
        # subsidy levels may change with the year: aware households reweigh the programme
        refresh(m, np.flatnonzero(m.state == State.AWARE))
    # the registered vacancy stock renews each month at the scenario's turnover
    stock = m.world.vacancy_stock * m.prog.vacancy_multiplier * m.prog.vacancy_index[y]
    agri = SECTORS.index("agriculture")
    stock[:, agri] *= 1.0 + m.prog.land_for_farming  # land for farming adds openings in agriculture (rec. 5)
    m.openings = stock * m.prog.turnover * m.scale
    m.begin_month_index()
