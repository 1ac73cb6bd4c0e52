"""Plot helpers shared by the run plots (`sim.plots`), the comparison plots (`sim.compare_plots`)
and the fit report: mean lines with 5-95% bands, error bars from intervals, axis labels with units
from `sim.labels`, and the source note. Matplotlib is imported here with the Agg backend, so only
commands that draw pay for it."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.labels import axis_label  # noqa: E402

SOURCE = "relocsim simulation; levers and data from IOM (2021) and 2024 programme figures"
BAND = (5.0, 95.0)  # percentiles of the bands over replicates, as in sim.results.combine
BAND_NOTE = "bands: 5-95% over replicates"


def band(ax, x, table: pd.DataFrame, label: str, color=None, scale: float = 1.0, marker: str | None = None, **kw) -> None:
    """The mean over replicates (columns) as a line and, with several replicates, a 5-95% band."""
    t = table / scale
    line = ax.plot(x, t.mean(axis=1), label=label, color=color, marker=marker, **kw)[0]
    if t.shape[1] > 1:
        ax.fill_between(x, t.quantile(BAND[0] / 100, axis=1), t.quantile(BAND[1] / 100, axis=1),
                        color=line.get_color(), alpha=0.2)


def yerr(mean, low, high) -> np.ndarray:
    """Error bars (2 x n) from an interval; a mean outside its interval gets none on that side, NaN none."""
    mean, low, high = (np.asarray(v, float) for v in (mean, low, high))
    return np.nan_to_num(np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)]))


def ylabel(ax, key: str, text: str | None = None) -> None:
    """The y axis named after an outcome key and its unit (sim.labels), or `text` as given."""
    ax.set_ylabel(text if text is not None else axis_label(key))


def finish(fig, path: Path, title: str | None = None, note: str = "", rect_top: float = 1.0, dpi: int = 110) -> None:
    """Title, source note, layout; save to `path` and close the figure."""
    if title:
        fig.suptitle(title)
    fig.text(0.01, 0.005, SOURCE + (f"; {note}" if note else ""), fontsize=7, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, rect_top))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def finish_axes(fig, ax, title: str, ylabel_text: str, path: Path, note: str = "") -> None:
    """A one-panel figure: its title, y label and grid, then `finish`."""
    ax.set_title(title)
    ax.set_ylabel(ylabel_text)
    ax.grid(alpha=0.3)
    finish(fig, path, note=note)
