"""A parameter ensemble: equally or unequally weighted sets of behavioural parameters, one drawn per
replicate seed, so that the spread over replicates carries parameter uncertainty as well as noise.

The experiments (runner, compare, sweep) take an ensemble as an argument and never load one: the
calibrated ensemble (`calibration/posterior.csv`) is read by the calibration layer
(`calibration.ensemble.posterior`) and handed down by the command line, which keeps the layers
one-way (docs: README "Layout").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PARAMETER_SOURCES = ("posterior", "defaults")   # `--parameters` and a spec's `parameters`
META_COLUMNS = ("trial", "distance", "weight")  # columns of an ensemble table that are not parameters


@dataclass(frozen=True)
class ParameterEnsemble:
    """Parameter sets (a table: trial, distance, weight, one column per parameter).

    `ignored` names columns that are not behaviour (e.g. survey design) and are never applied to a
    scenario; `source` and `sha256` identify the file the table came from (recorded with results).
    """

    table: Any                                  # pandas.DataFrame
    ignored: tuple[str, ...] = ()
    source: str | None = None
    sha256: str | None = field(default=None)

    @classmethod
    def from_csv(cls, path: str | Path, ignored: tuple[str, ...] = ()) -> "ParameterEnsemble":
        import pandas as pd

        path = Path(path)
        return cls(pd.read_csv(path), ignored, str(path), hashlib.sha256(path.read_bytes()).hexdigest())

    def draw(self, seed: int) -> tuple[int, dict]:
        """One parameter set for a replicate seed (deterministic): (trial id, every parameter column)."""
        return draw(self.table, seed)

    def behaviour_draw(self, seed: int) -> tuple[int, dict]:
        """As `draw`, without the ignored (non-behaviour) columns."""
        trial, params = self.draw(seed)
        return trial, {k: v for k, v in params.items() if k not in self.ignored}

    def info(self) -> dict | None:
        """The file behind the ensemble, as recorded in a sweep's identity (None if not from a file)."""
        return None if self.source is None else {"file": self.source, "sha256": self.sha256}


def draw(table, seed: int) -> tuple[int, dict]:
    """One row of an ensemble table drawn for a replicate seed by its weights (deterministic)."""
    import numpy as np  # here, not at the top: the command line reads PARAMETER_SOURCES without numpy

    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x9057]))
    w = table["weight"].to_numpy(float)
    i = int(rng.choice(len(table), p=w / w.sum()))
    row = table.iloc[i]
    return int(row["trial"]), {c: float(row[c]) for c in table.columns if c not in META_COLUMNS}
