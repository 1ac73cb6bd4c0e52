"""The world: destination regions as arrays, the region graph, and the markets of each region.

Regions are few, so they are kept as small numpy arrays indexed by region; the networkx graph of
regions gives travel distances used in destination choice, in the cost of moving and in moves on.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from sim.params import Behaviour
from sim.regions import DESTINATIONS, ORIGINS, SECTORS, catalogue

def _haversine_km(a: dict, b: dict) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a["lat"], a["lon"], b["lat"], b["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def region_graph(k_nearest: int, road_factor: float) -> nx.Graph:
    """Regions joined to their `k_nearest` nearest neighbours, edges weighted by road distance (km):
    great-circle distance times `road_factor`.

    Shortest paths over this sparse graph stand in for road routes between regional capitals.
    """
    cat = catalogue()
    nodes = {**cat["origin"], **cat["destination"]}
    g = nx.Graph()
    for rid, info in nodes.items():
        g.add_node(rid, name=info["name"], kind="origin" if rid in cat["origin"] else "destination")
    for rid, info in nodes.items():
        dists = sorted((_haversine_km(info, other), oid) for oid, other in nodes.items() if oid != rid)
        for d, oid in dists[:k_nearest]:
            g.add_edge(rid, oid, km=round(d * road_factor, 1))
    return g


def distance_matrix(g: nx.Graph) -> np.ndarray:
    """Shortest-path km from each origin (rows) and destination to each destination (columns)."""
    rows = list(ORIGINS) + list(DESTINATIONS)
    lengths = dict(nx.all_pairs_dijkstra_path_length(g, weight="km"))
    return np.array([[lengths[r][d] for d in DESTINATIONS] for r in rows])


class World:
    """Destination-region attributes as arrays (index = position in DESTINATIONS)."""

    def __init__(self, b: Behaviour) -> None:
        cat = catalogue()
        dest = [cat["destination"][d] for d in DESTINATIONS]
        orig = [cat["origin"][o] for o in ORIGINS]
        self.graph = region_graph(b.region_neighbours, b.road_factor)
        dist = distance_matrix(self.graph)
        self.origin_dest_km = dist[: len(ORIGINS)]
        self.dest_dest_km = dist[len(ORIGINS):]
        # winter severity: 0 for a mild January, 1 at -winter_severity_c (the catalogue's climate normals)
        self.winter_severity = np.clip(-np.array([d["january_temp_c"] for d in dest], float) / b.winter_severity_c, 0, 1)
        self.origin_winter_severity = np.clip(-np.array([o["january_temp_c"] for o in orig], float) / b.winter_severity_c, 0, 1)
        self.language_barrier = np.array([d["language_barrier"] for d in dest])
        self.housing_prearranged = np.array([d["housing_prearranged_share"] for d in dest])
        self.housing_found_within_month = np.array([d["housing_found_within_month"] for d in dest])
        self.rent_price_index = np.array([d["rent_price_index"] for d in dest])
        # IOM Table 37 by region: the regional employment centres' own pace of paying (None: not surveyed)
        self.payment_counts = [d.get("payment_table37") for d in dest]
        (self.oriented_share, self.told_destination_share,
         self.oriented_pooled, self.told_destination_pooled) = self._orientation(dest)
        self.vacancy_stock = self._vacancies_by_sector(dest, cat["sectors"])
        self.origin_population = np.array([o["population_2020"] for o in orig], float)
        self.origin_survey_share = np.array([o["survey_origin_share"] for o in orig])

    @staticmethod
    def _orientation(dest: list[dict]) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Per destination, the share of arrivals oriented before moving and, of those, the share told
        about the destination locality (IOM 3.3.5 and Table 25), then the same for the surveyed regions
        pooled, which regions not surveyed take."""
        pooled = np.array([d["orientation_table25"] for d in dest if "orientation_table25" in d], float).sum(axis=0)
        t = np.array([d.get("orientation_table25", pooled) for d in dest], float)
        return t[:, 0] / t[:, 2], t[:, 1] / t[:, 0], float(pooled[0] / pooled[2]), float(pooled[1] / pooled[0])

    @staticmethod
    def _vacancies_by_sector(dest: list[dict], sectors: dict) -> np.ndarray:
        """Registered vacancies (destination x sector).

        Education, health and agriculture come from IOM Table 9; the other sectors are scaled from
        their total by the sector mix of employed respondents (IOM Table 30).
        """
        share = np.array(sectors["employment_share_all"])
        idx = [SECTORS.index(s) for s in ("education", "health", "agriculture")]
        known_share = share[idx].sum()
        out = np.zeros((len(dest), len(SECTORS)))
        for i, d in enumerate(dest):
            t9 = np.array(d["vacancies_table9"], float)
            out[i] = share * (t9.sum() / known_share)
            out[i, idx] = t9
        return out
