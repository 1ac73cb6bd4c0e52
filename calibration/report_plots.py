"""The fit report's plot of group splits: for every table with groups, each group's observed share,
the simulated mean with the survey's binomial 95% interval, and the no-heterogeneity null."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from calibration.validation import GROUP_BREAKDOWNS, group_cells
from sim.plotting import plt


def plot_groups(cells: pd.DataFrame, path: Path) -> None:
    g = group_cells(cells)
    targets = list(dict.fromkeys(g["target"]))
    if not targets:
        return
    cols = 2
    rows = int(np.ceil(len(targets) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(16, 3.4 * rows), squeeze=False)
    for ax, t in zip(np.ravel(axes), targets):
        d = g[g["target"] == t].sort_values(["cell", "group"])
        x = np.arange(len(d))
        m = d["simulated_mean"].to_numpy(float)
        err = [np.clip(m - d["binomial_low"], 0, None), np.clip(d["binomial_high"] - m, 0, None)]
        ax.bar(x, m, 0.6, color="tab:blue", alpha=0.45, yerr=err, capsize=2, label="simulated, binomial 95%")
        ax.scatter(x, d["observed"], color="k", s=14, zorder=3, label="observed")
        ax.scatter(x, d["null"], color="tab:red", marker="_", s=120, zorder=3, label="null (ALL row)")
        ax.set_xticks(x, [f"{c} | {gr}" for c, gr in zip(d["cell"], d["group"])], rotation=60, ha="right", fontsize=6)
        ax.set_title(f"{t} ({d['split'].iloc[0]})", fontsize=9)
    for ax in np.ravel(axes)[len(targets):]:
        ax.axis("off")
    np.ravel(axes)[0].legend(fontsize=7)
    fig.suptitle(f"Group splits ({', '.join(sorted(GROUP_BREAKDOWNS))}): observed, simulated and the null")
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(path, dpi=80)
    plt.close(fig)
