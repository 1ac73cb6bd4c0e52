"""The dashboard's state without any web framework: levers generated from the schema, the overrides
they make, the validator's messages per lever, the run request and its cache key, the equivalent
command line and the scenario as a TOML file.

A lever change is an override exactly as `relocsim run --set key=value` takes it, so the page, the
command it shows and the CLI run the same scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sim.i18n import N_, _, localise_number
from sim.labels import lever_group, lever_label, lever_unit, scenario_label
from sim.scenario import ScenarioError, load, parse_override, shipped_scenarios
from sim.schema import SCHEMA, Choice, Num, Probs, RegionMap, RegionYears, Section, YearSchedule

SKIPPED = ("name", "description", "extends", "starts", "population.scale")  # scale is a run setting
SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
DEFAULT_SCALE = 0.1
BEHAVIOUR_NOTE = N_("unless you change it, each replicate draws this parameter from the calibrated ensemble "
                    "(calibration/posterior.csv); a changed value holds for every replicate")
CATEGORY_DOC = N_("probability of this category; the categories must sum to 1")


@dataclass(frozen=True)
class Lever:
    """One widget: a dotted scenario key, its schema bounds or choices and its text."""

    key: str
    group: str            # the schema's top-level key: rent_subsidy, quotas, behaviour...
    label: str
    value: Any            # the chosen scenario's value
    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    choices: tuple[str, ...] = ()
    unit: str = ""
    help: str = ""        # what the lever means and its source

    @property
    def group_title(self) -> str:
        return lever_group(self.group)


def _num_lever(key: str, spec: Num, value: Any, doc: str, source: str) -> Lever:
    text = doc or spec.doc
    src = source or spec.source
    help_ = _("{description}. Allowed {lo} to {hi}.").format(description=_(text), lo=localise_number(f"{spec.lo:g}"),
                                                               hi=localise_number(f"{spec.hi:g}"))
    if src:
        help_ += " " + _("Source: {source}.").format(source=_(src))
    if key.startswith("behaviour."):
        help_ += " " + _("Calibrated: {note}.").format(note=_(BEHAVIOUR_NOTE))
    return Lever(key, key.split(".")[0], lever_label(key), value, spec.lo, spec.hi, spec.integer,
                 unit=lever_unit(f"{spec.doc} {doc}", spec.integer), help=help_)


def _levers(prefix: str, spec: Any, value: Any) -> list[Lever]:
    """Widgets for one schema entry at the chosen scenario's value: a year schedule gives one per
    listed year, a region table one per region, probabilities one per category."""
    if isinstance(spec, Num):
        return [_num_lever(prefix, spec, value, "", "")]
    if isinstance(spec, Choice):
        return [Lever(prefix, prefix.split(".")[0], lever_label(prefix), value, choices=spec.choices,
                      help=_("{description}. Source: {source}.").format(description=_(spec.doc), source=_(spec.source)))]
    if isinstance(spec, YearSchedule):
        return [_num_lever(f"{prefix}.{y}", spec.item, v, spec.doc, spec.source) for y, v in value.items()]
    if isinstance(spec, RegionMap):
        return [_num_lever(f"{prefix}.{r}", spec.item, v, spec.doc, spec.source) for r, v in value.items()]
    if isinstance(spec, RegionYears):
        return [_num_lever(f"{prefix}.{r}.{y}", spec.item, v, spec.doc, spec.source)
                for r, sched in value.items() for y, v in sched.items()]
    if isinstance(spec, Probs):
        item = Num(0, 1, CATEGORY_DOC, spec.source)
        return [_num_lever(f"{prefix}.{c}", item, v, spec.doc, spec.source) for c, v in value.items()]
    return []


def levers(scenario: str) -> list[Lever]:
    """Every lever of a scenario, in the schema's order, at the scenario's resolved values."""
    data = load(scenario).data
    out = []
    for key, spec in SCHEMA.leaves():
        if key in SKIPPED or key.startswith(SKIPPED):
            continue
        node: Any = data
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            out.extend(_levers(key, spec, node))
    return out


def groups(all_levers: list[Lever]) -> dict[str, list[Lever]]:
    """Levers by the schema's top-level group, in schema order."""
    out: dict[str, list[Lever]] = {}
    for lev in all_levers:
        out.setdefault(lev.group, []).append(lev)
    return out


# --------------------------------------------------------------------------- overrides and validation

def toml_value(value: Any) -> str:
    """A value as `--set` and TOML write it: whole numbers without a point, text bare when a word."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    text = str(value)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) and text not in ("true", "false") else _quote(text)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def overrides(all_levers: list[Lever], values: dict[str, Any]) -> list[str]:
    """`key=value` for every lever whose value differs from the scenario's, in lever order."""
    out = []
    for lev in all_levers:
        if lev.key in values and not _same(values[lev.key], lev.value):
            out.append(f"{lev.key}={toml_value(values[lev.key])}")
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


PROBLEM_KEY = re.compile(r"key '([^']+)'")


def problems(scenario: str, override_list: list[str]) -> dict[str, list[str]]:
    """The validator's messages (the same as for files and --set), by the key they name; "" holds
    messages that name no key. Empty when the scenario with these overrides is valid."""
    try:
        load(scenario, list(override_list))
    except ScenarioError as exc:
        out: dict[str, list[str]] = {}
        for p in exc.problems:
            m = PROBLEM_KEY.search(p)
            key = m.group(1) if m else ""
            out.setdefault(key, []).append(p[m.end():].lstrip(": ") if m else p)
        return out
    return {}


def messages_for(lever_key: str, found: dict[str, list[str]]) -> list[str]:
    """Messages to show beside a lever: those naming its key, or the table it belongs to
    (a probability table that does not sum to 1 names the table)."""
    out = list(found.get(lever_key, []))
    parent = lever_key.rsplit(".", 1)[0]
    if parent != lever_key:
        out.extend(m for m in found.get(parent, []) if m not in out)
    return out


# --------------------------------------------------------------------------- runs

@dataclass(frozen=True)
class RunSettings:
    """What a run is: a shipped scenario, the lever overrides, seed, scale and replicates."""

    scenario: str
    overrides: tuple[str, ...] = ()
    seed: int = 0
    scale: float = DEFAULT_SCALE
    replicates: int = 1
    parameters: str = "posterior"

    def key(self) -> tuple:
        """The cache key: equal settings give equal results (overrides in a canonical order)."""
        canon = tuple(sorted(_canonical(o) for o in self.overrides))
        return (self.scenario, canon, int(self.seed), float(self.scale), int(self.replicates), self.parameters)

    def all_overrides(self) -> list[str]:
        """The overrides with the scale, as `relocsim run --scale` adds it."""
        return list(self.overrides) + [f"population.scale={float(self.scale)!r}"]

    def load(self):
        return load(self.scenario, self.all_overrides())

    def baseline(self) -> "RunSettings":
        """The reference run: the shipped baseline at the same seed, scale and replicates, so its
        replicates share seeds and parameter draws with this run (common random numbers)."""
        return RunSettings("baseline", (), self.seed, self.scale, self.replicates, self.parameters)


def _canonical(text: str) -> str:
    path, value = parse_override(text)
    return f"{'.'.join(path)}={toml_value(value)}"


def command_line(s: RunSettings) -> str:
    """The `relocsim run` command that runs the same scenario."""
    parts = ["relocsim", "run", s.scenario, "--seed", str(s.seed), "--replicates", str(s.replicates),
             "--scale", toml_value(s.scale)]
    if s.parameters != "posterior":
        parts += ["--parameters", s.parameters]
    for o in s.overrides:
        parts += ["--set", _shell(o)]
    return " ".join(parts)


def _shell(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_.=+\-]+", text) else "'" + text.replace("'", "'\"'\"'") + "'"


SECONDS_PER_MONTH_AT_FULL_SCALE = 0.35  # measured on the development machine (2 cores): baseline, scale 0.1


def estimate_seconds(months: int, scale: float, replicates: int, runs: int = 2,
                     rate: float = SECONDS_PER_MONTH_AT_FULL_SCALE) -> float:
    """Rough run time: simulated months x replicates x scale x a measured rate, for `runs` scenario
    runs (the chosen one and the baseline it is compared with; cached runs cost nothing)."""
    return months * replicates * scale * rate * runs + 0.5 * runs * replicates


def scenario_names() -> list[str]:
    return list(shipped_scenarios())


def scenario_title(name: str) -> str:
    """A scenario as the picker shows it: its human name, then its file name, which `relocsim run`
    takes ("Rent subsidy for 24 months (rent_subsidy_24_months)")."""
    return f"{scenario_label(name)} ({name})"


def scenario_choices() -> dict[str, str]:
    """The picker's entries, title -> file name, in the library's order."""
    return {scenario_title(n): n for n in scenario_names()}
