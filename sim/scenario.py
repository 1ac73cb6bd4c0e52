"""Scenario files: TOML -> validated, resolved `Scenario`.

A scenario may extend another (`extends = "baseline"`) and override only what changes; overrides
from the command line (`--set key=value`) are applied last. Everything is validated against
`sim.schema.SCHEMA` before a model is built, and every problem names the file, the key and the
allowed values.
"""

from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from sim.inputs import (
    MAX_EXTENDS, ScenarioError, check_text_arg, is_year_key, override_items, parse_override, read_toml, shown,
)
from sim.schema import (
    REGION_KINDS, SCHEMA, Choice, Num, Probs, RegionMap, RegionYears, Section, Text, YearSchedule, describe, required,
)


def _scenario_dir() -> Path:
    """scenarios/, installed as the data package sim.scenarios (setup.py) so that a wheel finds it; a source
    tree reads its own (an editable install maps sim.scenarios to the checkout it was made from, so a second
    checkout on PYTHONPATH would otherwise run its code on the first one's files)."""
    beside = Path(__file__).resolve().parents[1] / "scenarios"
    if (beside / "baseline.toml").is_file() and (beside / "__init__.py").is_file():
        return beside
    return Path(str(files("sim.scenarios")))


SCENARIO_DIR = _scenario_dir()
NAME_CHARS = 100  # a scenario name: it becomes a results folder name
__all__ = ["ScenarioError", "parse_override"]  # re-exported from sim.inputs for existing callers


def shipped_scenarios() -> dict[str, Path]:
    """Scenario name -> path for the files shipped in `scenarios/`."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def find_scenario(name_or_path: str | Path) -> Path:
    """A shipped scenario's name or a file path -> an existing path."""
    p = Path(check_text_arg(name_or_path, "scenario"))
    if p.suffix == ".toml" and p.exists():
        return p
    shipped = shipped_scenarios()
    if str(name_or_path) in shipped:
        return shipped[str(name_or_path)]
    hint = difflib.get_close_matches(str(name_or_path), shipped, n=1)
    extra = f"; did you mean '{hint[0]}'?" if hint else ""
    raise ScenarioError([f"{name_or_path}: no such scenario file or shipped scenario{extra} allowed: {', '.join(shipped)}"])


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k not in ("mci_tenge",):
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_raw(path: Path, _seen: tuple[Path, ...] = ()) -> dict:
    """Read a scenario and everything it extends, merged (child wins)."""
    given, path = path, path.resolve()
    if path in _seen:
        raise ScenarioError([f"{path}: key 'extends': cycle through {', '.join(str(p) for p in _seen)}; "
                             f"allowed: a scenario that does not extend this one"])
    if len(_seen) >= MAX_EXTENDS:
        raise ScenarioError([f"{path}: key 'extends': a chain of more than {MAX_EXTENDS} files; allowed: at most {MAX_EXTENDS}"])
    raw = read_toml(given)  # messages name the file as given (a link, a relative path)
    internal = [k for k in raw if k.startswith("_")]
    if internal:
        raise ScenarioError([f"{path}: key '{shown(internal[0])}': unknown key; allowed: {', '.join(SCHEMA.fields)}"])
    parent = raw.get("extends")
    if parent is None:
        return raw
    if not isinstance(parent, str):
        raise ScenarioError([f"{path}: key 'extends': expected a scenario name or path, got {type(parent).__name__}; "
                             f"allowed: a shipped scenario's name or the path of a .toml file"])
    check_text_arg(parent, f"{path}: key 'extends':")
    ppath = Path(parent)
    if not ppath.is_absolute() and (path.parent / ppath).suffix == ".toml":
        ppath = path.parent / ppath
    try:
        ppath = find_scenario(ppath if ppath.exists() else parent)
    except ScenarioError as exc:
        raise ScenarioError([f"{path}: key 'extends': {exc.problems[0]}"]) from None
    parent_raw = load_raw(ppath, _seen + (path,))
    merged = _merge(parent_raw, raw)
    merged.pop("extends", None)
    if "starts" in raw:
        parent_raw = {k: v for k, v in parent_raw.items() if k != "starts"}
        merged["_before"] = parent_raw  # the scenario before the policy year
    else:
        merged.pop("_before", None)
        merged.pop("starts", None)
    return merged


def apply_overrides(raw: dict, overrides: list[str] | dict | None) -> dict:
    """Apply --set strings or a {dotted key: value} dict; each passes the input boundary (sim.inputs) first."""
    out = copy.deepcopy(raw)
    for item in override_items(overrides):
        path, value = parse_override(item)
        node = out
        for i, part in enumerate(path[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ScenarioError([f"--set {shown(item)}: key '{'.'.join(path[:i + 1])}' is not a table; "
                                     f"allowed: a key inside one of its tables, e.g. rent_subsidy.months"])
        node[path[-1]] = copy.deepcopy(value)
    return out


# --------------------------------------------------------------------------- validation

def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class Validator:
    """Collects the problems of a file, each naming the file, the key and the allowed values."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []

    def err(self, key: str, msg: str) -> None:
        self.problems.append(f"{self.where}: key '{key}': {msg}")

    def number(self, key: str, spec: Num, v: Any) -> None:
        # range before whole-number test: float() of a huge integer overflows, and nan fails every comparison
        if not is_number(v):
            self.err(key, f"expected a number, got {type(v).__name__} {shown(v)}; allowed: {spec.lo:g} to {spec.hi:g}")
        elif not spec.lo <= v <= spec.hi:
            self.err(key, f"value {shown(v)} out of range; allowed: {spec.lo:g} to {spec.hi:g}")
        elif spec.integer and not float(v).is_integer():
            self.err(key, f"expected a whole number, got {shown(v)}; allowed: integers {spec.lo:g} to {spec.hi:g}")

    def text(self, key: str, v: Any) -> None:
        """Names become folder names: bounded, printable, no path separators; other text: no control characters."""
        if not isinstance(v, str):
            self.err(key, f"expected text, got {type(v).__name__}; allowed: a quoted string")
        elif key == "name" and (not 0 < len(v) <= NAME_CHARS or not v.isprintable() or any(c in v for c in "/\\")
                                or not v.strip(". ")):
            self.err(key, f"'{shown(v)}' is not a usable scenario name; allowed: 1 to {NAME_CHARS} printable characters "
                          f"without '/' or '\\', e.g. rent_subsidy_24_months")
        elif any(ord(c) < 32 and c not in "\n\t" or ord(c) == 127 for c in v):
            self.err(key, f"'{shown(v)}' holds control characters; allowed: printable text, newlines and tabs")

    def unknown(self, key: str, name: str, allowed: list[str]) -> None:
        hint = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
        did = f"; did you mean '{hint[0]}'?" if hint else ""
        self.err(key, f"unknown key{did} allowed: {', '.join(allowed)}")

    def schedule(self, key: str, spec: YearSchedule | Num, v: Any, years: tuple[int, int] | None, first: int | None = None) -> None:
        item = spec.item if isinstance(spec, (YearSchedule, RegionYears)) else spec
        if not isinstance(v, dict) or not v:
            self.err(key, f"expected a table of year = value, got {type(v).__name__}")
            return
        parsed = []
        for y, val in v.items():
            if not is_year_key(y) or not 1990 <= int(y) <= 2100:
                self.err(f"{key}.{shown(y)}", "inconsistent schedule: expected a year written in plain digits without "
                                              "a leading zero; allowed: 1990 to 2100")
                continue
            parsed.append(int(y))
            self.number(f"{key}.{y}", item, val)
        if years and parsed:
            start = first if first is not None else years[0]
            if min(parsed) > start:
                self.err(key, f"inconsistent schedule: no value at or before {start}, the first year it applies; allowed: a year <= {start}")

    def section(self, prefix: str, spec: Section, raw: Any, years: tuple[int, int] | None) -> None:
        if not isinstance(raw, dict):
            self.err(prefix.rstrip("."), f"expected a table, got {type(raw).__name__}; allowed: a table of "
                                         f"{', '.join(list(spec.fields)[:8])}{', ...' if len(spec.fields) > 8 else ''}")
            return
        allowed = list(spec.fields)
        for k in raw:
            if k not in spec.fields:
                self.unknown(f"{prefix}{k}", k, allowed)
        for k, fspec in spec.fields.items():
            key = f"{prefix}{k}"
            if k not in raw:
                if required(fspec):
                    self.err(key, f"missing; it has no default; {describe(fspec)}")
                continue
            self.value(key, fspec, raw[k], years)

    def value(self, key: str, fspec: Any, v: Any, years: tuple[int, int] | None) -> None:
        if isinstance(fspec, Section):
            self.section(key + ".", fspec, v, years)
        elif isinstance(fspec, Num):
            self.number(key, fspec, v)
        elif isinstance(fspec, Choice):
            if v not in fspec.choices:
                self.err(key, f"value {v!r} not allowed; allowed: {', '.join(fspec.choices)}")
        elif isinstance(fspec, Text):
            self.text(key, v)
        elif isinstance(fspec, YearSchedule):
            self.schedule(key, fspec, v, years)
        elif isinstance(fspec, Probs):
            self.probs(key, fspec, v)
        elif isinstance(fspec, RegionMap):
            self.region_map(key, fspec, v)
        elif isinstance(fspec, RegionYears):
            self.region_years(key, fspec, v, years)

    def probs(self, key: str, spec: Probs, v: Any) -> None:
        if not isinstance(v, dict):
            self.err(key, f"expected a table of category = probability; allowed categories: {', '.join(spec.labels)}")
            return
        for k, p in v.items():
            if k not in spec.labels:
                self.unknown(f"{key}.{k}", k, list(spec.labels))
            else:
                self.number(f"{key}.{k}", Num(0, 1, "", ""), p)
        missing = [lab for lab in spec.labels if lab not in v]
        if missing:
            self.err(key, f"missing categories: {', '.join(missing)}")
        elif all(is_number(p) for p in v.values()) and abs(sum(v.values()) - 1.0) > 1e-3:
            self.err(key, f"probabilities sum to {sum(v.values()):.4f}; allowed: a sum of 1")

    def region_map(self, key: str, spec: RegionMap, v: Any) -> None:
        allowed = list(REGION_KINDS[spec.kind])
        if not isinstance(v, dict):
            self.err(key, f"expected a table of region = value; allowed regions: {', '.join(allowed)}")
            return
        for r, val in v.items():
            if r not in allowed:
                self._unknown_region(f"{key}.{r}", r, allowed, "sector" if spec.kind == "sector" else "region")
            else:
                self.number(f"{key}.{r}", spec.item, val)
        if spec.fill is None:
            missing = [r for r in allowed if r not in v]
            if missing:
                self.err(key, f"missing regions: {', '.join(missing)}")

    def _unknown_region(self, key: str, r: str, allowed: list[str], what: str = "region") -> None:
        hint = difflib.get_close_matches(r, allowed, n=1, cutoff=0.6)
        did = f"; did you mean '{hint[0]}'?" if hint else ""
        self.err(key, f"unknown {what}{did} allowed: {', '.join(allowed)}")

    def region_years(self, key: str, spec: RegionYears, v: Any, years: tuple[int, int] | None) -> None:
        from sim.regions import catalogue

        allowed = list(REGION_KINDS["destination"])
        if not isinstance(v, dict):
            self.err(key, f"expected a table per destination region; allowed regions: {', '.join(allowed)}")
            return
        for r, sched in v.items():
            if r not in allowed:
                self._unknown_region(f"{key}.{r}", r, allowed)
                continue
            active = catalogue()["destination"][r]["active_from"]
            lo = max(years[0], active) if years else active
            self.schedule(f"{key}.{r}", spec, sched, years, first=lo)
            if isinstance(sched, dict):
                for y, val in sched.items():
                    if is_year_key(y) and int(y) < active and is_number(val) and val > 0:
                        self.err(f"{key}.{r}.{y}", f"inconsistent schedule: {r} is a destination only from {active}; allowed: 0 before {active}")
        missing = [r for r in allowed if r not in v]
        if missing:
            self.err(key, f"missing regions: {', '.join(missing)}")


def validate(raw: dict, where: str) -> None:
    """Raise ScenarioError listing every problem of a merged scenario dict."""
    v = Validator(where)
    years = None
    t = raw.get("time")
    if isinstance(t, dict) and is_number(t.get("start_year")) and is_number(t.get("end_year")):
        years = (int(t["start_year"]), int(t["end_year"]))
        if years[1] < years[0]:
            v.err("time.end_year", f"inconsistent schedule: end_year {years[1]} before start_year {years[0]}; allowed: >= {years[0]}")
    v.section("", SCHEMA, raw, years)
    if v.problems:
        raise ScenarioError(v.problems)


def _fill_defaults(spec: Section, raw: dict) -> dict:
    out = dict(raw)
    for k, f in spec.fields.items():
        if isinstance(f, Section):
            out[k] = _fill_defaults(f, raw.get(k, {}))
        elif k not in raw and getattr(f, "default", None) is not None:
            out[k] = f.default
        elif isinstance(f, RegionMap) and f.fill is not None:
            out[k] = {r: raw.get(k, {}).get(r, f.fill) for r in REGION_KINDS[f.kind]}
    return out


# --------------------------------------------------------------------------- resolved scenario

@dataclass
class Scenario:
    """A validated scenario: the merged values with defaults filled in, plus year-indexed helpers."""

    name: str
    source: str
    data: dict
    explicit_behaviour: frozenset = frozenset()  # behavioural parameters the scenario or --set gave
    before: "Scenario | None" = None             # what applies before `data["starts"]` (the parent)

    @property
    def starts(self) -> int | None:
        """First year of this scenario's levers when it switches from its parent in a policy year."""
        y = int(self.data.get("starts") or 0)
        return y if self.before is not None and y else None

    def with_behaviour(self, params: dict) -> "Scenario":
        """A copy whose behavioural parameters not given explicitly are replaced by `params`."""
        data = copy.deepcopy(self.data)
        for k, v in params.items():
            if k not in self.explicit_behaviour:
                data["behaviour"][k] = v
        before = self.before.with_behaviour(params) if self.before is not None else None
        return Scenario(self.name, self.source, data, self.explicit_behaviour, before)

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.data["time"]["start_year"], self.data["time"]["end_year"] + 1)

    @property
    def months(self) -> int:
        return len(self.years) * 12

    @property
    def behaviour(self) -> dict[str, float]:
        return self.data["behaviour"]

    def by_year(self, schedule: dict) -> np.ndarray:
        """A step-function schedule evaluated at each simulated year."""
        pts = sorted((int(y), float(v)) for y, v in schedule.items())
        out = np.empty(len(self.years))
        for i, year in enumerate(self.years):
            val = pts[0][1]
            for y, v in pts:
                if y <= year:
                    val = v
            out[i] = val
        return out

    def get(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            node = node[part]
        return node


def load(name_or_path: str | Path, overrides: list[str] | dict | None = None) -> Scenario:
    """Find, merge, override and validate a scenario; raises ScenarioError on any problem.

    `overrides`: --set strings ("rent_subsidy.months=24") or a dict {"rent_subsidy.months": 24}. The file
    is judged on its own first, so `run --set ...` refuses exactly the files `validate` refuses.
    """
    path = find_scenario(name_or_path)
    file_raw = load_raw(path)
    overrides = override_items(overrides)
    if overrides:
        _resolve(file_raw, str(path))
    return _resolve(apply_overrides(file_raw, overrides), str(path) + (" (with --set overrides)" if overrides else ""),
                    overrides, path)


def _resolve(raw: dict, where: str, overrides: list | None = None, path: Path | None = None) -> Scenario:
    raw = dict(raw)
    before_raw = raw.pop("_before", None)
    validate(raw, where)
    name = str(raw.get("name", path.stem if path else "scenario"))
    before = None
    if before_raw is not None:
        # a policy year after the run's end means the run never switches (e.g. --set time.end_year=2016)
        before_raw = apply_overrides(before_raw, overrides or [])
        before_raw["time"] = raw["time"]
        validate(before_raw, where + " (before 'starts')")
        before = Scenario(name, where if path is None else str(path), _fill_defaults(SCHEMA, before_raw),
                          frozenset(before_raw.get("behaviour", {})))
    elif raw.get("starts"):
        raise ScenarioError([f"{where}: key 'starts': needs 'extends' (the scenario that applies before it)"])
    return Scenario(name=name, source=where if path is None else str(path), data=_fill_defaults(SCHEMA, raw),
                    explicit_behaviour=frozenset(raw.get("behaviour", {})), before=before)


def from_dict(raw: dict, where: str = "<dict>") -> Scenario:
    """Validate a scenario given as a dict (used by the Python API and tests)."""
    validate(raw, where)
    return Scenario(name=str(raw.get("name", "scenario")), source=where, data=_fill_defaults(SCHEMA, raw),
                    explicit_behaviour=frozenset(raw.get("behaviour", {})))
