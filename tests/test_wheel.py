"""A wheel installed anywhere runs the baseline from any folder (issue 12): its scenarios, region data,
calibrated ensemble and calibration targets ship inside the package.

The wheel is built offline from a copy of the sources (no build isolation: setuptools comes with the
[test] extra), installed with `pip install --no-deps --target` (its dependencies are this environment's)
and run from a folder outside the source tree. About 10 s.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("sim", "calibration", "scenarios", "pyproject.toml", "setup.py", "README.md", "LICENSE")


def pip(*args: str, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "pip", *args, "--quiet", "--no-deps", "--no-index",
                           "--disable-pip-version-check"], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    pytest.importorskip("setuptools", minversion="68", reason="building the wheel offline needs setuptools>=68 (the [test] extra)")
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        from_ = ROOT / name
        if from_.is_dir():
            shutil.copytree(from_, src / name, ignore=shutil.ignore_patterns("__pycache__", "work", "*.partial"))
        else:
            shutil.copy2(from_, src / name)
    pip("wheel", "--no-build-isolation", "-w", str(work / "dist"), ".", cwd=src)
    wheels = list((work / "dist").glob("relocsim-*.whl"))
    assert len(wheels) == 1
    pip("install", "--target", str(work / "site"), str(wheels[0]), cwd=work)
    return work / "site"


def relocsim(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}  # the wheel's copy comes before the editable install
    return subprocess.run([sys.executable, "-c", "import sys; from sim.cli import main; sys.exit(main())", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_wheel_holds_the_data_files(installed):
    names = {str(p.relative_to(installed)) for p in installed.rglob("*") if p.is_file()}
    shipped = {f"sim/scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.toml")}
    shipped |= {f"sim/scenarios/sweeps/{p.name}" for p in (ROOT / "scenarios" / "sweeps").glob("*.toml")}
    shipped |= {"sim/data/regions.toml", "calibration/posterior.csv", "calibration/posterior.json",
                "calibration/targets.csv", "calibration/official.csv"}
    shipped |= {f"sim/locale/{lang}/LC_MESSAGES/relocsim.{ext}" for lang in ("kk", "ru") for ext in ("po", "mo")}
    assert shipped <= names, shipped - names
    assert any(n.endswith("LICENSE") for n in names)


def test_installed_wheel_runs_the_baseline_from_another_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = relocsim(installed, elsewhere, "scenarios")
    assert listed.returncode == 0, listed.stderr
    names = {line.split()[0] for line in listed.stdout.splitlines() if line.strip()}
    assert {p.stem for p in (ROOT / "scenarios").glob("*.toml")} == names
    run = relocsim(installed, elsewhere, "run", "--scale", "0.01", "--set", "time.end_year=2015", "--quiet",
                   "--out", str(elsewhere / "out"))
    assert run.returncode == 0, run.stderr
    (folder,) = (elsewhere / "out").iterdir()
    s = json.loads((folder / "summary.json").read_text())
    assert s["run"]["scenario"] == "baseline" and s["relocated_persons"] > 0
    assert s["run"]["scenario_file"].startswith(str(installed))  # the wheel's own file, not the source tree's
    assert s["run"]["versions"]["relocsim"]
    assert all(p is not None for p in s["run"]["parameter_sets"])  # drawn from the wheel's calibrated ensemble
