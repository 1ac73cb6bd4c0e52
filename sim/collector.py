"""Mesa's DataCollector as a view of the run's monthly record.

The phases write their counters into `MonthlyRecord` (`sim.outcomes`), the one store of the monthly
series. `RecordCollector` lets Mesa's tools (`batch_run`, `get_model_vars_dataframe`) read the same
numbers: each model-level variable is a column of the monthly table, read from the record when asked,
so nothing is kept twice and `collect` has nothing to copy.
"""

from __future__ import annotations

import mesa

from sim.outcomes import monthly_table


class RecordCollector(mesa.DataCollector):
    """Model-level series, one value per month run so far (national totals; shares as they are)."""

    def __init__(self, model):
        super().__init__()
        self._model = model
        # Mesa lists its model reporters here; ours read the record's monthly table
        self.model_reporters = {name: _column(name) for name in monthly_table(model).columns}

    @property
    def model_vars(self) -> dict[str, list]:
        table = monthly_table(self._model)
        return {name: table[name].tolist() for name in table.columns}

    @model_vars.setter
    def model_vars(self, _value) -> None:
        """Mesa's constructor starts an empty store; the record is the store, so there is none to set."""

    def collect(self, model) -> None:
        """Nothing to do: the phases have written the month into the record."""


def _column(name: str):
    def reporter(model):
        return monthly_table(model)[name].iloc[-1]

    reporter.__name__ = name
    return reporter
