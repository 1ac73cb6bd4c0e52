"""What the calibration takes from a run, gathered through the model's observer hook
(`RelocationModel.observe`), never from its internals.

`RunObserver(model)` registers three observers before the model runs:

* the survey frame: at the end of January 2021 (the IOM fieldwork, December 2020 - February 2021)
  and of June 2024 (the 1 July 2024 figures), where the run covers them, copies of the attributes
  of every household living in a destination region (`survey_frame_of`);
* the expected returns: every month, the persons at risk of return times their return probability
  (the returns phase's `model.return_risk`), by arrival year and first destination. Same expectation
  as the realized count (its compensator), far less noise: the calibration distance uses it;
* the official outcomes (`calibration.fit.official_outcomes`), computed at the end of the last month,
  with a copy of the run's arrivals by (year, origin, destination) at model scale (`flows_persons`,
  the record's series) and its calendar years, for the official shares
  (`calibration.official_shares.simulated_official_shares`).
"""

from __future__ import annotations

import numpy as np

from sim.regions import DESTINATIONS
from sim.states import State

# (year, month index) of the survey frames: January 2021 (IOM fieldwork) and June 2024
FIELDWORK = (2021, 0)
JUNE_2024 = (2024, 5)

FRAME_HOUSEHOLD = ("origin", "settlement", "housing_before", "female", "young", "marital", "education", "sector",
                   "inactive", "size", "qualified")
FRAME_MODEL = ("dest", "first_dest", "arrival_month", "job", "job_sector", "housing_status", "housing_route", "housed_month",
               "decision_mode", "pay_bin", "pay_month", "collect_month", "application_month", "approval_month", "adapt_needed", "subsidy_reloc",
               "subsidy_rent", "job_problems", "side_business", "rural_dest", "took_courses", "supported", "aware_channel")


def survey_frame_of(m) -> dict:
    """Copies of the attributes of households living in a destination region now (the survey frame)."""
    idx = np.flatnonzero(m.state == State.ARRIVED)
    out = {"month": m.month, "household": idx}
    for a in FRAME_HOUSEHOLD:
        out[a] = getattr(m.hh, a)[idx].copy()
    for a in FRAME_MODEL:
        out[a] = getattr(m, a)[idx].copy()
    return out


class RunObserver:
    """Survey frames, expected returns and official outcomes of one run (see the module doc).

    Create it with the model before `model.run()`; afterwards `frames[month]`, `fieldwork_frame`,
    `return_risk_persons[month, arrival year, first destination]`, `officials`, `flows_persons[year,
    origin, destination]` and `years` hold the results.
    """

    def __init__(self, model):
        self.fieldwork_month = model.month_of(*FIELDWORK)
        self.june_2024_month = model.month_of(*JUNE_2024)
        self.first_month_2017 = model.month_of(2017)
        self.frames: dict[int, dict] = {}
        self.return_risk_persons = np.zeros((model.n_months, len(model.years), len(DESTINATIONS)))
        self.officials: dict | None = None
        self.flows_persons: np.ndarray | None = None
        self.years = [int(y) for y in model.years]
        months = [mo for mo in (self.fieldwork_month, self.june_2024_month) if 0 <= mo < model.n_months]
        model.observe(self._frame, months)
        model.observe(self._risk)
        model.observe(self._finish, [model.n_months - 1])

    @property
    def fieldwork_frame(self) -> dict:
        """The January 2021 survey frame (KeyError if the run ends before it)."""
        return self.frames[self.fieldwork_month]

    def _frame(self, m) -> None:
        self.frames[m.month] = survey_frame_of(m)

    def _risk(self, m) -> None:
        idx, p = m.return_risk
        if len(idx) == 0:
            return
        n_years, n_dest = self.return_risk_persons.shape[1:]
        cell = (m.arrival_month[idx] // 12) * n_dest + m.first_dest[idx].astype(np.int64)
        w = p * m.hh.size[idx]
        self.return_risk_persons[m.month] += np.bincount(cell, weights=w, minlength=n_years * n_dest).reshape(n_years, n_dest)

    def _finish(self, m) -> None:
        from calibration.fit import official_outcomes

        self.officials = official_outcomes(m, self)
        self.flows_persons = m.record.flows_persons.copy()


def observed_run(model) -> RunObserver:
    """Attach a RunObserver to a model about to run (a `run_scenario(observe=...)` hook)."""
    return RunObserver(model)
