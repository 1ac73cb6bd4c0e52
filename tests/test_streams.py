"""Every random number has one declared owner.

Three checks, each shown able to fail: the register refuses two declarations of one (stream, k); each
declared draw is taken at exactly one place in the code, and no code draws around the register; and
in a real run no household gets the same number of a stream twice in a month.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import sim.model  # noqa: F401  (imports every phase, so every draw is declared)
from sim import rng
from sim.rng import DRAWS, DrawClash, Streams, declare

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "sim").rglob("*.py")) + sorted((ROOT / "calibration").rglob("*.py"))


# ------------------------------------------------------------------ the register
def test_the_register_refuses_a_shared_number():
    reg: dict = {}
    declare("a", "jobs", 2, "first use", "m1", register=reg)
    with pytest.raises(DrawClash, match="k=2"):
        declare("b", "jobs", 2, "second use", "m2", register=reg)
    declare("c", "jobs", 1, "rounds 1, 3, 5", "m1", rounds=3, stride=2, register=reg)
    with pytest.raises(DrawClash, match="k=5"):
        declare("d", "jobs", 5, "meets the last round", "m2", register=reg)
    declare("e", "jobs", 4, "between the rounds", "m2", register=reg)  # 4 is free: c takes 1, 3, 5


def test_the_register_refuses_a_second_use_of_a_generator_and_unknown_streams():
    reg: dict = {}
    declare("g", "population", 0, "set-up", "m", sequential=True, register=reg)
    declare("h", "population", 0, "a counter draw beside it", "m", register=reg)
    with pytest.raises(DrawClash, match="Generator"):
        declare("i", "population", 1, "another sequence", "m", sequential=True, register=reg)
    with pytest.raises(DrawClash, match="unknown stream"):
        declare("j", "weather", 0, "no such stream", "m", register=reg)
    with pytest.raises(DrawClash, match="declared twice"):
        declare("g", "network", 0, "same name elsewhere", "m2", register=reg)


def test_every_declared_draw_has_a_distinct_number():
    taken = Counter((d.stream, k) for d in DRAWS.values() if not d.sequential for k in d.counters)
    assert [key for key, n in taken.items() if n > 1] == []
    assert {d.stream for d in DRAWS.values()} <= set(rng.STREAMS)


# ------------------------------------------------------------------ call sites
def declared_names(tree: ast.Module) -> set[str]:
    """Module-level names bound to `declare(...)`."""
    out = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            f = node.value.func
            if (isinstance(f, ast.Name) and f.id == "declare") or (isinstance(f, ast.Attribute) and f.attr == "declare"):
                out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def draw_problems(sources: dict[str, str]) -> list[str]:
    """What breaks the rule 'one declared draw, one place': a draw used at no place or at several,
    a draw declared twice under one name, and code that draws from a stream without a declaration."""
    trees = {path: ast.parse(text) for path, text in sources.items()}
    declared: dict[str, str] = {}
    problems = []
    for path, tree in trees.items():
        for name in declared_names(tree):
            if name in declared:
                problems.append(f"{name} declared in {declared[name]} and {path}")
            declared[name] = path
    uses: dict[str, list[str]] = {name: [] for name in declared}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in uses:
                uses[node.id].append(f"{path}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not path.endswith("sim/rng.py"):
                if node.func.attr in ("uniform", "generator", "_gens"):
                    problems.append(f"{path}:{node.lineno} draws with .{node.func.attr}() instead of a declared draw")
    for name, where in uses.items():
        if len(where) != 1:
            problems.append(f"{name} ({declared[name]}) is used at {len(where)} places: {', '.join(where) or 'none'}")
    return problems


def test_each_declared_draw_is_taken_at_exactly_one_place():
    sources = {str(p.relative_to(ROOT)): p.read_text() for p in SOURCES}
    assert draw_problems(sources) == []
    n_declared = sum(len(declared_names(ast.parse(t))) for t in sources.values())
    assert n_declared == len(DRAWS), "a draw is declared outside a module-level NAME = declare(...)"


def test_the_call_site_check_finds_a_shared_draw_and_a_raw_draw():
    good = 'from sim.rng import declare\nA = declare("a", "jobs", 0, "x", __name__)\ndef f(m, i):\n    return m.streams.draw(A, m.month, i)\n'
    assert draw_problems({"sim/behaviour/x.py": good}) == []
    shared = good + "def g(m, i):\n    return m.streams.draw(A, m.month, i)\n"
    assert any("used at 2 places" in p for p in draw_problems({"sim/behaviour/x.py": shared}))
    unused = good.replace("return m.streams.draw(A, m.month, i)", "return i")
    assert any("used at 0 places" in p for p in draw_problems({"sim/behaviour/x.py": unused}))
    raw = good + 'def h(m, i):\n    return m.streams.uniform("jobs", m.month, i, k=9)\n'
    assert any(".uniform()" in p for p in draw_problems({"sim/behaviour/x.py": raw}))


# ------------------------------------------------------------------ in a run
class RecordingStreams(Streams):
    """Streams that remember, per (stream, counter, month), which households drew."""

    def __init__(self, seed: int):
        super().__init__(seed)
        self.seen: dict[tuple[str, int, int], list[np.ndarray]] = {}

    def uniform(self, name, month, idx, k=0):
        if month >= 0:  # month -1: a number fixed per household, reused on purpose
            self.seen.setdefault((name, k, month), []).append(np.asarray(idx, np.int64).copy())
        return super().uniform(name, month, idx, k)


def twice_drawn(seen: dict, register: dict | None = None) -> dict:
    """(stream, k, month) -> households that got that number more than once, except for the draws
    declared `redrawn` (in `register`, DRAWS unless given), which repeat by design."""
    reg = DRAWS if register is None else register
    redrawn = {(d.stream, k) for d in reg.values() if d.redrawn for k in d.counters}
    out = {}
    for key, parts in seen.items():
        if key[:2] in redrawn:
            continue
        ids, counts = np.unique(np.concatenate(parts), return_counts=True)
        if (counts > 1).any():
            out[key] = ids[counts > 1]
    return out


@pytest.fixture(scope="module")
def recorded():
    from sim.scenario import load

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sim.model, "Streams", RecordingStreams)
        m = sim.model.RelocationModel(load("baseline"), seed=1, scale=0.01)
        m.run()
    return m.streams


def test_no_household_gets_one_number_twice_in_a_run(recorded):
    assert sum(len(v) for v in recorded.seen.values()) > 1000  # the run drew
    clashes = twice_drawn(recorded.seen)
    assert clashes == {}, {k: len(v) for k, v in clashes.items()}


def test_the_run_check_sees_a_clash():
    s = RecordingStreams(0)
    s.uniform("jobs", 5, np.array([1, 2, 3]), k=2)
    s.uniform("jobs", 5, np.array([3, 4]), k=2)   # household 3 again: the clash of issue 22
    s.uniform("jobs", 6, np.array([3]), k=2)      # another month: no clash
    s.uniform("jobs", -1, np.array([3]), k=5)
    s.uniform("jobs", -1, np.array([3]), k=5)     # per-household numbers repeat by design
    clashes = twice_drawn(s.seen)
    assert list(clashes) == [("jobs", 2, 5)] and clashes[("jobs", 2, 5)].tolist() == [3]
    reg: dict = {}
    declare("again", "jobs", 7, "may repeat in a month", "m", redrawn=True, register=reg)
    s.uniform("jobs", 5, np.array([3]), k=7)
    s.uniform("jobs", 5, np.array([3]), k=7)      # declared redrawn: no clash
    assert list(twice_drawn(s.seen, reg)) == [("jobs", 2, 5)]
    assert ("jobs", 7, 5) in twice_drawn(s.seen, {})  # not declared so: a clash
