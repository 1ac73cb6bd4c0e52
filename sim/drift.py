"""The destination mix by year: official arrivals in two periods set how each region's share drifted.

The destination constants (`choice_asc_*`) are fitted to the mean mix of IOM Table 10 (2017-2020), so
without more every year would have that mix. The official figures give a second period, the arrivals of
January-June 2024 by region (source 000), and the surveyed regions' shares moved between the two (East
Kazakhstan with Abay, its part until 2022: 8.4% to 17.0%; North Kazakhstan 39.8% to 25.8%). A region's
constant in year y is shifted by the log of its share on the line through the two periods' centres, over
its share in the first period: log-linear in time, flat before the first period and held from
`hold_after` on (Abay became a destination of its own in 2022, source 001, so the pooled 2024 figure sets
the line, not East Kazakhstan's later constant). Table 11's 2020 mix is left out, a test of the line.
"""

from __future__ import annotations

import numpy as np

from sim.regions import DESTINATIONS


def destination_drift(years: np.ndarray, spec: dict) -> np.ndarray:
    """(year x destination) shift of the destination constants; zeros with `by_year = "no"` or where a
    region lacks a figure in either period."""
    shift = np.zeros((len(years), len(DESTINATIONS)))
    if spec["by_year"] != "yes":
        return shift
    first, second = (np.array([spec[k].get(r, 0.0) for r in DESTINATIONS], float) for k in ("first_persons", "second_persons"))
    both = (first > 0) & (second > 0)
    if not both.any():
        return shift
    log_ratio = np.log(second[both] / second[both].sum()) - np.log(first[both] / first[both].sum())
    mid = np.asarray(years, float) + 0.5  # a year's arrivals centre at its middle
    start = float(spec["first_start"])
    mid = np.clip(mid, start + 0.5, float(spec["hold_after"]) + 0.5)
    frac = (mid - float(spec["first_centre"])) / (float(spec["second_centre"]) - float(spec["first_centre"]))
    shift[:, both] = frac[:, None] * log_ratio[None, :]
    return shift
