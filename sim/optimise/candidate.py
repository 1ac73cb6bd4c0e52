"""A candidate policy as a scenario file: it `extends` the base and `starts` in the policy year.

The search evaluates exactly the text it writes for a front point, so a front point's TOML run with
`relocsim run FILE --seed S --replicates R` (and compared with the base's TOML by `relocsim compare`)
reproduces what the search measured. The base is written the same way without `starts` or levers.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Mapping

from sim import scenario as scn
from sim.nested import unflatten

OptimiseSpec = Any   # sim.optimise.spec.OptimiseSpec (not imported: the spec validates candidates with this module)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return repr(v)
    return repr(v)


def _inline(d: Mapping) -> str:
    return "{ " + ", ".join(f"{k} = {_inline(v) if isinstance(v, Mapping) else _value(v)}" for k, v in d.items()) + " }"


def candidate_data(spec: OptimiseSpec, values: Mapping[str, Any]) -> dict:
    """The dotted scenario keys a candidate sets: the horizon, the scale and each lever's value."""
    by_name = {lv.name: lv for lv in spec.levers}
    keys: dict[str, Any] = {"time.end_year": spec.end_year, "population.scale": spec.scale}
    for name, v in values.items():
        keys[by_name[name].target] = v
    return keys


def candidate_toml(spec: OptimiseSpec, values: Mapping[str, Any], name: str, header: str = "",
                   extends: str | None = None) -> str:
    """The scenario file of a candidate (`values`: lever name -> value; empty for the base); `extends`: a
    shipped scenario measured for reference instead of the base."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()] if header else []
    lines += [f"name = {_value(name)}",
              f"description = {_value(_describe(spec, values, extends))}",
              f"extends = {_value(extends or spec.base)}"]
    if values:
        lines.append(f"starts = {spec.start_year}")
    for table, body in unflatten(candidate_data(spec, values)).items():
        lines += ["", f"[{table}]"]
        lines += [f"{k} = {_inline(v) if isinstance(v, Mapping) else _value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


def _describe(spec: OptimiseSpec, values: Mapping[str, Any], extends: str | None = None) -> str:
    if not values:
        return f"{extends or spec.base} run to {spec.end_year} (the base of policy search '{spec.name}')"
    by_name = {lv.name: lv for lv in spec.levers}
    parts = [f"{by_name[k].label or k} {v:g}" if isinstance(v, (int, float)) and not isinstance(v, bool)
             else f"{by_name[k].label or k} {v}" for k, v in values.items()]
    return f"From {spec.start_year}: " + ", ".join(parts) + f" (policy search '{spec.name}')"


def load_candidate(text: str) -> scn.Scenario:
    """Validate and resolve a candidate's scenario text as `relocsim run` would read the file."""
    with tempfile.TemporaryDirectory(prefix="relocsim-candidate-") as tmp:
        path = Path(tmp) / "candidate.toml"
        path.write_text(text)
        return scn.load(path)
