"""PNG plots of a run: relocations by destination, employment and housing of arrivals, returns,
subsidy spending. With replicates, lines show the mean and a 5-95% band."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.labels import axis_label
from sim.plotting import band, finish_axes, plt
from sim.programme import SUBSIDY_TYPES
from sim.regions import DESTINATIONS, catalogue


def _annual(res, col: str) -> pd.DataFrame:
    """(year x replicate) annual sums of a monthly column."""
    return pd.DataFrame({i: df.groupby("year")[col].sum() for i, df in enumerate(res.monthly)})


def write_plots(res, out: Path) -> None:
    names = catalogue()["destination"]
    years = res.monthly[0]["year"].unique()
    # 1. relocations by destination (stacked mean)
    fig, ax = plt.subplots(figsize=(9, 5))
    bottom = np.zeros(len(years))
    for d in DESTINATIONS:
        vals = _annual(res, f"arrivals_persons_{d}").mean(axis=1).to_numpy()
        if vals.sum() > 0:
            ax.bar(years, vals, bottom=bottom, label=names[d]["name"])
            bottom += vals
    ax.legend(fontsize=8, ncol=2)
    ax.set_xlabel("year")
    finish_axes(fig, ax, f"Relocated persons by destination — {res.scenario.name}", "persons per year", out / "relocations_by_destination.png",
                "bars: mean over replicates")
    # 2. employment and housing of arrivals
    fig, ax = plt.subplots(figsize=(9, 5))
    x = np.arange(len(res.monthly[0])) / 12 + years[0]
    for col, label in (("employed_share", "head employed"), ("housed_share", "in rented, provided or own housing")):
        band(ax, x, pd.DataFrame({i: df[col] for i, df in enumerate(res.monthly)}), label)
    ax.set_ylim(0, 1.02)
    ax.legend()
    ax.set_xlabel("year")
    finish_axes(fig, ax, "Employment and housing of households in the destination regions", "share of households", out / "employment_housing.png",
                "bands: 5-95% over replicates")
    # 3. returns
    fig, ax = plt.subplots(figsize=(9, 5))
    returns = pd.DataFrame({i: df.filter(like="returns_persons_").sum(axis=1).groupby(df["year"]).sum() for i, df in enumerate(res.monthly)})
    arrivals = pd.DataFrame({i: df.filter(like="arrivals_persons_").sum(axis=1).groupby(df["year"]).sum() for i, df in enumerate(res.monthly)})
    ax.bar(years, returns.mean(axis=1), color="tab:red", alpha=0.7, label="returned persons per year")
    ax2 = ax.twinx()
    band(ax2, years, returns.cumsum() / arrivals.cumsum().replace(0, np.nan), "cumulative return share", color="black")
    ax2.set_ylabel("returned / relocated (cumulative)")
    ax.legend(loc="upper left")
    ax2.legend(loc="upper right")
    ax.set_xlabel("year")
    finish_axes(fig, ax, "Returns to the regions of origin", "persons per year", out / "returns.png")
    # 4. subsidy spending
    fig, ax = plt.subplots(figsize=(9, 5))
    bottom = np.zeros(len(years))
    for t in SUBSIDY_TYPES:
        vals = _annual(res, f"paid_{t}_tenge").mean(axis=1).to_numpy() / 1e6
        ax.bar(years, vals, bottom=bottom, label=f"{t} subsidy")
        bottom += vals
    reimb = _annual(res, "reimbursed_tenge").mean(axis=1).to_numpy() / 1e6
    ax.plot(years, reimb, "k.-", label="repaid by returners")
    ax.legend()
    ax.set_xlabel("year")
    finish_axes(fig, ax, "Subsidy spending", f"{axis_label('subsidies_paid_tenge')} per year", out / "subsidy_spending.png")
