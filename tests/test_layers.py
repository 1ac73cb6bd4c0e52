"""The layers point one way: sim core <- experiments <- calibration <- command line (README "Layout").

The import graph of every module in sim/ and calibration/ (top-level, function-level and
TYPE_CHECKING imports alike) must have no cycle; every module must be placed in a layer by name
(a new one fails until it is); every import must point to the module's own layer or one below it;
only the month loop imports the phases; and the light commands import none of the heavy libraries.
Each check is shown able to fail on a synthetic package."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOPS = ("sim", "calibration")
LAYERS = ("core", "experiments", "calibration", "cli")
# Every module by name; "pkg.*" places a package and every module in it.
PLACED = {
    "core": ("sim", "sim.inputs", "sim.fields", "sim.schema", "sim.scenario", "sim.world", "sim.population",
             "sim.programme", "sim.maths", "sim.nested", "sim.model", "sim.collector", "sim.outcomes", "sim.rng",
             "sim.regions", "sim.states", "sim.params", "sim.protocol", "sim.interrupts", "sim.drift", "sim.behaviour.*",
             "sim.i18n"),
    "experiments": ("sim.ensemble", "sim.runner", "sim.results", "sim.output_folder", "sim.labels", "sim.plotting",
                    "sim.plots", "sim.comparison", "sim.compare", "sim.compare_plots", "sim.sensitivity",
                    "sim.executors", "sim.extras", "sim.lifecycle", "sim.sweep.*", "sim.optimise.*",
                    "sim.i18n_sources", "sim.label_table", "sim.brief"),
    "calibration": ("calibration.*",),
    "cli": ("sim.cli.*", "sim.dashboard.*"),  # the user interfaces: the command line and the browser dashboard
}
HEAVY = ("mesa", "dask", "distributed", "optuna", "SALib", "pyarrow")


def layer(module: str) -> str | None:
    """The layer of a project module; None for a module that is not ours; "unplaced" for one of ours
    that PLACED does not name."""
    if module.split(".")[0] not in TOPS:
        return None
    for name, entries in PLACED.items():
        for entry in entries:
            package = entry.removesuffix(".*")
            if module == entry or (entry.endswith(".*") and (module == package or module.startswith(package + "."))):
                return name
    return "unplaced"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name -> file of every module under the project's packages in `root`."""
    return {module_name(p, root): p for top in TOPS for p in sorted((root / top).rglob("*.py"))}


def _ours(target: str, known: dict[str, Path]) -> str | None:
    """The project module an import names: the longest known prefix of `target` (None: not ours)."""
    parts = target.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts) or None


def imports(path: Path, name: str, known: dict[str, Path] | None = None) -> list[tuple[int, str]]:
    """(line, module) of every import of our modules in the file of module `name`, wherever it stands
    (top level, function, TYPE_CHECKING); relative imports resolved; `from x import y` names x.y when
    that is a module, else x."""
    known = modules() if known is None else known
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            mod = _ours(target, known)
            if mod is not None and mod != name:
                out.append((node.lineno, mod))
    return out


def import_graph(root: Path = ROOT) -> dict[str, list[tuple[int, str]]]:
    """Module -> (line, imported module) for every module under `root`'s packages."""
    known = modules(root)
    return {name: imports(path, name, known) for name, path in known.items()}


def cycles(graph: dict[str, list[tuple[int, str]]]) -> list[str]:
    """One cycle per strongly connected group of modules, as 'a:LINE -> b:LINE -> a' (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for _line, w in graph.get(v, []):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(_path(graph, group) for group in groups)


def _path(graph: dict[str, list[tuple[int, str]]], group: set[str]) -> str:
    """A shortest cycle through the group's first module, by breadth-first search inside the group."""
    start = min(group)
    came: dict[str, tuple[str, int]] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for line, w in graph[v]:
                if w in group and w not in came:
                    came[w] = (v, line)
                    nxt.append(w)
        if start in came:
            break
        frontier = nxt
    hops, v = [], start
    while True:
        prev, line = came[v]
        hops.append(f"{prev}:{line}")
        v = prev
        if v == start:
            break
    return " -> ".join(reversed(hops)) + f" -> {start}"


def importers(graph: dict[str, list[tuple[int, str]]], package: str) -> set[str]:
    """The modules outside `package` that import it or any module in it."""
    def inside(m: str) -> bool:
        return m == package or m.startswith(package + ".")

    return {m for m, edges in graph.items() if not inside(m) and any(inside(t) for _line, t in edges)}


def unplaced(names) -> list[str]:
    return sorted(n for n in names if layer(n) == "unplaced")


def wrong_way(path: Path, name: str | None = None, known: dict[str, Path] | None = None) -> list[str]:
    name = name or module_name(path)
    mine = layer(name)
    bad = []
    for line, target in imports(path, name, known):
        theirs = layer(target)
        if theirs in LAYERS and mine in LAYERS and LAYERS.index(theirs) > LAYERS.index(mine):
            bad.append(f"{name}:{line}: {mine} imports {target} ({theirs})")
    return bad


SOURCES = sorted(modules().values())


def test_no_import_cycle():
    found = cycles(import_graph())
    assert found == [], "import cycles (module:line of each import):\n" + "\n".join(found)


def test_every_module_is_placed_in_a_layer():
    assert unplaced(modules()) == [], "place these modules in PLACED (tests/test_layers.py)"


def test_every_placed_name_is_a_module():
    known = modules()
    stale = [e for entries in PLACED.values() for e in entries if e.removesuffix(".*") not in known]
    assert stale == [], "PLACED names modules that are not there"


def test_only_the_month_loop_imports_the_phases():
    """The phases (sim.behaviour) are run by sim.model; the programme's rules, the state and the
    outcomes they use do not depend on them (shared helpers live in sim.maths)."""
    assert importers(import_graph(), "sim.behaviour") <= {"sim.model"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_points_the_wrong_way(path):
    assert wrong_way(path) == []


@pytest.fixture
def probe_tree(tmp_path):
    """A synthetic project: sim.runner and sim.results import each other (one of them inside a
    function), sim.results also imports the command line (the wrong way), sim.stray is in no layer,
    and calibration.fit imports sim.runner (the right way)."""
    files = {
        "sim/__init__.py": "",
        "sim/runner.py": "import numpy\n\n\ndef f():\n    from sim.results import flatten\n",
        "sim/results.py": "from sim import runner\nfrom sim.cli import main\n",
        "sim/stray.py": "from . import runner\n",
        "sim/cli/__init__.py": "",
        "calibration/__init__.py": "",
        "calibration/fit.py": "from sim.runner import run_scenario\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_the_checks_find_cycles_unplaced_modules_and_wrong_imports(probe_tree):
    graph = import_graph(probe_tree)
    assert graph["sim.stray"] == [(1, "sim.runner")]                     # a relative import, resolved
    assert graph["sim.results"] == [(1, "sim.runner"), (2, "sim.cli")]   # `from sim import runner`: the module
    assert cycles(graph) == ["sim.results:1 -> sim.runner:5 -> sim.results"]
    assert unplaced(graph) == ["sim.stray"]
    assert importers(graph, "sim.runner") == {"sim.results", "sim.stray", "calibration.fit"}
    known = modules(probe_tree)
    assert wrong_way(probe_tree / "sim" / "results.py", "sim.results", known) == [
        "sim.results:2: experiments imports sim.cli (cli)"]
    assert wrong_way(probe_tree / "calibration" / "fit.py", "calibration.fit", known) == []


def test_the_check_finds_wrong_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import numpy\nfrom sim.model import RelocationModel\n\n\ndef f():\n    from calibration import ensemble\n"
                     "    from . import cli\n")
    assert wrong_way(probe, "sim.runner") == ["sim.runner:6: experiments imports calibration.ensemble (calibration)",
                                              "sim.runner:7: experiments imports sim.cli (cli)"]
    assert wrong_way(probe, "sim.cli.run") == []
    assert layer("sim.behaviour.returns") == "core" and layer("sim.sweep.plan") == "experiments"
    assert layer("sim.brand_new") == "unplaced" and layer("numpy") is None


@pytest.mark.parametrize("argv", [["--help"], ["validate", "baseline"], ["--version"]])
def test_light_commands_import_no_heavy_library(argv):
    code = ("import sys\nfrom sim.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print('heavy:' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & set(%r))))") % (argv, HEAVY)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "heavy:", proc.stdout
