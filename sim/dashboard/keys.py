"""The dashboard cache's key: everything that changes a run's result, so a cached result is reused
only for a run that would compute the same thing. That is the scenario as resolved (its file, every
file it extends, the overrides and the scale), the seed, the replicates, the parameter source with
the content of the calibrated ensemble it draws from, and the model's version. Two requests that
differ only in how they spell an override share a key; a scenario file edited while the server
runs gets a new one.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from sim import __version__
from sim.dashboard.state import RunSettings
from sim.scenario import SCENARIO_DIR, ScenarioError


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), st.st_mtime_ns, st.st_size)


def _files_stamp() -> tuple:
    """When any scenario file or the calibrated ensemble changes, this changes."""
    from calibration.ensemble import POSTERIOR

    return tuple(_stamp(p) for p in sorted(Path(SCENARIO_DIR).glob("*.toml"))) + (_stamp(Path(POSTERIOR)),)


@lru_cache(maxsize=1024)
def _key(request: tuple, stamp: tuple, s: RunSettings) -> tuple:
    try:
        data = s.load().data
    except ScenarioError:
        return ("invalid", request)   # never run, so never cached
    scenario = hashlib.sha256(json.dumps(_plain(data), sort_keys=True, default=str).encode()).hexdigest()
    ensemble = _ensemble_digest(stamp[-1]) if s.parameters == "posterior" else None
    return (scenario, int(s.seed), int(s.replicates), s.parameters, ensemble, __version__)


def _plain(value):
    """Whole-number floats as ints (18.0 and 18 are the same lever value), keys as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@lru_cache(maxsize=8)
def _ensemble_digest(stamp: tuple) -> str | None:
    if stamp[1] is None:
        return None
    return hashlib.sha256(Path(stamp[0]).read_bytes()).hexdigest()


def result_key(s: RunSettings) -> tuple:
    """The cache key of a run request (see the module's docstring)."""
    return _key(s.key(), _files_stamp(), s)
