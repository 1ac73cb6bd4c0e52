"""What a planner takes away: the scenario as a TOML file that `relocsim run` accepts unchanged, and
the results as CSV.

A scenario without a policy year is written whole (resolved, overrides applied): the file needs no
other file. A scenario with a policy year (`starts`) is written as its own file with the overrides
applied, extending the same parent; overrides then apply from the policy year, while `--set` applies
them to every year, so `reproduces` says whether the file runs exactly what the page ran.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

import pandas as pd

from sim.i18n import using
from sim.label_table import labels_frame
from sim.labels import format_difference, format_value, label
from sim.scenario import apply_overrides, find_scenario, load_raw
from sim.dashboard.state import RunSettings, command_line, toml_value


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def dumps(data: dict) -> str:
    """A TOML document of nested tables, numbers, text and booleans (what scenarios hold)."""
    lines: list[str] = []
    _table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _string(v: str) -> str:
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", str(k)) else _string(str(k))


def _table(d: dict, path: list[str], lines: list[str]) -> None:
    scalars = {k: v for k, v in d.items() if not _is_table(v)}
    tables = {k: v for k, v in d.items() if _is_table(v)}
    if path and scalars:
        lines.append("")
        lines.append(f"[{'.'.join(_key(p) for p in path)}]")
    for k, v in scalars.items():
        lines.append(f"{_key(k)} = {_string(v) if isinstance(v, str) else toml_value(v)}")
    for k, v in tables.items():
        _table(v, path + [str(k)], lines)


def scenario_document(s: RunSettings) -> tuple[dict, bool]:
    """(the TOML document as a dict, whether `relocsim run` of it reproduces the page's run)."""
    path = find_scenario(s.scenario)
    with open(path, "rb") as fh:
        own = tomllib.load(fh)
    if "starts" not in own:
        raw = apply_overrides(load_raw(path), s.all_overrides())
        raw.pop("_before", None)
        return raw, True
    before = load_raw(path).get("_before", {})
    doc = apply_overrides(own, s.all_overrides())
    return doc, apply_overrides(before, list(s.overrides)) == before


def scenario_toml(s: RunSettings) -> tuple[str, bool]:
    """The scenario file text with a header saying how to run it, and whether it reproduces the run."""
    doc, same = scenario_document(s)
    head = [f"# Written by the relocsim dashboard: scenario {s.scenario}"
            + (f" with {', '.join(s.overrides)}" if s.overrides else "") + f", scale {s.scale:g}.",
            f"# Run it with: relocsim run <this file> --seed {s.seed} --replicates {s.replicates}"
            + ("" if s.parameters == "posterior" else f" --parameters {s.parameters}"),
            f"# Same run as: {command_line(s)}"]
    if not same:
        head.append(f"# Note: the changed levers apply here from {doc.get('starts')} (the policy year); "
                    "the dashboard and --set applied them to every year.")
    return "\n".join(head) + "\n\n" + dumps(doc), same


def results_csv(table: pd.DataFrame) -> str:
    """Outcomes of a run beside the baseline, with labels and units: one row per outcome. The same file in every
    language: `label`, `unit` and the shown values are English; labels.csv's columns give the other languages."""
    with using("en"):
        return _results_csv(table)


def _results_csv(table: pd.DataFrame) -> str:
    this = table[table["scenario"] == "scenario"].set_index("outcome")
    base = table[table["scenario"] == "baseline"].set_index("outcome")
    names = labels_frame(list(this.index)).set_index("key")
    rows = []
    for outcome, r in this.iterrows():
        lab = label(outcome)
        rows.append({
            "outcome": outcome, "label": lab.text, "unit": lab.unit, "mean": r["mean"], "low_5pct": r["low"],
            "high_95pct": r["high"], "baseline_mean": base["mean"].get(outcome),
            "difference_from_baseline": r["diff_from_first"], "difference_low_5pct": r["diff_low"],
            "difference_high_95pct": r["diff_high"], "replicates": r["n"],
            "shown": format_value(outcome, r["mean"]), "difference_shown": format_difference(outcome, r["diff_from_first"]),
            **{c: names.at[outcome, c] for c in names.columns if c.startswith("label_") and c != "label_en"},
        })
    return pd.DataFrame(rows).to_csv(index=False)


def brief_commands(s: RunSettings, lang: str) -> list[str]:
    """What reproduces the page's brief: `relocsim compare baseline <scenario> --brief` when no lever was
    changed (compare's --set would change the baseline too); otherwise the two runs it compares, paired by seed."""
    if s.overrides:
        return [command_line(s.baseline()), command_line(s)]
    parts = ["relocsim", "compare", "baseline", s.scenario, "--replicates", str(s.replicates), "--seed", str(s.seed),
             "--scale", toml_value(s.scale), "--parameters", s.parameters, "--brief"]
    return [" ".join(parts + ([] if lang == "en" else ["--lang", lang]))]


def brief_html(out, lang: str) -> str:
    """The one-page brief (sim.brief) of the page's run against the baseline, in `lang`."""
    from sim.brief import render
    from sim.compare import annual_table
    from sim.dashboard.views import versus_names
    from sim.i18n import using

    with using(lang):
        names = dict(zip(("baseline", "scenario"), versus_names(out)))
        return render(out.comparison, out.table, annual_table(out.comparison), brief_commands(out.settings, lang),
                      names=names.__getitem__)
