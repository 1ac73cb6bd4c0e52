"""README.md is true to the code: its Python runs, its scenario file validates, its commands parse, the
files it names exist, its install table has every extra and its Layout names every module."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sim import cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
TOPS = ("sim/", "calibration/", "scenarios/", "docs/", "tests/", "tools/", "benchmarks/")


def blocks(lang: str) -> list[tuple[int, str]]:
    """(line number, text) of every fenced block of the language."""
    return [(README.count("\n", 0, m.start()) + 1, m.group(2)) for m in FENCE.finditer(README) if m.group(1) == lang]


def command_lines() -> list[str]:
    """Every shell command of the bash blocks (lines split at `&&`, comments dropped)."""
    out = []
    for _line, text in blocks("bash"):
        for line in text.splitlines():
            out += [part.strip() for part in line.split("#", 1)[0].split("&&") if part.strip()]
    return out


def layout() -> str:
    (block,) = [text for _line, text in blocks("") if text.startswith("sim/ (core)")]
    return block


@pytest.mark.slow
@pytest.mark.parametrize("line,code", blocks("python"), ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_python_snippet_runs(line, code, tmp_path):
    assert code.strip()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"README.md line {line}:\n{done.stderr[-3000:]}"


def test_scenario_example_validates(tmp_path, capsys):
    (text,) = [t for _line, t in blocks("toml")]
    path = tmp_path / "example.toml"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["validate", str(path)]) == 0, capsys.readouterr().err
    assert f"{path}: valid" in capsys.readouterr().out


def test_every_relocsim_command_parses():
    commands = [c for c in command_lines() if c.startswith("relocsim ")]
    assert len(commands) > 15
    parser = cli.build_parser()
    for command in commands:
        try:
            args = parser.parse_args(shlex.split(command)[1:])
        except SystemExit as exc:  # argparse exits 2 on an unknown option or a bad value
            pytest.fail(f"README.md: `{command}` does not parse (exit {exc.code})")
        assert callable(args.func), command


def test_scripts_and_files_named_exist():
    scripts = {c.split()[1] for c in command_lines() if c.startswith("python ") and c.split()[1].endswith(".py")}
    scripts |= set(re.findall(r"`python ([\w/.-]+\.py)", README))
    named = {p for p in re.findall(r"`([\w./-]+\.(?:py|toml|csv|json|md))`", README) if p.startswith(TOPS)}
    assert {"tools/elasticities.py", "benchmarks/bench_step.py"} <= scripts
    assert "sim/inputs.py" in named
    missing = sorted(p for p in scripts | named if not (ROOT / p).exists())
    assert not missing, f"README.md names files that do not exist: {missing}"


def test_install_table_has_every_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    rows = re.findall(r"^\| `\[(\w+)\]` \|", README, re.M)
    assert sorted(rows) == sorted(extras)


def test_layout_names_every_module():
    text = layout()
    modules = [p.stem for p in (ROOT / "sim").glob("*.py") if p.stem != "__init__"]
    modules += [p.name for p in (ROOT / "sim").iterdir() if (p / "__init__.py").exists() and p.name != "scenarios"]
    for package in ("sweep", "dashboard", "cli"):
        modules += [p.stem for p in (ROOT / "sim" / package).glob("*.py") if p.stem not in ("__init__", "__main__")]
    modules += [p.stem for p in (ROOT / "calibration").glob("*.py") if p.stem != "__init__"]
    missing = sorted({m for m in modules if not re.search(rf"\b{re.escape(m)}\b", text)})
    assert not missing, f"README.md's Layout does not name {missing}"
