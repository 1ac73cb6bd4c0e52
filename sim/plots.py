"""PNG plots of a run: relocations by destination, employment and housing of arrivals, returns,
subsidy spending. With replicates, lines show the mean and a 5-95% band."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.programme import SUBSIDY_TYPES  # noqa: E402
from sim.regions import DESTINATIONS, catalogue  # noqa: E402

SOURCE = "relocsim simulation; levers and data from IOM (2021) and 2024 programme figures"


def _annual(res, col: str) -> pd.DataFrame:
    """(year x replicate) annual sums of a monthly column."""
    return pd.DataFrame({i: df.groupby("year")[col].sum() for i, df in enumerate(res.monthly)})


def _band(ax, x, table: pd.DataFrame, label: str, **kw) -> None:
    mean = table.mean(axis=1)
    line = ax.plot(x, mean, label=label, **kw)[0]
    if table.shape[1] > 1:
        ax.fill_between(x, table.quantile(0.05, axis=1), table.quantile(0.95, axis=1), color=line.get_color(), alpha=0.2)


def _finish(fig, ax, title: str, ylabel: str, path: Path) -> None:
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    fig.text(0.01, 0.01, SOURCE, fontsize=7, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


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
    _finish(fig, ax, f"Relocated persons by destination — {res.scenario.name}", "persons per year", out / "relocations_by_destination.png")
    # 2. employment and housing of arrivals
    fig, ax = plt.subplots(figsize=(9, 5))
    x = np.arange(len(res.monthly[0])) / 12 + years[0]
    for col, label in (("employed_share", "head employed"), ("housed_share", "in rented, provided or own housing")):
        _band(ax, x, pd.DataFrame({i: df[col] for i, df in enumerate(res.monthly)}), label)
    ax.set_ylim(0, 1.02)
    ax.legend()
    ax.set_xlabel("year")
    _finish(fig, ax, "Employment and housing of households in the destination regions", "share of households", out / "employment_housing.png")
    # 3. returns
    fig, ax = plt.subplots(figsize=(9, 5))
    returns = pd.DataFrame({i: df.filter(like="returns_persons_").sum(axis=1).groupby(df["year"]).sum() for i, df in enumerate(res.monthly)})
    arrivals = pd.DataFrame({i: df.filter(like="arrivals_persons_").sum(axis=1).groupby(df["year"]).sum() for i, df in enumerate(res.monthly)})
    ax.bar(years, returns.mean(axis=1), color="tab:red", alpha=0.7, label="returned persons per year")
    ax2 = ax.twinx()
    _band(ax2, years, returns.cumsum() / arrivals.cumsum().replace(0, np.nan), "cumulative return share", color="black")
    ax2.set_ylabel("returned / relocated (cumulative)")
    ax.legend(loc="upper left")
    ax2.legend(loc="upper right")
    ax.set_xlabel("year")
    _finish(fig, ax, "Returns to the regions of origin", "persons per year", out / "returns.png")
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
    _finish(fig, ax, "Subsidy spending", "million tenge per year", out / "subsidy_spending.png")
