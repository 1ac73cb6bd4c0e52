"""An optimise spec (TOML) read and validated at the input boundary into an `OptimiseSpec`.

Every problem names the spec file, the key and the allowed values (a `ScenarioError`: exit 2 on the
command line, nothing written). A lever's bounds are checked twice: against the scenario schema's
bounds of the key it sets, and by building the candidate scenario at each bound (or choice) and
validating it as `relocsim validate` would, so a lever that the schema refuses is refused here too.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from sim import scenario as scn
from sim.ensemble import PARAMETER_SOURCES
from sim.optimise.candidate import candidate_toml, load_candidate
from sim.optimise.metrics import METRICS
from sim.schema import SCHEMA, Choice, Num, RegionMap, RegionYears, Section, YearSchedule
from sim.scenario import ScenarioError, is_number
from sim.sweep.spec import SpecProblems, is_int, resolve_scenario, spec_source

KEYS = ("name", "description", "base", "start_year", "end_year", "replicates", "seed", "scale", "parameters",
        "trials", "batch", "sampler", "levers", "objectives", "constraints", "reference")
LEVER_KEYS = ("key", "low", "high", "integer", "choices", "label")
DIRECTIONS = ("maximise", "minimise")
SAMPLERS = ("nsga2", "tpe")
CONSTRAINTS = {"budget_per_year_tenge": "max_annual_cost_tenge"}   # cap -> the metric it caps (each policy year)
MAX_TRIALS = 10_000


@dataclass(frozen=True)
class Lever:
    """One searched lever: a name for planners, the scenario key it sets (`target`: a schedule's key with
    the policy year appended) and a range (low, high, integer) or a list of choices."""

    name: str
    key: str
    target: str
    low: float | None = None
    high: float | None = None
    integer: bool = False
    choices: tuple | None = None
    label: str = ""

    def describe(self) -> dict:
        d = {"name": self.name, "key": self.key, "target": self.target, "label": self.label}
        d.update({"choices": list(self.choices)} if self.choices is not None else
                 {"low": self.low, "high": self.high, "integer": self.integer})
        return d


@dataclass(frozen=True)
class OptimiseSpec:
    name: str
    description: str
    path: str
    base: str                 # shipped scenario name or an absolute path
    start_year: int
    end_year: int
    replicates: int
    seed: int
    scale: float
    parameters: str
    trials: int
    batch: int
    sampler: str
    levers: tuple[Lever, ...]
    objectives: tuple[tuple[str, str], ...]     # (metric, maximise|minimise)
    constraints: tuple[tuple[str, float], ...]  # (constraint name, cap)
    reference: tuple[str, ...] = ()             # shipped scenarios measured beside the front (plot, report)
    raw: dict = field(default_factory=dict, compare=False)

    def identity(self) -> dict:
        """What makes two searches the same (resuming needs it unchanged); the base file's content included."""
        base = scn.find_scenario(self.base)
        return {"base": self.base, "base_sha256": hashlib.sha256(Path(base).read_bytes()).hexdigest(),
                "start_year": self.start_year, "end_year": self.end_year, "replicates": self.replicates,
                "seed": self.seed, "scale": self.scale, "parameters": self.parameters, "batch": self.batch,
                "sampler": self.sampler, "levers": [lv.describe() for lv in self.levers],
                "objectives": [list(o) for o in self.objectives], "constraints": [list(c) for c in self.constraints],
                "reference": list(self.reference)}

    def sha(self) -> str:
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True, default=str).encode()).hexdigest()[:16]


def schema_node(dotted: str) -> Any:
    """The schema field a dotted key names, walking sections, region maps and schedules (None if none)."""
    node: Any = SCHEMA
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if isinstance(node, Section):
            node = node.fields.get(part)
        elif isinstance(node, RegionYears) and i == len(parts) - 1:
            return YearSchedule(node.item, node.doc, node.source)     # quotas.<region>: that region's schedule
        elif isinstance(node, RegionMap) and i == len(parts) - 1:
            return node.item
        else:
            return None
        if node is None:
            return None
    return node


def lever_target(key: str, start_year: int) -> tuple[str, Any]:
    """(the dotted key a candidate sets, its schema field): a schedule is set at the policy year."""
    node = schema_node(key)
    if isinstance(node, YearSchedule):
        return f"{key}.{start_year}", node.item
    return key, node


def _parse_lever(name: str, v: Any, start: int, probs: SpecProblems) -> Lever | None:
    where = f"levers.{name}"
    if not isinstance(v, dict):
        probs.err(where, f"expected a table with key and low/high or choices; allowed keys: {', '.join(LEVER_KEYS)}")
        return None
    for k in v:
        if k not in LEVER_KEYS:
            probs.unknown(f"{where}.{k}", k, list(LEVER_KEYS))
    key = v.get("key")
    if not isinstance(key, str):
        probs.err(f"{where}.key", "missing or not text; allowed: a dotted scenario key, e.g. rent_subsidy.months "
                                  "or relocation_subsidy.mci_per_member (a schedule: set from start_year)")
        return None
    target, node = lever_target(key, start)
    if not isinstance(node, (Num, Choice)):
        probs.err(f"{where}.key", f"'{key}' is not a numeric or choice lever of the scenario schema; allowed: a key "
                                  f"listed in docs/parameters.md, e.g. rent_subsidy.months, employer_subsidy.take_up, "
                                  f"quotas.pavlodar, housing.provided_share.pavlodar, repayment.rule")
        return None
    label = v.get("label", name)
    if not isinstance(label, str):
        probs.err(f"{where}.label", f"expected text, got {label!r}")
        label = name
    if "choices" in v:
        ch = v["choices"]
        allowed = list(node.choices) if isinstance(node, Choice) else f"numbers from {node.lo:g} to {node.hi:g}"
        if not isinstance(ch, list) or len(ch) < 2 or len(set(map(repr, ch))) != len(ch):
            probs.err(f"{where}.choices", f"expected a list of two or more distinct values; allowed: {allowed}")
            return None
        bad = [c for c in ch if (c not in node.choices if isinstance(node, Choice)
                                 else not (is_number(c) and node.lo <= c <= node.hi))]
        if bad:
            probs.err(f"{where}.choices", f"{bad[0]!r} not allowed for {key}; allowed: "
                                          f"{', '.join(allowed) if isinstance(allowed, list) else allowed}")
            return None
        return Lever(name, key, target, choices=tuple(ch), label=label)
    if isinstance(node, Choice):
        probs.err(where, f"{key} takes one of {', '.join(node.choices)}; allowed: choices = [...]")
        return None
    low, high = v.get("low", node.lo), v.get("high", node.hi)
    integer = v.get("integer", bool(node.integer))
    ok = True
    for k, x in (("low", low), ("high", high)):
        if not is_number(x) or not math.isfinite(x) or not node.lo <= x <= node.hi:
            probs.err(f"{where}.{k}", f"{x!r} out of the schema's range of {key}; allowed: {node.lo:g} to {node.hi:g}")
            ok = False
    if not isinstance(integer, bool):
        probs.err(f"{where}.integer", f"expected true or false, got {integer!r}")
        ok = False
    if ok and not low < high:
        probs.err(where, f"low {low!r} must be below high {high!r}; allowed: low < high within {node.lo:g} to {node.hi:g}")
        ok = False
    if ok and integer and not (float(low).is_integer() and float(high).is_integer()):
        probs.err(where, f"an integer lever needs whole-number bounds, got {low!r} to {high!r}")
        ok = False
    if not ok:
        return None
    return Lever(name, key, target, int(low) if integer else float(low), int(high) if integer else float(high), integer,
                 label=label)


def _whole(spec: dict, key: str, default: int | None, lo: int, hi: int, probs: SpecProblems) -> int:
    v = spec.get(key, default)
    if not is_int(v) or not lo <= v <= hi:
        probs.err(key, f"expected a whole number; allowed: {lo} to {hi}" + (" (missing)" if v is None else f", got {v!r}"))
        return lo
    return int(v)


def _objectives(spec: dict, probs: SpecProblems) -> tuple[tuple[str, str], ...]:
    obj = spec.get("objectives")
    allowed = ", ".join(METRICS)
    if not isinstance(obj, dict) or not obj:
        probs.err("objectives", f"missing or empty; allowed: a table of metric = \"maximise\" | \"minimise\" with "
                                f"metrics {allowed}")
        return ()
    out = []
    for k, d in obj.items():
        if k not in METRICS:
            probs.unknown(f"objectives.{k}", k, list(METRICS))
        elif d not in DIRECTIONS:
            probs.err(f"objectives.{k}", f"value {d!r} not allowed; allowed: {', '.join(DIRECTIONS)}")
        else:
            out.append((k, d))
    return tuple(out)


def _constraints(spec: dict, probs: SpecProblems) -> tuple[tuple[str, float], ...]:
    con = spec.get("constraints", {})
    if not isinstance(con, dict):
        probs.err("constraints", f"expected a table; allowed keys: {', '.join(CONSTRAINTS)}")
        return ()
    out = []
    for k, v in con.items():
        if k not in CONSTRAINTS:
            probs.unknown(f"constraints.{k}", k, list(CONSTRAINTS))
        elif not is_number(v) or not math.isfinite(v) or v <= 0:
            probs.err(f"constraints.{k}", f"expected a positive number (tenge a year), got {v!r}; allowed: above 0")
        else:
            out.append((k, float(v)))
    return tuple(out)


def load_spec(spec: str | Path | Mapping) -> OptimiseSpec:
    """Read and validate an optimise spec (a file, or a dict with the same keys); raises ScenarioError."""
    path, raw = spec_source(spec)
    probs = SpecProblems(path)
    for k in raw:
        if k not in KEYS:
            probs.unknown(k, k, list(KEYS))
    base = raw.get("base")
    base_ref = None
    if not isinstance(base, str):
        probs.err("base", "missing or not text; allowed: a shipped scenario's name (relocsim scenarios) or a .toml path")
    else:
        try:
            p = resolve_scenario(base, path)
            base_ref = base if base in scn.shipped_scenarios() and Path(base).suffix != ".toml" else str(Path(p).resolve())
        except ScenarioError as exc:
            probs.err("base", exc.problems[0])
    start = _whole(raw, "start_year", None, 2015, 2100, probs)
    end = _whole(raw, "end_year", None, 2015, 2100, probs)
    if is_int(raw.get("start_year")) and is_int(raw.get("end_year")) and end < start + 2:
        probs.err("end_year", f"{end} leaves under two years after start_year {start}, so no arrival can be followed "
                              f"24 months; allowed: {start + 2} or later")
    replicates = _whole(raw, "replicates", 3, 1, 1000, probs)
    seed = _whole(raw, "seed", 0, 0, 2**63 - 1, probs)
    trials = _whole(raw, "trials", None, 1, MAX_TRIALS, probs)
    batch = _whole(raw, "batch", 8, 2, 1000, probs)
    scale = raw.get("scale", 0.1)
    if not is_number(scale) or not 0 < scale <= 1:
        probs.err("scale", f"expected a number, got {scale!r}; allowed: above 0 to 1 (fraction of households simulated)")
        scale = 0.1
    parameters = raw.get("parameters", "posterior")
    if parameters not in PARAMETER_SOURCES:
        probs.err("parameters", f"value {parameters!r} not allowed; allowed: {', '.join(PARAMETER_SOURCES)}")
    sampler = raw.get("sampler", "nsga2")
    if sampler not in SAMPLERS:
        probs.err("sampler", f"value {sampler!r} not allowed; allowed: {', '.join(SAMPLERS)}")
    for k in ("name", "description"):
        if k in raw and not isinstance(raw[k], str):
            probs.err(k, f"expected text, got {raw[k]!r}")
    levers_raw = raw.get("levers")
    levers: list[Lever] = []
    if not isinstance(levers_raw, dict) or not levers_raw:
        probs.err("levers", "missing or empty; allowed: [levers.NAME] tables with key = \"dotted.scenario.key\" and "
                            "low/high (a range) or choices = [...]")
    else:
        for name, v in levers_raw.items():
            lv = _parse_lever(name, v, start, probs)
            if lv is not None:
                levers.append(lv)
        targets = [lv.target for lv in levers]
        if len(set(targets)) != len(targets):
            probs.err("levers", "two levers set the same scenario key; allowed: one lever per key")
    objectives, constraints = _objectives(raw, probs), _constraints(raw, probs)
    reference = raw.get("reference", [])
    shipped = list(scn.shipped_scenarios())
    if not isinstance(reference, list) or any(r not in shipped for r in reference):
        bad = [r for r in reference if r not in shipped] if isinstance(reference, list) else [reference]
        probs.err("reference", f"{bad[0]!r} is not a shipped scenario; allowed: a list of {', '.join(shipped)}")
        reference = []
    probs.raise_if_any()
    out = OptimiseSpec(str(raw.get("name", path.stem)), str(raw.get("description", "")), str(path), base_ref, start, end,
                       replicates, seed, float(scale), parameters, trials, batch, sampler, tuple(levers), objectives,
                       constraints, tuple(dict.fromkeys(reference)), raw)
    _check_candidates(out, probs)
    probs.raise_if_any()
    return out


def _check_candidates(spec: OptimiseSpec, probs: SpecProblems) -> None:
    """The base at the spec's horizon and scale, then each lever alone at each bound or choice, validated as
    scenario files (so what the schema refuses is refused here, naming the lever)."""
    for key, ref in [("base", None)] + [("reference", r) for r in spec.reference]:
        try:
            load_candidate(candidate_toml(spec, {}, name=ref or "base", extends=ref))
        except ScenarioError as exc:
            probs.err(key, f"{ref or spec.base} at end_year {spec.end_year} and scale {spec.scale:g}: {exc.problems[0]}")
    if probs.problems:
        return
    for lv in spec.levers:
        for v in (lv.choices if lv.choices is not None else (lv.low, lv.high)):
            try:
                load_candidate(candidate_toml(spec, {lv.name: v}, name="check"))
            except ScenarioError as exc:
                probs.err(f"levers.{lv.name}", f"{lv.key} = {v!r}: {exc.problems[0]}")
                break
