"""A map of Kazakhstan's regions drawn without downloads: region centres are the regional capitals of
`sim/data/regions.toml`; the country outline is a coarse polygon for orientation only."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Polygon

from sim.i18n import N_, _, number
from sim.labels import short_region_name
from sim.regions import catalogue

# Approximate outline of Kazakhstan (longitude, latitude), about 40 points traced by hand from public
# geography: enough to place the regions, not a boundary.
OUTLINE = [
    (46.7, 48.6), (47.3, 50.3), (48.7, 50.6), (50.8, 51.6), (52.5, 51.5), (55.0, 50.6), (58.5, 51.0),
    (61.0, 50.8), (61.5, 52.0), (60.8, 53.3), (62.5, 54.0), (65.0, 54.6), (69.0, 55.4), (71.0, 54.2),
    (73.5, 54.0), (76.5, 54.2), (77.8, 53.3), (80.0, 51.0), (83.0, 51.0), (87.3, 49.1), (85.5, 47.0),
    (83.0, 47.2), (82.3, 45.5), (80.0, 45.0), (80.3, 42.8), (78.0, 42.9), (74.5, 43.2), (71.0, 42.8),
    (69.1, 41.4), (68.0, 40.7), (66.0, 42.0), (65.0, 43.5), (62.0, 43.5), (58.5, 45.5), (56.0, 45.0),
    (56.0, 41.3), (55.5, 41.3), (53.0, 42.1), (52.5, 41.8), (52.7, 42.5), (51.3, 43.2), (51.3, 44.5),
    (50.3, 44.6), (51.0, 45.2), (53.0, 45.3), (53.0, 46.8), (51.9, 47.1), (49.0, 46.5), (47.0, 47.8),
]
ORIGIN_COLOUR, DESTINATION_COLOUR, FLOW_COLOUR = "#d95f02", "#1b9e77", "#7570b3"


def centres() -> dict[str, tuple[float, float]]:
    """Region id -> (longitude, latitude) of its capital, for origins and destinations."""
    cat = catalogue()
    return {r: (float(v["lon"]), float(v["lat"])) for side in ("origin", "destination") for r, v in cat[side].items()}


def mean_flows(flows: pd.DataFrame, replicates: int) -> pd.DataFrame:
    """Persons per (origin, destination) over the whole run, mean over replicates, largest first."""
    if flows.empty:
        return pd.DataFrame(columns=["origin", "destination", "persons"])
    out = flows.groupby(["origin", "destination"], as_index=False)["persons"].sum()
    out["persons"] = out["persons"] / max(int(replicates), 1)
    return out.sort_values("persons", ascending=False, ignore_index=True)


def flow_map(flows: pd.DataFrame, title: str = N_("Relocations by origin and destination")) -> Figure:
    """Region centres and origin->destination arrows, width proportional to persons."""
    fig = Figure(figsize=(9, 5.2), dpi=100)
    ax = fig.add_subplot()
    ax.add_patch(Polygon(OUTLINE, closed=True, facecolor="#f2f2f2", edgecolor="#999999", lw=0.8))
    where = centres()
    cat = catalogue()
    biggest = float(flows["persons"].max()) if len(flows) else 1.0
    for r in flows.itertuples():
        (x0, y0), (x1, y1) = where[r.origin], where[r.destination]
        width = 0.4 + 7.0 * r.persons / biggest
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), connectionstyle="arc3,rad=0.15", arrowstyle="-|>",
                                     mutation_scale=6 + 2 * width, lw=width, color=FLOW_COLOUR, alpha=0.55,
                                     shrinkA=4, shrinkB=4))
    for side, colour in (("origin", ORIGIN_COLOUR), ("destination", DESTINATION_COLOUR)):
        pts = np.array([where[r] for r in cat[side]])
        ax.scatter(pts[:, 0], pts[:, 1], s=30, color=colour, zorder=3,
                   label=_("Origin regions (south)") if side == "origin" else _("Destination regions (north)"))
        for r in cat[side]:
            x, y = where[r]
            ax.annotate(short_region_name(r), (x, y), textcoords="offset points", xytext=(4, 3),
                        fontsize=7, color="#333333")
    if len(flows):
        ax.plot([], [], color=FLOW_COLOUR, lw=4, alpha=0.55,
                label=_("Flow of persons (widest: {n} persons)").format(n=number(biggest, ",.0f")))
    ax.set_xlim(45.5, 88.5)
    ax.set_ylim(40.0, 56.5)
    ax.set_aspect(1.35)
    ax.set_xlabel(_("Longitude (degrees east)"))
    ax.set_ylabel(_("Latitude (degrees north)"))
    ax.legend(loc="lower left", fontsize=7, frameon=False)
    ax.set_title(_(title), fontsize=10)
    fig.tight_layout()
    return fig
