"""Every behavioural number in sim/behaviour/ comes from the schema (issue 19, item 2).

Each module is parsed with `ast`; a numeric literal in a rule fails the test with its file and line,
unless it is structural (0, 1, -1, 2; a subscript's index; a draw's declaration in `declare(...)`) or
listed in ALLOWED below with the reason it is not a behavioural assumption. A new assumption goes into
`sim/schema.py` BEHAVIOUR with its provenance instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

BEHAVIOUR_DIR = Path(__file__).resolve().parent.parent / "sim" / "behaviour"
STRUCTURAL = {0, 1, -1, 2}
NUMERIC_GUARD = 1e-6  # a literal smaller than this keeps a division or a logarithm finite; it shapes no rule

# (module, value): why the number is not a behavioural assumption
ALLOWED = {
    ("*", 12): "months in a year (the calendar: month % 12, annual rates to monthly)",
    ("adaptation.py", 6): "JOB_PROBLEMS_MONTHS: Table 27's question asks about the six months after arrival (a measure)",
    ("awareness.py", 18): "SETUP_CHUNK = 1 << 18: households per slice of set-up, a memory bound (draws do not depend on it)",
    ("decision.py", 1000): "choice_w_distance is defined per 1000 km (a unit)",
    ("employment.py", 450): "employer_subsidy_effect is defined per 450 MCI of subsidy (a unit)",
    ("finances.py", 10): "WINTER_MONTHS: November is calendar month 10 (January = 0)",
    ("finances.py", 11): "WINTER_MONTHS: December is calendar month 11",
    ("moving.py", 100): "moving_cost_mci_per_100km is defined per 100 km (a unit)",
    ("returns.py", 100): "return_w_repayment is defined per 100 MCI owed (a unit)",
}


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """ids of the literal nodes inside subscripts and inside `declare(...)` calls (stream ids, rounds)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        inside = None
        if isinstance(node, ast.Subscript):
            inside = node.slice
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "declare":
            inside = node
        if inside is not None:
            out.update(id(n) for n in ast.walk(inside) if isinstance(n, ast.Constant))
    return out


def offenders(path: Path) -> list[str]:
    """`file:line: value` for each numeric literal of `path` that is neither structural nor allowed."""
    tree = ast.parse(path.read_text(), filename=str(path))
    exempt = _exempt_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            continue
        v = node.value
        if id(node) in exempt or v in STRUCTURAL or abs(v) < NUMERIC_GUARD:
            continue
        if ("*", v) in ALLOWED or (path.name, v) in ALLOWED:
            continue
        found.append(f"sim/behaviour/{path.name}:{node.lineno}: {v!r}")
    return found


def test_no_behavioural_number_outside_the_schema():
    bad = [o for p in sorted(BEHAVIOUR_DIR.glob("*.py")) for o in offenders(p)]
    assert not bad, ("numeric literals in behavioural rules; move each into sim/schema.py BEHAVIOUR with its "
                     "provenance, or, if structural, into ALLOWED with the reason:\n" + "\n".join(bad))


def test_the_check_catches_a_new_literal(tmp_path):
    rule = tmp_path / "rule.py"
    rule.write_text("def f(m, idx):\n    x = m.jobless[idx] * 3.0\n    return x[2] + 1\n")
    assert offenders(rule) == ["sim/behaviour/rule.py:2: 3.0"]


def test_every_allowed_literal_still_occurs():
    """A stale allow-list entry would let the number back in unseen."""
    seen = set()
    for p in BEHAVIOUR_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
                seen.update({(p.name, node.value), ("*", node.value)})
    assert set(ALLOWED) <= seen, set(ALLOWED) - seen
