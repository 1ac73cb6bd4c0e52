"""The kinds of key a scenario may hold (bounded numbers, choices, text, year schedules, region maps,
probabilities, sections): what each declares, whether a scenario must give it and what it allows, as
validation messages say (`sim.scenario`). The keys themselves are declared in `sim.schema`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from sim.regions import DESTINATIONS, ORIGINS, SECTORS


@dataclass(frozen=True)
class Num:
    """A number with bounds. `default` None means the scenario must give it."""

    lo: float
    hi: float
    doc: str
    source: str
    default: float | None = None
    integer: bool = False


@dataclass(frozen=True)
class Choice:
    """One string out of a fixed set."""

    choices: tuple[str, ...]
    doc: str
    source: str
    default: str | None = None


@dataclass(frozen=True)
class Text:
    """Free text (names, descriptions)."""

    doc: str
    default: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class YearSchedule:
    """Year -> number; a step function: a year's value holds until the next listed year."""

    item: Num
    doc: str
    source: str


@dataclass(frozen=True)
class RegionMap:
    """Region (or sector) id -> number; missing ids take `fill` (required when `fill` is None)."""

    item: Num
    doc: str
    source: str
    kind: str = "destination"
    fill: float | None = None


@dataclass(frozen=True)
class RegionYears:
    """Destination region -> YearSchedule (annual quotas)."""

    item: Num
    doc: str
    source: str


@dataclass(frozen=True)
class Probs:
    """Probabilities over named categories; they must sum to 1."""

    labels: tuple[str, ...]
    doc: str
    source: str


@dataclass(frozen=True)
class Section:
    fields: dict[str, Any] = field(default_factory=dict)
    doc: str = ""

    def leaves(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        """(dotted key, spec) of every leaf field, in declaration order, nested Sections included."""
        for name, spec in self.fields.items():
            key = f"{prefix}{name}"
            if isinstance(spec, Section):
                yield from spec.leaves(key + ".")
            else:
                yield key, spec


REGION_KINDS = {"destination": DESTINATIONS, "origin": ORIGINS, "sector": SECTORS}


def required(fspec: Any) -> bool:
    """Whether a scenario must give this field (no default, no fill)."""
    if isinstance(fspec, Section):
        return any(required(f) for f in fspec.fields.values())
    if isinstance(fspec, Text):
        return fspec.default is None and not fspec.optional
    if isinstance(fspec, (Num, Choice)):
        return fspec.default is None
    if isinstance(fspec, RegionMap):
        return fspec.fill is None
    return True


def describe(fspec: Any) -> str:
    """The allowed values of a field, for messages."""
    if isinstance(fspec, Num):
        return f"allowed: {fspec.lo:g} to {fspec.hi:g}; {fspec.doc}"
    if isinstance(fspec, Choice):
        return f"allowed: {', '.join(fspec.choices)}"
    if isinstance(fspec, Probs):
        return f"allowed categories: {', '.join(fspec.labels)}"
    if isinstance(fspec, Section):
        return f"allowed: a table of {', '.join(fspec.fields)}"
    if isinstance(fspec, (YearSchedule, RegionYears)):
        per = "a table per destination region of " if isinstance(fspec, RegionYears) else "a table of "
        return f"allowed: {per}year = value, values {fspec.item.lo:g} to {fspec.item.hi:g}; {fspec.doc}"
    if isinstance(fspec, RegionMap):
        return f"allowed: a table of {fspec.kind} = value, values {fspec.item.lo:g} to {fspec.item.hi:g}; {fspec.doc}"
    return f"allowed: text; {getattr(fspec, 'doc', '')}"
