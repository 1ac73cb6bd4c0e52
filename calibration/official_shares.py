"""Official figures scored as shares of a base, so that they can be judged like survey cells.

These are the hold-outs that test mechanisms outside the survey (issue 10):

- destination choice: Table 11's 2020 destinations of each origin's movers (share of the origin's
  persons going to each of the four destinations) and Kostanay's origins (IOM 3.2.1, the text after
  Table 10: Turkestan 738, Kyzylorda 600, Zhambyl 452, Nur-Sultan 68, Almaty 66 of 2,441 persons);
- returns: the regional return rates (Table 10: Kostanay 275 of 2,441, North Kazakhstan 495 of 6,765),
  realized returns, not expected ones;
- 2024 outcomes (source 000): employed and business shares of the able-bodied arrivals.

Official figures are censuses, not samples; their interval is the process noise of a finite number of
independent decisions. Families decide, not persons, so the base is the number of families: printed
where the source gives it, else persons / `PERSONS_PER_FAMILY`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calibration.targets import load_official
from sim.regions import DESTINATIONS, ORIGINS

PERSONS_PER_FAMILY = 3.66  # the baseline's mean_household_size, pooled from IOM Tables 10-11 (scenarios/baseline.toml)
FOUR = ("north_kazakhstan", "pavlodar", "kostanay", "east_kazakhstan")
COLUMNS = ["target", "breakdown", "group", "cell", "split", "kind", "count", "base", "observed"]


def observed_official_shares() -> pd.DataFrame:
    """Official figures as (target, breakdown, group, cell) shares with a base, in `COLUMNS`."""
    o = load_official()
    rows: list[tuple] = []
    flows = o[o["target"] == "t11_origin_destinations_2020"]
    for origin, g in flows.groupby("region", sort=False):
        persons = g[g["quantity"].str.startswith("persons_to_")]
        families = g[g["quantity"].str.startswith("families_to_")]["value"].sum()
        total = persons["value"].sum()
        base = float(families) if families else total / PERSONS_PER_FAMILY
        for q, v in zip(persons["quantity"], persons["value"]):
            rows.append(("t11_destinations_2020", "origin", origin, q.removeprefix("persons_to_"), "holdout", "outcome",
                         base * v / total, base, v / total))
    pooled = flows[flows["quantity"].str.startswith("persons_to_")].groupby("quantity")["value"].sum()
    for q, v in pooled.items():
        # the pooled row is the no-heterogeneity null of destination choice, not a printed figure
        rows.append(("t11_destinations_2020", "origin", "all", q.removeprefix("persons_to_"), "holdout", "pooled",
                     np.nan, np.nan, v / pooled.sum()))
    t10 = o[o["target"] == "t10_destination"].set_index(["region", "quantity"])["value"]
    kos = float(t10[("kostanay", "relocated_persons")])
    for r in o[o["target"] == "t10_kostanay_origins"].itertuples():
        base = kos / PERSONS_PER_FAMILY
        rows.append(("t10_kostanay_origins", "all", "kostanay", r.region, "holdout", "outcome", base * r.value / kos, base, r.value / kos))
    ret = o[(o["target"] == "t10_returns_by_region") & (o["quantity"] == "returnees_persons")]
    for r in ret.itertuples():
        persons = float(t10[(r.region, "relocated_persons")])
        families = t10.get((r.region, "relocated_families"), persons / PERSONS_PER_FAMILY)
        rows.append(("t10_return_rate", "region", r.region, "returned", "holdout", "outcome",
                     families * r.value / persons, float(families), r.value / persons))
    business = t10[("north_kazakhstan", "business")] + t10[("kostanay", "business")]
    working = business + t10[("north_kazakhstan", "employed")] + t10[("kostanay", "employed")]
    rows.append(("t10_business_share", "all", "north_kazakhstan+kostanay", "business", "calibration", "outcome",
                 float(business), float(working), business / working))
    y24 = o[o["target"] == "y2024_outcomes"].set_index("quantity")["value"]
    able = float(y24["able_bodied_arrivals"])
    for q in ("employed", "business"):
        rows.append(("y2024_outcomes", "all", "able_bodied", q, "holdout", "outcome", float(y24[q]), able, y24[q] / able))
    return pd.DataFrame(rows, columns=COLUMNS)


def simulated_official_shares(flows_persons: np.ndarray, years: list[int], official: dict) -> dict[tuple, float]:
    """One replicate's shares for `observed_official_shares()`: (target, group, cell) -> share.

    `flows_persons` is the run's arrivals by (year, origin, destination) at model scale
    (`MonthlyRecord.flows_persons`); `official` is `calibration.fit.official_outcomes` of the same run.
    """
    out: dict[tuple, float] = {}
    y20 = list(years).index(2020)
    four = [DESTINATIONS.index(d) for d in FOUR]
    pooled = flows_persons[y20][:, four].sum(axis=0)
    for o, origin in enumerate(ORIGINS):
        row = flows_persons[y20, o, four]
        for d, dest in zip(row, FOUR):
            out[("t11_destinations_2020", origin, dest)] = float(d / row.sum()) if row.sum() else np.nan
    for d, dest in zip(pooled, FOUR):
        out[("t11_destinations_2020", "all", dest)] = float(d / pooled.sum()) if pooled.sum() else np.nan
    y17 = list(years).index(2017)
    kos = flows_persons[y17:y20 + 1, :, DESTINATIONS.index("kostanay")].sum(axis=0)
    for o, origin in enumerate(ORIGINS):
        out[("t10_kostanay_origins", "kostanay", origin)] = float(kos[o] / kos.sum()) if kos.sum() else np.nan
    for region in ("kostanay", "north_kazakhstan"):
        arrived = official.get(("t10_relocated_persons", region), np.nan)
        out[("t10_return_rate", region, "returned")] = official.get(("t10_returns_by_region", region), np.nan) / arrived if arrived else np.nan
    out[("t10_business_share", "north_kazakhstan+kostanay", "business")] = official.get(("t10_business_share", "north_kazakhstan+kostanay"), np.nan)
    for q in ("employed", "business"):
        out[("y2024_outcomes", "able_bodied", q)] = official.get(("y2024_outcomes", f"{q}_share"), np.nan)
    return out


def replicate_official_shares(obs: pd.DataFrame, per_run: list[dict]) -> np.ndarray:
    """Cells (rows of `obs`) x replicates matrix of simulated shares."""
    keys = list(zip(obs["target"], obs["group"], obs["cell"]))
    return np.array([[run.get(k, np.nan) for run in per_run] for k in keys], float).reshape(len(keys), len(per_run))
