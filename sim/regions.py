"""The region catalogue: origins, destinations and sectors, read once from `sim/data/regions.toml`."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

CATALOGUE = Path(str(files("sim") / "data" / "regions.toml"))  # package data: found wherever sim is installed


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """The parsed region catalogue (see the file for the source of every number)."""
    with open(CATALOGUE, "rb") as fh:
        return tomllib.load(fh)


ORIGINS: tuple[str, ...] = tuple(catalogue()["origin"])
DESTINATIONS: tuple[str, ...] = tuple(catalogue()["destination"])
SECTORS: tuple[str, ...] = tuple(catalogue()["sectors"]["ids"])
