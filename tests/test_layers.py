"""The layers point one way: sim core <- experiments <- calibration <- command line (README "Layout").

Every import in every module (top-level or inside a function) is checked against its module's layer;
and the light commands import none of the heavy libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = {"sim", "sim.inputs", "sim.schema", "sim.scenario", "sim.world", "sim.population", "sim.programme", "sim.behaviour",
        "sim.model", "sim.outcomes", "sim.rng", "sim.regions", "sim.states", "sim.params", "sim.protocol"}
LAYERS = ("core", "experiments", "calibration", "cli")
HEAVY = ("mesa", "dask", "distributed", "optuna", "SALib", "pyarrow")


def layer(module: str) -> str | None:
    """The layer of a project module (None: not ours)."""
    top = module.split(".")[0]
    if top == "calibration":
        return "calibration"
    if top != "sim":
        return None
    if module in ("sim.cli", "sim.dashboard") or module.startswith(("sim.cli.", "sim.dashboard.")):
        return "cli"  # the user interfaces: the command line and the browser dashboard
    if module in CORE or module.startswith("sim.behaviour."):
        return "core"
    return "experiments"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the file of module `name`, relative imports resolved."""
    out = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = package.split(".")
                base = ".".join(pkg[: len(pkg) - node.level + 1] + ([base] if base else []))
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names if layer(f"{base}.{a.name}") and base in ("sim", "calibration")]
    return out


SOURCES = sorted(p for d in ("sim", "calibration") for p in (ROOT / d).rglob("*.py"))


def wrong_way(path: Path, name: str | None = None) -> list[str]:
    name = name or module_name(path)
    mine = layer(name)
    bad = []
    for line, target in imports(path, name):
        theirs = layer(target)
        if theirs is not None and LAYERS.index(theirs) > LAYERS.index(mine):
            bad.append(f"{name}:{line}: {mine} imports {target} ({theirs})")
    return bad


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_points_the_wrong_way(path):
    assert wrong_way(path) == []


def test_the_check_finds_wrong_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import numpy\nfrom sim.model import RelocationModel\n\n\ndef f():\n    from calibration import ensemble\n"
                     "    from . import cli\n")
    assert wrong_way(probe, "sim.runner") == ["sim.runner:6: experiments imports calibration (calibration)",
                                              "sim.runner:6: experiments imports calibration.ensemble (calibration)",
                                              "sim.runner:7: experiments imports sim.cli (cli)"]
    assert wrong_way(probe, "sim.cli.run") == []
    assert layer("sim.behaviour.returns") == "core" and layer("sim.sweep.plan") == "experiments"


@pytest.mark.parametrize("argv", [["--help"], ["validate", "baseline"], ["--version"]])
def test_light_commands_import_no_heavy_library(argv):
    code = ("import sys\nfrom sim.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print('heavy:' + ','.join(sorted({m.split('.')[0] for m in sys.modules} & set(%r))))") % (argv, HEAVY)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "heavy:", proc.stdout
