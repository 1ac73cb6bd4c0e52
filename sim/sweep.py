"""`relocsim sweep`: run a scenario over a design of parameter values, in parallel, resumably.

A sweep spec is a TOML file::

    scenario = "baseline"          # a shipped scenario's name or a path (relative to the spec or cwd)
    design = "grid"                # grid | lhs | sobol
    samples = 16                   # lhs and sobol: design points (sobol: a power of 2 is advised)
    replicates = 2                 # seeds per design point, >= 1
    seed = 1                       # seeds the design (lhs, sobol) and the replicates
    scale = 0.05                   # optional: population scale (default: the scenario's)
    overrides = ["time.end_year=2020"]   # optional: fixed overrides applied to every run
    parameters = "posterior"       # behavioural parameters, as `relocsim run --parameters`: each seed's
                                   # draw from the calibrated ensemble (if shipped), or "defaults"; keys
                                   # swept or overridden explicitly always win

    [keys]                         # dotted scenario keys; schedules are addressed by year
    "rent_subsidy.months" = [12, 24]                                          # a list (grid)
    "relocation_subsidy.mci_per_member.2020" = { low = 35, high = 140, integer = true }  # a range
    "quotas.pavlodar.2017" = { low = 800, high = 3200, levels = 4 }           # a range on a grid

Every design point x replicate is one run. Replicate r of every point uses the same seed (common
random numbers, as `relocsim run --seed S --replicates R`), so points differ by their parameters, not
by noise. A run's id is a hash of its parameter values, its seed, the scenario, fixed overrides and
scale: the same spec always gives the same runs, and identical points (possible after rounding
integers) are run once.

Output folder ``DIR``::

    DIR/_spec.toml                 # a copy of the spec
    DIR/_sweep.json                # spec, design, seeds, run ids, package versions
    DIR/runs/<run_id>.parquet      # one row per finished run, written atomically

Read the results with ``pandas.read_parquet(DIR)`` or ``pandas.read_parquet(DIR / "runs")`` (one row per run: run_id, point,
replicate, seed, scale, parameter_set (the ensemble member drawn, or null), one column per swept key, one column per scalar outcome of the run summary,
flattened with dots); the metadata files start with "_", which pyarrow skips. Running the same command again skips finished runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import hashlib
import itertools
import json
import logging
import math
import os
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from sim import scenario as scn
from sim.executors import BACKENDS, make_executor
from sim.extras import require
from sim.inputs import read_toml
from sim.scenario import ScenarioError, _is_number, _Validator
from sim.results import _flatten, versions

log = logging.getLogger("relocsim")

DESIGNS = ("grid", "lhs", "sobol")
COMMON_KEYS = ("scenario", "name", "description", "replicates", "seed", "scale", "overrides", "parameters", "keys")
PARAMETER_SOURCES = ("posterior", "defaults")   # as `relocsim run --parameters`
SWEEP_KEYS = COMMON_KEYS + ("design", "samples")
RANGE_KEYS = ("low", "high", "integer", "levels")
RUN_COLUMNS = ("run_id", "point", "replicate", "seed", "scale", "parameter_set")
WORKER_PRELOAD = ("sim.runner", "sim.sweep")   # imported once by the fork server of local workers


# --------------------------------------------------------------------------- spec -> plan

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
        kinds = {_kind(v) for v in self.values}
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


@dataclass
class Run:
    run_id: str
    point: int
    replicate: int
    seed: int


@dataclass
class Plan:
    """Everything a sweep will run, resolved and validated."""

    kind: str
    spec_path: Path
    spec: dict
    name: str
    scenario_path: Path
    scenario_name: str
    fixed: list[str]                 # fixed overrides (the spec's, then population.scale)
    base_raw: dict                   # the scenario with the fixed overrides applied
    where: str
    scale: float
    parameters: str                  # behavioural parameters: "posterior" draws or "defaults"
    params: list[Param]
    points: list[dict]
    seeds: list[int]
    runs: list[Run]
    identity: dict                   # what decides the runs; a folder only resumes an identical one
    context: dict                    # hashed into every run id with the point and the seed
    extra: dict = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [p.key for p in self.params]

    def point_run_ids(self, i: int) -> list[str]:
        """The run ids of design point i, one per replicate."""
        return [run_id(self.points[i], s, self.context) for s in self.seeds]


def _kind(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "str"
    return type(v).__name__


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Problems(_Validator):
    """Problems of a spec file, reported like those of a scenario (file, key, allowed values)."""

    def __init__(self, where: Path):
        super().__init__(str(where))
        self.items = self.problems

    def unknown(self, key: str, name: str, allowed: tuple[str, ...] | list[str]) -> None:
        super().unknown(key, name, list(allowed))

    def raise_if_any(self) -> None:
        if self.items:
            raise ScenarioError(self.items)


def read_spec(path: str | Path) -> dict:
    """A sweep or sensitivity spec through the input boundary (encoding, size, nesting, numbers: sim.inputs)."""
    path = Path(path)
    if not path.exists():
        raise ScenarioError([f"{path}: no such sweep spec file; allowed: a TOML file, e.g. scenarios/sweeps/example.toml"])
    return read_toml(path, "sweep spec")


def _resolve_scenario(value: str, spec_path: Path) -> Path:
    """A shipped scenario's name, or a path relative to the spec's folder or to the working directory."""
    near = spec_path.parent / value
    if Path(value).suffix == ".toml" and not Path(value).is_absolute() and near.is_file():
        return near
    return scn.find_scenario(value)


def _flatten_keys(table: dict, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """[keys] may hold quoted dotted keys or nested tables; a table with low/high/... is a range."""
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and not (set(v) & set(RANGE_KEYS)):
            yield from _flatten_keys(v, key + ".")
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


def _parse_params(spec: dict, probs: _Problems, *, allow_lists: bool, need_levels: bool,
                  allow_levels: bool, bounds_from_schema: bool, what: str) -> list[Param]:
    keys = spec.get("keys")
    if keys is None:
        probs.err("keys", "missing; a [keys] table of dotted scenario key = list of values or { low, high } range is required")
        return []
    if not isinstance(keys, dict) or not keys:
        probs.err("keys", "expected a non-empty table of dotted scenario key = list of values or { low, high } range")
        return []
    params = []
    for key, v in _flatten_keys(keys):
        where = f"keys.{key}"
        if isinstance(v, list):
            if not allow_lists:
                probs.err(where, f"a list of values is for grid designs; {what} samples ranges; allowed: {{ low = ..., high = ... }}")
                continue
            if not v:
                probs.err(where, "empty list; allowed: a list of one or more values")
                continue
            kinds = {_kind(x) for x in v}
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
                elif not _is_number(x) or not math.isfinite(x):
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
            elif levels is not None and (not _is_int(levels) or levels < 2):
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


def _check_common(spec: dict, probs: _Problems, allowed: tuple[str, ...]) -> tuple[int, int]:
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
    if not _is_int(replicates) or replicates < 1:
        probs.err("replicates", f"expected a whole number >= 1, got {replicates!r}")
        replicates = 1
    seed = spec.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        probs.err("seed", f"expected a whole number >= 0, got {seed!r}")
        seed = 0
    if "scale" in spec and (not _is_number(spec["scale"]) or not 0 < spec["scale"] <= 1):
        probs.err("scale", f"expected a number; allowed: above 0 to 1 (fraction of households simulated), got {spec['scale']!r}")
    source = spec.get("parameters", "posterior")
    if source not in PARAMETER_SOURCES:
        probs.err("parameters", f"value {source!r} not allowed; allowed: {', '.join(PARAMETER_SOURCES)} "
                                "(behavioural parameters drawn per seed from the calibrated ensemble, or the schema defaults)")
    ov = spec.get("overrides", [])
    if not isinstance(ov, list) or not all(isinstance(o, str) and "=" in o for o in ov):
        probs.err("overrides", f"expected a list of \"dotted.key=value\" strings, got {ov!r}")
    return replicates, seed


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    return repr(v)


def point_overrides(point: dict) -> list[str]:
    return [f"{k}={_toml_value(v)}" for k, v in point.items()]


def _existing_keys(sc: scn.Scenario) -> list[str]:
    return list(_flatten(sc.data))


def _key_problems(bits: dict, params: list[Param], spec_path: Path) -> list[str]:
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
                    existing = _existing_keys(base)
                hint = ""
                if p.key not in existing and not any(e.startswith(p.key + ".") for e in existing):
                    close = difflib.get_close_matches(p.key, existing, n=1, cutoff=0.6)
                    hint = f"not a key of scenario '{base.name}'" + (f"; did you mean '{close[0]}'?" if close else "") + " - "
                problems += [f"{spec_path}: key 'keys.{p.key}' = {v!r}: {hint}{q}" for q in exc.problems]
                break
    return problems


def _validate_points(bits: dict, points: list[dict], spec_path: Path) -> None:
    """Validate the scenario at every design point (keys can interact); raises before anything runs."""
    path, fixed = bits["scenario_path"], bits["fixed"]
    problems: list[str] = []
    seen: set[str] = set()
    for i, point in enumerate(points):
        try:
            scn.load(path, fixed + point_overrides(point))
        except ScenarioError as exc:
            for q in exc.problems:
                if q not in seen:
                    seen.add(q)
                    problems.append(f"{spec_path}: design point {i} {point}: {q}")
        if len(problems) >= 20:
            break
    if problems:
        raise ScenarioError(problems)


def _qmc_engine(cls, d: int, seed: int, **kw):
    import inspect

    if "rng" in inspect.signature(cls).parameters:
        return cls(d, rng=seed, **kw)
    return cls(d, seed=seed, **kw)


def design_points(params: list[Param], design: str, samples: int | None, seed: int) -> list[dict]:
    """Grid: the full product (last key varies fastest). lhs/sobol: `samples` points scaled to the ranges."""
    keys = [p.key for p in params]
    if design == "grid":
        return [dict(zip(keys, combo)) for combo in itertools.product(*(p.grid_values() for p in params))]
    from scipy.stats import qmc

    d = len(params)
    if design == "lhs":
        engine = _qmc_engine(qmc.LatinHypercube, d, seed)
    else:
        engine = _qmc_engine(qmc.Sobol, d, seed, scramble=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol balance: warned about once, at spec level
        unit = engine.random(samples)
    lo, hi = zip(*(p.unit_bounds() for p in params))
    scaled = qmc.scale(unit, lo, hi)
    return [{p.key: p.from_continuous(x) for p, x in zip(params, row)} for row in scaled]


def run_id(point: dict, seed: int, context: dict) -> str:
    text = json.dumps({"params": point, "seed": int(seed), **context}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _sha(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()


def _base(spec: dict, spec_path: Path, probs: _Problems) -> dict:
    """Scenario, fixed overrides and scale, resolved (problems are collected, not raised)."""
    out: dict = {}
    if isinstance(spec.get("scenario"), str):
        try:
            out["scenario_path"] = _resolve_scenario(spec["scenario"], spec_path)
        except ScenarioError as exc:
            probs.err("scenario", exc.problems[0])
    fixed = [o for o in spec.get("overrides", []) if isinstance(o, str)] if isinstance(spec.get("overrides"), list) else []
    if _is_number(spec.get("scale")):
        fixed = fixed + [f"population.scale={float(spec['scale'])!r}"]
    out["fixed"] = fixed
    out["parameters"] = spec.get("parameters", "posterior")
    return out


def _posterior_info(source: str) -> dict | None:
    """The calibrated ensemble that "posterior" runs draw from (None: defaults, or none shipped)."""
    if source != "posterior":
        return None
    try:
        from calibration.ensemble import POSTERIOR
    except ImportError:
        return None
    path = Path(POSTERIOR)
    if not path.exists():
        return None
    return {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def build_plan(kind: str, spec_path: Path, spec: dict, bits: dict, params: list[Param], points: list[dict],
               replicates: int, seed: int, identity: dict, extra: dict | None = None) -> Plan:
    """Validate the points against the scenario and lay out the runs (deduplicated by run id)."""
    from sim.runner import replicate_seeds

    _validate_points(bits, points, spec_path)
    path, fixed = bits["scenario_path"], bits["fixed"]
    sc = scn.load(path, fixed)
    base_raw = scn.apply_overrides(scn.load_raw(path), fixed)
    scale = float(sc.data["population"]["scale"])
    seeds = replicate_seeds(seed, replicates)
    source = bits["parameters"]
    context = {"scenario": spec["scenario"], "overrides": list(spec.get("overrides", [])), "scale": scale,
               "parameters": source}
    runs, seen = [], set()
    for i, point in enumerate(points):
        for r, s in enumerate(seeds):
            rid = run_id(point, s, context)
            if rid not in seen:
                seen.add(rid)
                runs.append(Run(rid, i, r, int(s)))
    identity = {"kind": kind, **identity, "scenario": spec["scenario"], "scenario_sha256": _sha(base_raw),
                "fixed_overrides": fixed, "scale": scale, "seed": seed, "replicates": replicates,
                "parameters": source, "posterior": _posterior_info(source),
                "keys": [p.describe() for p in params]}
    return Plan(kind=kind, spec_path=spec_path, spec=spec, name=str(spec.get("name", spec_path.stem)),
                scenario_path=Path(path), scenario_name=sc.name, fixed=fixed, base_raw=base_raw,
                where=str(path) + " (with --set overrides)", scale=scale, parameters=source, params=params, points=points,
                seeds=seeds, runs=runs, identity=identity, context=context, extra=extra or {})


def load_sweep_spec(spec_path: str | Path) -> Plan:
    """Read and validate a sweep spec and lay out its runs; raises ScenarioError on any problem."""
    spec_path = Path(spec_path)
    spec = read_spec(spec_path)
    probs = _Problems(spec_path)
    replicates, seed = _check_common(spec, probs, SWEEP_KEYS)
    design = spec.get("design")
    if design not in DESIGNS:
        probs.err("design", f"{'missing' if design is None else f'value {design!r} not allowed'}; allowed: {', '.join(DESIGNS)}")
        design = None
    samples = spec.get("samples")
    if design in ("lhs", "sobol"):
        if not _is_int(samples) or samples < 1:
            probs.err("samples", f"{'missing' if samples is None else f'expected a whole number >= 1, got {samples!r}'}; "
                                 f"allowed: the number of {design} design points, a whole number >= 1"
                                 + ("; a power of 2 is advised for sobol" if design == "sobol" else ""))
        elif design == "sobol" and samples & (samples - 1):
            lo = 1 << (samples.bit_length() - 1)
            log.warning("%s: key 'samples': %d is not a power of 2; Sobol points are balanced only for powers of 2 (e.g. %d or %d)",
                        spec_path, samples, lo, lo * 2)
    elif design == "grid" and samples is not None:
        probs.err("samples", "samples is for lhs and sobol designs; a grid runs the full product of the [keys] values")
    params = _parse_params(spec, probs, allow_lists=design in (None, "grid"), need_levels=design == "grid",
                           allow_levels=design in (None, "grid"), bounds_from_schema=False, what=f"design '{design}'")
    bits = _base(spec, spec_path, probs)
    probs.items += _key_problems(bits, params, spec_path)
    probs.raise_if_any()
    points = design_points(params, design, samples, seed)
    return build_plan("sweep", spec_path, spec, bits, params, points, replicates, seed,
                      {"design": design, "samples": samples})


# --------------------------------------------------------------------------- running

def run_task(task: dict) -> dict:
    """Worker side: build the scenario from the task's data, run one replicate, return one flat row."""
    from sim.runner import run_scenario

    try:
        sc = scn.from_dict(scn.apply_overrides(task["raw"], task["overrides"]), task["where"])
        res = run_scenario(sc, seed=task["seed"], replicates=1, parameters=task["parameters"])
        outcomes = {k: v for k, v in _flatten(res.summaries[0]).items() if v is None or isinstance(v, (bool, int, float, str))}
    except Exception as exc:
        raise RuntimeError(f"run {task['run_id']} (point {task['point']}, replicate {task['replicate']}, "
                           f"seed {task['seed']}, {task['params']}) failed: {exc!r}") from exc
    trial = res.parameter_sets[0] if res.parameter_sets else None
    return {"run_id": task["run_id"], "point": task["point"], "replicate": task["replicate"], "seed": task["seed"],
            "scale": res.scale, "parameter_set": None if trial is None else int(trial), "params": task["params"],
            "outcomes": outcomes}


def _arrow_type(dtype: str):
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bool": pa.bool_()}[dtype]


def write_row(row: dict, plan: Plan, runs_dir: Path) -> Path:
    """One run -> runs_dir/<run_id>.parquet, through a temp file and os.replace. Every file of a sweep
    has the same schema: outcomes are float64 (None -> null) unless they are text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field("run_id", pa.string()), pa.field("point", pa.int64()), pa.field("replicate", pa.int64()),
              pa.field("seed", pa.int64()), pa.field("scale", pa.float64()), pa.field("parameter_set", pa.int64())]
    data: dict[str, list] = {k: [row[k]] for k in RUN_COLUMNS}
    for p in plan.params:
        fields.append(pa.field(p.key, _arrow_type(p.dtype)))
        data[p.key] = [row["params"][p.key]]
    for k, v in row["outcomes"].items():
        if k in data:
            continue
        if isinstance(v, str):
            fields.append(pa.field(k, pa.string()))
            data[k] = [v]
        else:
            fields.append(pa.field(k, pa.float64()))
            data[k] = [None if v is None else float(v)]
    table = pa.Table.from_pydict(data, schema=pa.schema(fields))
    final = runs_dir / f"{row['run_id']}.parquet"
    tmp = runs_dir / f".{row['run_id']}.parquet.tmp"   # hidden: pyarrow skips names starting with '.'
    pq.write_table(table, tmp, use_dictionary=False, store_schema=False)  # one row: dictionaries and the arrow schema only add bytes
    os.replace(tmp, final)
    return final


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _metadata(plan: Plan) -> dict:
    return {
        "kind": plan.kind,
        "name": plan.name,
        "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "spec_file": str(plan.spec_path),
        "spec": plan.spec,
        "scenario": {"name": plan.scenario_name, "file": str(plan.scenario_path),
                     "sha256": plan.identity["scenario_sha256"]},
        "fixed_overrides": plan.fixed,
        "scale": plan.scale,
        "parameters": plan.parameters,
        "posterior": plan.identity["posterior"],
        "keys": [p.describe() for p in plan.params],
        "replicate_seeds": plan.seeds,
        "n_points": len(plan.points),
        "n_runs": len(plan.runs),
        "points": plan.points,
        "runs": [{"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed} for r in plan.runs],
        "identity": plan.identity,
        "versions": versions(),
        "read_with": "pandas.read_parquet(DIR)",
        **plan.extra,
    }


def prepare_out(plan: Plan, out: Path) -> Path:
    """Create (or check, when resuming) the output folder; returns its runs/ folder."""
    out = Path(out)
    meta = out / "_sweep.json"
    runs_dir = out / "runs"
    if meta.exists():
        try:
            old = json.loads(meta.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise ScenarioError([f"{meta}: unreadable ({exc}); use another --out folder"]) from None
        new = json.loads(json.dumps(plan.identity, default=str))
        was = old.get("identity") or {}
        if _sha(was) != _sha(new):
            differ = sorted(k for k in set(was) | set(new) if was.get(k) != new.get(k))
            raise ScenarioError([f"{out}: holds the runs of a different {old.get('kind', 'sweep')} "
                                 f"(spec {old.get('spec_file')}); it differs in: {', '.join(differ)}; resuming needs the "
                                 f"same scenario (file content included), overrides, keys, design, seed, replicates, "
                                 f"scale and behavioural parameters; use another --out folder"])
        old_v, new_v = old.get("versions", {}), versions()
        changed = [k for k in new_v if old_v.get(k) != new_v[k]]
        if changed:
            log.warning("%s: resuming with other package versions than it started with (%s)", out, ", ".join(changed))
    elif runs_dir.exists() and any(runs_dir.glob("*.parquet")):
        raise ScenarioError([f"{out}: holds runs but no _sweep.json; use another --out folder"])
    runs_dir.mkdir(parents=True, exist_ok=True)
    if not meta.exists():
        _write_atomic(meta, json.dumps(_metadata(plan), indent=1, default=str))
    tmp = out / "._spec.toml.tmp"
    shutil.copyfile(plan.spec_path, tmp)
    os.replace(tmp, out / "_spec.toml")
    return runs_dir


@dataclass
class Stats:
    total: int
    skipped: int
    executed: int = 0

    @property
    def remaining(self) -> int:
        return self.total - self.skipped - self.executed


def execute(plan: Plan, out: str | Path, backend: str = "serial", workers: int | None = 1, scheduler: str | None = None,
            quiet: bool = True, max_runs: int | None = None,
            on_result: Callable[[dict], None] | None = None) -> Stats:
    """Run the plan's unfinished runs on a backend, writing each as it finishes. `max_runs` stops after
    that many new runs (run again to continue)."""
    from tqdm import tqdm

    if backend not in BACKENDS:
        raise ScenarioError([f"backend {backend!r} not allowed; allowed: {', '.join(BACKENDS)}"])
    if scheduler and backend != "dask":
        raise ScenarioError([f"--scheduler {scheduler}: a scheduler address is for --backend dask, not {backend}"])
    if workers is not None and (not _is_int(workers) or workers < 1):
        raise ScenarioError([f"--workers {workers!r}: expected a whole number >= 1"])
    require("pyarrow", "sweep", "sweep results (Parquet)")
    if backend == "dask":
        require("distributed", "sweep", "--backend dask")
    runs_dir = prepare_out(plan, Path(out))
    todo = [r for r in plan.runs if not (runs_dir / f"{r.run_id}.parquet").exists()]
    stats = Stats(total=len(plan.runs), skipped=len(plan.runs) - len(todo))
    if max_runs is not None:
        todo = todo[:max(0, max_runs)]
    if stats.skipped:
        log.info("%s: %d of %d runs already done, skipped", out, stats.skipped, stats.total)
    if not todo:
        return stats

    def tasks():
        for r in todo:
            point = plan.points[r.point]
            yield {"run_id": r.run_id, "point": r.point, "replicate": r.replicate, "seed": r.seed, "params": point,
                   "overrides": point_overrides(point), "raw": plan.base_raw, "where": plan.where,
                   "parameters": plan.parameters}

    with make_executor(backend, workers, scheduler, preload=WORKER_PRELOAD) as ex:
        if not quiet:
            log.info("%s: %d runs to do on %s", plan.name, len(todo), ex.describe())
        with tqdm(total=stats.total, initial=stats.skipped, unit="run", desc=plan.name, file=sys.stderr,
                  disable=True if quiet else None, dynamic_ncols=True) as bar:
            for row in ex.imap_unordered(run_task, tasks()):
                write_row(row, plan, runs_dir)
                stats.executed += 1
                bar.update(1)
                if on_result is not None:
                    on_result(row)
    return stats


def read_runs(out: str | Path, columns: list[str] | None = None):
    """The finished runs of a sweep folder as a DataFrame, one row per run, ordered by point and replicate."""
    import pandas as pd

    runs_dir = Path(out) / "runs"
    if not runs_dir.is_dir() or not any(runs_dir.glob("*.parquet")):
        return pd.DataFrame(columns=list(columns) if columns else list(RUN_COLUMNS))
    df = pd.read_parquet(runs_dir, columns=columns)
    order = [c for c in ("point", "replicate") if c in df.columns]
    if order:
        df = df.sort_values(order, kind="stable")
    return df.reset_index(drop=True)


def run_sweep(spec_path: str | Path, backend: str = "serial", workers: int | None = 1, scheduler: str | None = None,
              out: str | Path | None = None, quiet: bool = True, max_runs: int | None = None):
    """Run (or resume) a sweep and return its results read back from disk: a tidy DataFrame, one row
    per run. `df.attrs` holds the counts of runs executed now, skipped (already done) and remaining."""
    plan = load_sweep_spec(spec_path)
    out = Path(out) if out is not None else Path("results") / "sweeps" / plan.name
    stats = execute(plan, out, backend=backend, workers=workers, scheduler=scheduler, quiet=quiet, max_runs=max_runs)
    df = read_runs(out)
    df.attrs.update({"out": str(out), "runs_total": stats.total, "runs_executed": stats.executed,
                     "runs_skipped": stats.skipped, "runs_remaining": stats.remaining})
    return df


# --------------------------------------------------------------------------- CLI

def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text}")
    return v


def add_backend_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=BACKENDS, default="serial", help="where the runs execute (default serial)")
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="worker processes for processes/dask (default: all cores)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://host:8786 (with --backend dask)")
    p.add_argument("--out", type=Path, required=True, help="output folder; rerun with the same folder to resume")
    p.add_argument("--max-runs", type=_positive_int, default=None, metavar="N",
                   help="stop after N new runs (rerun the same command to continue)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("sweep", help="run a scenario over a grid, Latin hypercube or Sobol design of parameters",
                              description="Run a sweep spec (TOML); results stream to OUT/runs/<run_id>.parquet. "
                                          "Rerunning the same command skips finished runs.")
    p.add_argument("spec", type=Path, help="sweep spec file (TOML), e.g. scenarios/sweeps/example.toml")
    add_backend_arguments(p)
    p.set_defaults(func=cmd_sweep)


def workers_for(args) -> int | None:
    if args.backend == "serial":
        if args.workers not in (None, 1):
            log.warning("--workers %d ignored by the serial backend", args.workers)
        return 1
    return args.workers


def report_stats(stats: Stats, out: Path) -> None:
    print(f"{stats.total - stats.remaining} of {stats.total} runs in {out / 'runs'} "
          f"({stats.executed} run now, {stats.skipped} already there)")
    if stats.remaining:
        print(f"{stats.remaining} runs remain: run the same command again to continue")


def cmd_sweep(args) -> int:
    require("pyarrow", "sweep", "relocsim sweep")
    if args.backend == "dask":
        require("distributed", "sweep", "relocsim sweep --backend dask")
    plan = load_sweep_spec(args.spec)   # every problem is found before anything is written
    if args.scheduler and args.backend != "dask":
        raise ScenarioError([f"--scheduler {args.scheduler}: a scheduler address is for --backend dask, not {args.backend}"])
    try:
        stats = execute(plan, args.out, backend=args.backend, workers=workers_for(args), scheduler=args.scheduler,
                        quiet=args.quiet, max_runs=args.max_runs)
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        done = len(list((Path(args.out) / "runs").glob("*.parquet")))
        print(f"\ninterrupted: {done} of {len(plan.runs)} runs in {Path(args.out) / 'runs'}; "
              f"run the same command again to continue", file=sys.stderr)
        return 130
    report_stats(stats, Path(args.out))
    print(f"read them with pandas.read_parquet({str(Path(args.out))!r})")
    return 0
