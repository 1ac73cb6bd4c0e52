"""Coded states are compared with their enums (sim/states.py), never with bare integers.

`m.job == Job.OTHER` says what it means and follows the enum if its codes change; `m.job == 2` does
neither. The check reads the source of sim/ and calibration/ (AST, no imports run) and names the file
and line of every comparison of a coded array with an integer literal.
"""

from __future__ import annotations

import ast
from pathlib import Path

from sim.states import HOUSEHOLD_ATTRIBUTES, HOUSEHOLD_STATE

ROOT = Path(__file__).resolve().parents[1]
# the coded arrays as declared (model state and fixed attributes with `codes`), and the local names
# the code gives them (`edu = snap["education"][keep]`, `st = self.state`)
ALIASES = frozenset({"edu", "settle", "st", "reason"})
CODED = frozenset(v.name for v in HOUSEHOLD_STATE + HOUSEHOLD_ATTRIBUTES if v.codes is not None) | ALIASES


def _coded_name(node: ast.expr) -> str | None:
    """The coded array `node` reads (`m.state`, `m.state[idx]`, `frame["housing_route"]`, `edu`), if any."""
    while isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return key.value if key.value in CODED else None
        node = node.value
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None
    return name if name in CODED else None


def _is_int_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        node = node.operand
    return isinstance(node, ast.Constant) and type(node.value) is int


def bare_code_comparisons(source: str, filename: str) -> list[str]:
    """'file:line: comparison' for each comparison (==, !=, <, >, <=, >=) of a coded array with an integer."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_coded_name(a) and _is_int_literal(b) or _coded_name(b) and _is_int_literal(a)
                   for a, b in zip(sides, sides[1:])):
                found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_coded_state_is_compared_with_a_bare_integer():
    found = []
    for folder in ("sim", "calibration"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found += bare_code_comparisons(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "compare coded states with their enum in sim/states.py, not an integer:\n" + "\n".join(found)


def test_the_check_flags_bare_codes_and_passes_enums():
    bad = "\n".join(["m.job[idx] == 2", "hh.marital != 1", 's["housing_route"] == 0', "0 < m.state",
                     "edu >= -1", "m.arrival_month >= 0 and m.return_reason > 3"])
    assert bare_code_comparisons(bad, "bad.py") == [
        "bad.py:1: m.job[idx] == 2", "bad.py:2: hh.marital != 1", "bad.py:3: s['housing_route'] == 0",
        "bad.py:4: 0 < m.state", "bad.py:5: edu >= -1", "bad.py:6: m.return_reason > 3"]
    good = "\n".join(["m.job[idx] == Job.OTHER", "m.dest >= 0", "len(m.state) == 0", 's["arrival_month"] >= 0',
                      "m.state.shape[0] > 1", "hh.marital == codes"])
    assert bare_code_comparisons(good, "good.py") == []


def test_coded_names_come_from_the_declaration():
    assert {"state", "job", "housing_status", "housing_route", "marital", "education", "housing_before"} <= CODED
