"""Behavioural parameters as a typed, frozen object generated from `sim.schema.BEHAVIOUR`.

Phases read `m.b.decide_base`, not `m.b["decide_base"]`: a misspelt name fails at once, and the
fields, their types and defaults come from the schema, the one place the parameters are declared.
Scenarios keep their parameters as a plain dict (`Scenario.behaviour`), which is what the runner and
calibration pass around; the model turns it into a `Behaviour` when it is built.
"""

from __future__ import annotations

from dataclasses import asdict, field, fields, make_dataclass
from typing import Any

from sim.schema import BEHAVIOUR, Num


def _type(spec: Num) -> type:
    return int if spec.integer else float


def _fields() -> list[tuple[str, type, Any]]:
    return [(name, _type(spec), field(default=_type(spec)(spec.default), metadata={"doc": spec.doc, "source": spec.source}))
            for name, spec in BEHAVIOUR.fields.items()]


def _from_dict(cls, values: dict[str, Any]) -> "Behaviour":
    """The parameters in `values` (a validated scenario's `behaviour`), each of the schema's type."""
    unknown = sorted(set(values) - set(BEHAVIOUR.fields))
    if unknown:
        raise KeyError(f"unknown behavioural parameters {unknown}; allowed: {sorted(BEHAVIOUR.fields)}")
    return cls(**{f.name: f.type(values[f.name]) for f in fields(cls) if f.name in values})


def _to_dict(self) -> dict[str, Any]:
    return asdict(self)


Behaviour = make_dataclass(
    "Behaviour", _fields(), frozen=True, slots=True,
    namespace={"from_dict": classmethod(_from_dict), "to_dict": _to_dict,
               "__doc__": "The behavioural parameters of a run (sim.schema.BEHAVIOUR), read-only."},
)
Behaviour.__module__ = __name__
