"""Checks shared by tests and by `tests/test_meta.py`, which shows that each one fails on a plausible mistake.

Each check takes what the code produced and what it should equal, computed independently of the code
under test (from the runs' own per-replicate results, the package metadata, the files in `scenarios/`),
and raises AssertionError when they disagree.
"""

from __future__ import annotations

import platform
import tomllib
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
NAMED_PACKAGES = ("numpy", "pandas", "mesa", "matplotlib", "scipy", "networkx", "tqdm")
BAND = (5.0, 95.0)


def check_paired_differences(table: pd.DataFrame, frames: dict[str, pd.DataFrame], first: str, outcomes) -> None:
    """The comparison table's mean, paired difference from `first` and its 5-95% band, for each scenario
    and outcome, equal those computed here from each scenario's own replicates (`frames`: scenario label
    -> `RunResult.summary_frame()`, one row per replicate seed)."""
    base = frames[first]
    for label, frame in frames.items():
        assert list(frame["seed"]) == list(base["seed"]), f"{label}: replicates not paired by seed with {first}"
        for outcome in outcomes:
            sel = table[(table["scenario"] == label) & (table["outcome"] == outcome)]
            assert len(sel) == 1, (label, outcome)
            got = sel.iloc[0]
            values = frame[outcome].to_numpy(float)
            diff = values - base[outcome].to_numpy(float)
            assert got["mean"] == pytest.approx(values.mean()), (label, outcome)
            assert got["diff_from_first"] == pytest.approx(diff.mean()), (label, outcome)
            assert got["diff_low"] == pytest.approx(np.percentile(diff, BAND[0])), (label, outcome)
            assert got["diff_high"] == pytest.approx(np.percentile(diff, BAND[1])), (label, outcome)


def check_draw(table: pd.DataFrame, drawn: tuple[int, dict]) -> None:
    """A draw from an ensemble table is one of its rows: the trial id and exactly that row's parameters."""
    trial, params = drawn
    rows = table[table["trial"] == trial]
    assert len(rows) == 1, f"trial {trial} is not one row of the ensemble"
    expected = {c: float(v) for c, v in rows.iloc[0].items() if c not in ("trial", "distance", "weight")}
    assert params == expected, (trial, params, expected)


def check_common_seeds(recorded: list[int], per_scenario: list[list[int]], expected: list[int]) -> None:
    """A comparison's seeds equal the expected replicate seeds (distinct), and so does every scenario's record."""
    assert len(set(expected)) == len(expected), f"replicate seeds not distinct: {expected}"
    assert list(recorded) == list(expected)
    for i, seeds in enumerate(per_scenario):
        assert list(seeds) == list(expected), f"scenario {i} ran seeds {list(seeds)}, expected {list(expected)}"


def check_versions(recorded: dict) -> None:
    """Recorded package versions equal the installed ones (`importlib.metadata`) and `sim.__version__`."""
    assert recorded.get("relocsim") == sim.__version__
    assert recorded.get("python") == platform.python_version()
    for dist in NAMED_PACKAGES:
        assert recorded.get(dist) == metadata.version(dist), dist


def years_of(path: Path) -> tuple[int, int]:
    """A scenario file's first and last year, read from the file (or the one it extends)."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    time = data.get("time", {})
    parent = data.get("extends")
    start, end = years_of(SCENARIOS / f"{parent}.toml") if parent else (None, None)
    return time.get("start_year", start), time.get("end_year", end)


def check_validate_good(rc: int, out: str, err: str, path: Path) -> None:
    """`relocsim validate` on a good file: exit 0, one line naming the file with its years, nothing on stderr."""
    start, end = years_of(path)
    assert rc == 0, err
    assert out == f"{path}: valid ({end - start + 1} years, {start}-{end})\n"
    assert err == ""


def check_validate_bad(rc: int, out: str, err: str, path: Path, fragments) -> None:
    """`relocsim validate` on a bad file: exit 2, nothing on stdout, errors naming the file and `fragments`."""
    assert rc == 2
    assert out == ""
    lines = err.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), err
    for fragment in (str(path), "allowed", *fragments):
        assert fragment in err, (fragment, err)


def shipped() -> dict[str, str]:
    """Scenario name -> description, from the files in `scenarios/`."""
    return {p.stem: tomllib.loads(p.read_text(encoding="utf-8")).get("description", "")
            for p in sorted(SCENARIOS.glob("*.toml"))}


def check_scenario_listing(out: str, expected: dict[str, str]) -> None:
    """`relocsim scenarios` prints one line per shipped scenario: its name, then its description."""
    lines = out.splitlines()
    listed = [line.split(None, 1)[0] for line in lines if line.strip()]
    assert sorted(listed) == sorted(expected), (sorted(set(expected) ^ set(listed)), listed)
    for line in lines:
        name, _, desc = line.partition(" ")
        assert desc.strip() == expected[name].strip(), (name, desc)
