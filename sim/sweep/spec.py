"""Sweep and sensitivity specs: reading and validating a spec file (TOML) into swept parameters.

The public API used by `sim.sweep.plan` and `sim.sensitivity`: `read_spec`, `SpecProblems`,
`check_common`, `parse_params`, `resolve_base`, `key_problems`, `Param`. Every problem names the
spec file, the key and the allowed values (raised as `ScenarioError`, exit 2 on the command line).
"""

from __future__ import annotations

import copy
import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

import numpy as np

from sim import scenario as scn
from sim.ensemble import PARAMETER_SOURCES
from sim.results import flatten
from sim.inputs import check_tree, read_toml
from sim.scenario import ScenarioError, Validator, is_number

COMMON_KEYS = ("scenario", "name", "description", "replicates", "seed", "scale", "overrides", "parameters", "keys")
RANGE_KEYS = ("low", "high", "integer", "levels")
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "scale", "parameter_set")


@dataclass
class Param:
    """One swept key: a list of values, or a range (low, high, integer, levels)."""

    key: str
    values: list | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    levels: int | None = None

    @property
    def dtype(self) -> str:
        if self.values is None:
            return "int" if self.integer else "float"
        kinds = {value_kind(v) for v in self.values}
        if kinds == {"int"}:
            return "int"
        if kinds <= {"int", "float"}:
            return "float"
        return kinds.pop()  # "str" or "bool": lists are checked to hold one kind

    def normal(self, v: Any) -> Any:
        """A value as stored and hashed: float columns hold floats, int columns ints."""
        t = self.dtype
        if t == "float":
            return float(v)
        if t == "int":
            return int(v)
        return v

    def grid_values(self) -> list:
        if self.values is not None:
            return [self.normal(v) for v in self.values]
        vals = np.linspace(self.low, self.high, self.levels)
        out = [int(math.floor(v + 0.5)) for v in vals] if self.integer else [float(v) for v in vals]
        return list(dict.fromkeys(out))

    def unit_bounds(self) -> tuple[float, float]:
        """The continuous interval sampled for this key: integers get half a unit each side, so that
        rounding gives every whole number in [low, high] the same share."""
        if self.integer:
            return float(self.low) - 0.5, float(self.high) + 0.5
        return float(self.low), float(self.high)

    def from_continuous(self, x: float) -> Any:
        if self.integer:
            return int(min(max(math.floor(x + 0.5), self.low), self.high))
        return float(x)

    def describe(self) -> dict:
        if self.values is not None:
            return {"key": self.key, "values": self.values, "dtype": self.dtype}
        d = {"key": self.key, "low": self.low, "high": self.high, "integer": self.integer, "dtype": self.dtype}
        if self.levels:
            d["levels"] = self.levels
        return d


def value_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return type(v).__name__


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class SpecProblems(Validator):
    """Problems of a spec file, reported like those of a scenario (file, key, allowed values)."""

    def __init__(self, where: Path):
        super().__init__(str(where))
        self.items = self.problems

    def unknown(self, key: str, name: str, allowed: tuple[str, ...] | list[str]) -> None:
        super().unknown(key, name, list(allowed))

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)


IN_MEMORY = Path("in-memory-spec")   # the "file" of a spec given as a dict (relative scenario paths: the cwd)


def spec_source(spec: str | Path | Mapping) -> tuple[Path, dict]:
    """(path for messages, spec) of a spec file or of an in-memory spec (a dict with the same keys)."""
    if isinstance(spec, Mapping):
        problems = check_tree(dict(spec), str(IN_MEMORY))   # the input boundary's depth and number limits
        if problems:
            raise ScenarioError(problems)
        return IN_MEMORY, copy.deepcopy(dict(spec))
    return Path(spec), read_spec(spec)


def read_spec(path: str | Path) -> dict:
    """A sweep or sensitivity spec through the input boundary (encoding, size, nesting, numbers: sim.inputs)."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError([f"{path}: no such sweep spec file; allowed: a TOML file, e.g. scenarios/sweeps/example.toml"])
    return read_toml(path, "sweep spec")


def resolve_scenario(value: str, spec_path: Path) -> Path:
    """A shipped scenario's name, or a path relative to the spec's folder or to the working directory."""
    near = spec_path.parent / value
    if Path(value).suffix == ".toml" and not Path(value).is_absolute() and near.is_file():
        return near
    return scn.find_scenario(value)


def flatten_keys(table: dict, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """[keys] may hold quoted dotted keys or nested tables; a table with low/high/... is a range."""
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and not (set(v) & set(RANGE_KEYS)):
            yield from flatten_keys(v, key + ".")
        else:
            yield key, v


def schema_num(dotted: str) -> scn.Num | None:
    """The schema's bounds for a dotted scenario key (schedules: the entry's bounds), if it is a number."""
    from sim.schema import SCHEMA, Num, RegionMap, RegionYears, Section, YearSchedule

    node: Any = SCHEMA
    parts = dotted.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(node, Section):
            if part not in node.fields:
                return None
            node = node.fields[part]
            i += 1
        elif isinstance(node, YearSchedule):
            return node.item if i == len(parts) - 1 and part.isdigit() else None
        elif isinstance(node, RegionMap):
            return node.item if i == len(parts) - 1 else None
        elif isinstance(node, RegionYears):
            return node.item if i == len(parts) - 2 and parts[-1].isdigit() else None
        else:
            return None
    return node if isinstance(node, Num) else None


def parse_params(spec: dict, probs: SpecProblems, *, allow_lists: bool, need_levels: bool,
                  allow_levels: bool, bounds_from_schema: bool, what: str) -> list[Param]:
    keys = spec.get("keys")
    if keys is None:
        probs.err("keys", "missing; a [keys] table of dotted scenario key = list of values or { low, high } range is required")
        return []
    if not isinstance(keys, dict) or not keys:
        probs.err("keys", "expected a non-empty table of dotted scenario key = list of values or { low, high } range")
        return []
    params = []
    for key, v in flatten_keys(keys):
        where = f"keys.{key}"
        if isinstance(v, list):
            if not allow_lists:
                probs.err(where, f"a list of values is for grid designs; {what} samples ranges; allowed: {{ low = ..., high = ... }}")
                continue
            if not v:
                probs.err(where, "empty list; allowed: a list of one or more values")
                continue
            kinds = {value_kind(x) for x in v}
            if not kinds <= {"int", "float", "str", "bool"}:
                probs.err(where, f"values must be numbers, text or true/false, got {', '.join(sorted(kinds))}")
                continue
            if not kinds <= {"int", "float"} and len(kinds) > 1:
                probs.err(where, f"values must all be of one kind, got {', '.join(sorted(kinds))}")
                continue
            if len(set(map(repr, v))) != len(v):
                probs.err(where, f"repeated values in {v!r}; allowed: distinct values")
                continue
            params.append(Param(key, values=list(v)))
        elif isinstance(v, dict):
            for k in v:
                if k not in RANGE_KEYS:
                    probs.unknown(f"{where}.{k}", k, RANGE_KEYS)
            num = schema_num(key)
            low, high = v.get("low"), v.get("high")
            if bounds_from_schema and num is not None:
                low = num.lo if low is None else low
                high = num.hi if high is None else high
            ok = True
            for name, x in (("low", low), ("high", high)):
                if x is None:
                    hint = " (a behavioural or numeric scenario key takes its schema bounds)" if bounds_from_schema else ""
                    probs.err(f"{where}.{name}", f"missing; allowed: a number{hint}")
                    ok = False
                elif not is_number(x) or not math.isfinite(x):
                    probs.err(f"{where}.{name}", f"expected a number, got {x!r}")
                    ok = False
            if ok and not low < high:
                probs.err(where, f"low {low!r} must be below high {high!r}")
                ok = False
            integer = v.get("integer", bool(num.integer) if num is not None else False)
            if not isinstance(integer, bool):
                probs.err(f"{where}.integer", f"expected true or false, got {integer!r}")
                ok = False
            elif integer and ok and (not float(low).is_integer() or not float(high).is_integer()):
                probs.err(where, f"integer range needs whole-number bounds, got {low!r} to {high!r}")
                ok = False
            levels = v.get("levels")
            if levels is not None and not allow_levels:
                probs.err(f"{where}.levels", f"levels is for ranges in grid designs, not {what}")
                ok = False
            elif levels is None and need_levels:
                probs.err(where, "a range in a grid design needs levels = n (n >= 2 evenly spaced values) or use a list of values")
                ok = False
            elif levels is not None and (not is_int(levels) or levels < 2):
                probs.err(f"{where}.levels", f"expected a whole number >= 2, got {levels!r}")
                ok = False
            if ok:
                params.append(Param(key, low=int(low) if integer else float(low), high=int(high) if integer else float(high),
                                    integer=integer, levels=levels))
        else:
            probs.err(where, f"expected a list of values or a range table {{ low = ..., high = ... }}, got {type(v).__name__} {v!r}")
    if len({p.key for p in params}) != len(params):
        probs.err("keys", "a key is listed twice")
    clash = [p.key for p in params if p.key in RUN_COLUMNS]
    if clash:
        probs.err("keys", f"{', '.join(clash)} clash with the result columns {', '.join(RUN_COLUMNS)}")
    return params


def check_common(spec: dict, probs: SpecProblems, allowed: tuple[str, ...]) -> tuple[int, int]:
    for k in spec:
        if k not in allowed:
            probs.unknown(k, k, allowed)
    if "scenario" not in spec:
        probs.err("scenario", "missing; allowed: a shipped scenario's name or a path to a scenario .toml file")
    elif not isinstance(spec["scenario"], str):
        probs.err("scenario", f"expected a scenario name or path, got {spec['scenario']!r}")
    for k in ("name", "description"):
        if k in spec and not isinstance(spec[k], str):
            probs.err(k, f"expected text, got {spec[k]!r}")
    replicates = spec.get("replicates", 1)
    if not is_int(replicates) or replicates < 1:
        probs.err("replicates", f"expected a whole number >= 1, got {replicates!r}")
        replicates = 1
    seed = spec.get("seed", 0)
    if not is_int(seed) or seed < 0:
        probs.err("seed", f"expected a whole number >= 0, got {seed!r}")
        seed = 0
    if "scale" in spec and (not is_number(spec["scale"]) or not 0 < spec["scale"] <= 1):
        probs.err("scale", f"expected a number; allowed: above 0 to 1 (fraction of households simulated), got {spec['scale']!r}")
    source = spec.get("parameters", "posterior")
    if source not in PARAMETER_SOURCES:
        probs.err("parameters", f"value {source!r} not allowed; allowed: {', '.join(PARAMETER_SOURCES)} "
                                "(behavioural parameters drawn per seed from the calibrated ensemble, or the schema defaults)")
    ov = spec.get("overrides", [])
    if not isinstance(ov, list) or not all(isinstance(o, str) and "=" in o for o in ov):
        probs.err("overrides", f"expected a list of \"dotted.key=value\" strings, got {ov!r}")
    return replicates, seed


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


def point_overrides(point: dict) -> list[str]:
    return [f"{k}={toml_value(v)}" for k, v in point.items()]


def existing_keys(sc: scn.Scenario) -> list[str]:
    return list(flatten(sc.data))


def key_problems(bits: dict, params: list[Param], spec_path: Path) -> list[str]:
    """Apply each key alone as an override (its list values, or its range's bounds) and validate the
    scenario, so that a bad key is named as such. Empty when all is well."""
    if "scenario_path" not in bits:
        return []
    path, fixed = bits["scenario_path"], bits["fixed"]
    try:
        base = scn.load(path, fixed)
    except ScenarioError as exc:
        return [f"{spec_path}: key 'overrides' (or 'scale'): {p}" for p in exc.problems]
    existing = None
    problems: list[str] = []
    for p in params:
        vals = [p.normal(v) for v in p.values] if p.values is not None else sorted({p.low, p.high})
        for v in vals:
            try:
                scn.load(path, fixed + point_overrides({p.key: v}))
            except ScenarioError as exc:
                if existing is None:
                    existing = existing_keys(base)
                hint = ""
                if p.key not in existing and not any(e.startswith(p.key + ".") for e in existing):
                    close = difflib.get_close_matches(p.key, existing, n=1, cutoff=0.6)
                    hint = f"not a key of scenario '{base.name}'" + (f"; did you mean '{close[0]}'?" if close else "") + " - "
                problems += [f"{spec_path}: key 'keys.{p.key}' = {v!r}: {hint}{q}" for q in exc.problems]
                break
    return problems


def resolve_base(spec: dict, spec_path: Path, probs: SpecProblems) -> dict:
    """Scenario, fixed overrides and scale, resolved (problems are collected, not raised)."""
    out: dict = {}
    if isinstance(spec.get("scenario"), str):
        try:
            out["scenario_path"] = resolve_scenario(spec["scenario"], spec_path)
        except ScenarioError as exc:
            probs.err("scenario", exc.problems[0])
    fixed = [o for o in spec.get("overrides", []) if isinstance(o, str)] if isinstance(spec.get("overrides"), list) else []
    if is_number(spec.get("scale")):
        fixed = fixed + [f"population.scale={float(spec['scale'])!r}"]
    out["fixed"] = fixed
    out["parameters"] = spec.get("parameters", "posterior")
    return out

