"""Plot helpers shared by the run plots (`sim.plots`), the comparison plots (`sim.compare_plots`),
the dashboard (`sim.dashboard.views`) and the fit report, so that they look alike: one style per
series (colour, line style and marker, so that overlapping lines stay apart), mean lines with 5-95%
bands whose legend says what the band is, points with error bars for shares, axis labels with
units from `sim.labels`, and the source note. Matplotlib is imported here with the Agg backend, so
only commands that draw pay for it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from sim.i18n import N_, _, localise_number, ngettext  # noqa: E402
from sim.labels import axis_label, scale_for_plot  # noqa: E402

SOURCE = N_("relocsim simulation; levers and data from IOM (2021) and 2024 programme figures")
BAND = (5.0, 95.0)  # percentiles of the bands over replicates, as in sim.results.combine
YEAR = N_("Year")

# Series styles: the first (the reference, e.g. the baseline) is a thick solid dark line drawn
# underneath, so that a scenario identical to it shows as a thin line on a thick one; the others
# cycle colours, dash patterns and markers independently.
_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
_DASHES = ["--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 1)), (0, (8, 3))]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "<", ">"]
REFERENCE_COLOUR = "#222222"


@dataclass(frozen=True)
class Style:
    color: str
    ls: object
    marker: str
    lw: float
    zorder: float

    def line(self, markers: bool = True) -> dict:
        """Keyword arguments of `ax.plot` for this series."""
        return {"color": self.color, "ls": self.ls, "lw": self.lw, "zorder": self.zorder,
                "marker": self.marker if markers else None, "ms": 4 if self.lw < 2 else 5}


def styles(names: list[str], reference: bool = True) -> dict[str, Style]:
    """A distinct style per series; with `reference`, the first is the thick dark reference line."""
    out = {}
    for i, name in enumerate(names):
        if reference and i == 0:
            out[name] = Style(REFERENCE_COLOUR, "-", "o", 3.0, 2.0)
            continue
        j = i - 1 if reference else i
        ls = "-" if not reference and j == 0 else _DASHES[j % len(_DASHES)]
        out[name] = Style(_COLOURS[j % len(_COLOURS)], ls, _MARKERS[(j + 1) % len(_MARKERS)], 1.6, 3.0 + 0.01 * i)
    return out


def band(ax, x, table: pd.DataFrame, label: str, style: Style | None = None, key: str | None = None,
         scale: float = 1.0, markers: bool = True) -> None:
    """The mean over replicates (columns) as a line and, with several replicates, a 5-95% band.
    Values are put in the unit of `axis_label(key)` (shares in %, tenge in millions) or divided by `scale`."""
    t = scale_for_plot(key, table) if key else table / scale
    kw = style.line(markers and len(x) < 30) if style else {"marker": "o" if markers and len(x) < 30 else None, "ms": 3}
    line = ax.plot(x, t.mean(axis=1), label=label, **kw)[0]
    if t.shape[1] > 1:
        ax.fill_between(x, t.quantile(BAND[0] / 100, axis=1), t.quantile(BAND[1] / 100, axis=1),
                        color=line.get_color(), alpha=0.15, lw=0, zorder=line.get_zorder() - 1)


def band_text(replicates: int) -> str:
    return _("shaded: 90% band over {n} replicates").format(n=replicates)


def legend(ax, replicates: int, fig=None, **kw):
    """The legend of `ax` (or of the figure) with, when there are bands, one grey entry saying what they are."""
    handles, names = ax.get_legend_handles_labels()
    if replicates > 1:
        handles.append(Patch(facecolor="grey", alpha=0.3, label=band_text(replicates)))
        names.append(band_text(replicates))
    kw = {"fontsize": 8, **kw}
    return (fig or ax).legend(handles, names, **kw)


def thousands(axis) -> None:
    """Tick labels with the locale's thousands separators (12,000 or 12 000 rather than 12000)."""
    axis.set_major_formatter(FuncFormatter(
        lambda v, _pos: localise_number(f"{v:,.0f}" if abs(v) >= 1000 or v == int(v) else f"{v:,.2g}")))


def same_as(tables: dict[str, pd.DataFrame], reference: str, rtol: float = 0.005) -> set[str]:
    """The series whose mean stays within `rtol` of the reference's everywhere: their lines coincide."""
    ref = tables[reference].mean(axis=1).to_numpy(float)
    tol = rtol * max(float(np.nanmax(np.abs(ref))) if np.isfinite(ref).any() else 0.0, 1e-12)
    return {name for name, t in tables.items() if name != reference and t.shape == tables[reference].shape
            and np.allclose(t.mean(axis=1).to_numpy(float), ref, atol=tol, equal_nan=True)}


def monthly_share(res, col: str) -> pd.DataFrame:
    """(month x replicate) values of a share column of a run's monthly table, indexed by fractional
    year; months with nobody in the destination regions have no share (NaN, not 0%)."""
    m0 = res.monthly[0]
    x = m0["year"].to_numpy() + (m0["month"].to_numpy() - 1) / 12
    return pd.DataFrame({i: df[col].where(df["in_destination_persons"] > 0).to_numpy() for i, df in enumerate(res.monthly)},
                        index=x)


def yerr(mean, low, high) -> np.ndarray:
    """Error bars (2 x n) from an interval; a mean outside its interval gets none on that side, NaN none."""
    mean, low, high = (np.asarray(v, float) for v in (mean, low, high))
    return np.nan_to_num(np.vstack([np.clip(mean - low, 0, None), np.clip(high - mean, 0, None)]))


def dodge(j: int, n: int, width: float = 0.5) -> float:
    """Horizontal offset of series `j` of `n` so that their points and error bars do not hide each other."""
    return 0.0 if n < 2 else (j - (n - 1) / 2) * width / (n - 1)


def points(ax, x, mean, low, high, label: str | None, style: Style, horizontal: bool = False) -> None:
    """Means as markers with 90% error bars (shares and differences: no bar from zero)."""
    err = yerr(mean, low, high)
    kw = {"fmt": style.marker, "color": style.color, "ms": 6 if style.lw < 2 else 7, "capsize": 3,
          "elinewidth": 1.4, "zorder": style.zorder, "label": label}
    if horizontal:
        ax.errorbar(mean, x, xerr=err, **kw)
    else:
        ax.errorbar(x, mean, yerr=err, **kw)


def ylabel(ax, key: str, text: str | None = None) -> None:
    """The y axis named after an outcome key and its unit (sim.labels), or `text` as given."""
    ax.set_ylabel(text if text is not None else axis_label(key))


def axes(ax, title: str, key: str | None = None, ylabel_text: str | None = None, xlabel: str | None = None,
         fontsize: int = 11) -> None:
    """Title, axis labels (the y label from `key` and its unit; x: the year unless given) and a light grid."""
    ax.set_title(title, fontsize=fontsize)
    ax.set_xlabel(_(YEAR) if xlabel is None else xlabel)
    ylabel(ax, key or "", ylabel_text)
    ax.grid(alpha=0.3)


def run_note(seed: int | None, replicates: int, scale: float) -> str:
    """The note under a figure that says how to reproduce it (the seed is in the folder name when not given)."""
    text = ngettext("{n} replicate, scale {scale}", "{n} replicates, scale {scale}", replicates).format(
        n=replicates, scale=localise_number(f"{scale:g}"))
    return _("seed {seed}, {rest}").format(seed=seed, rest=text) if seed is not None else text


def finish(fig, path: Path, title: str | None = None, note: str = "", rect_top: float = 1.0, dpi: int = 110) -> None:
    """Title, source note, layout; save to `path` and close the figure."""
    if title:
        fig.suptitle(title)
    lines = [_(SOURCE)] + textwrap.wrap(note, width=int(fig.get_figwidth() * 16)) if note else [_(SOURCE)]
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=7, color="grey", va="bottom")
    fig.tight_layout(rect=(0, (0.12 + 0.16 * len(lines)) / fig.get_figheight(), 1, rect_top))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
