"""A command whose optional packages are missing names the extra to install and exits 2, before it
reads or writes anything; pyproject's extras and sim.extras agree."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sim import cli, extras

ROOT = Path(__file__).resolve().parent.parent
SWEEP_SPEC = str(ROOT / "scenarios" / "sweeps" / "example.toml")
SENSITIVITY_SPEC = str(ROOT / "scenarios" / "sweeps" / "sensitivity_example.toml")


@pytest.mark.parametrize("argv,missing,extra", [
    (["sweep", SWEEP_SPEC, "--out", "{out}"], "pyarrow", "sweep"),
    (["sweep", SWEEP_SPEC, "--backend", "dask", "--out", "{out}"], "distributed", "sweep"),
    (["sensitivity", SENSITIVITY_SPEC, "--out", "{out}"], "SALib", "sensitivity"),
    (["sensitivity", SENSITIVITY_SPEC, "--out", "{out}"], "pyarrow", "sensitivity"),
    (["calibrate", "--budget", "quick", "--work-dir", "{out}"], "optuna", "calibrate"),
])
def test_missing_extra_is_named_and_exits_2(argv, missing, extra, tmp_path, monkeypatch, capsys):
    real = extras.installed
    monkeypatch.setattr(extras, "installed", lambda module: module != missing and real(module))
    out = tmp_path / "out"
    assert cli.main([a.format(out=out) for a in argv]) == 2
    err = capsys.readouterr().err
    assert f'relocsim[{extra}]' in err and "Traceback" not in err, err
    assert not out.exists()


def test_extras_match_pyproject():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for extra, packages in extras.EXTRAS.items():
        text = " ".join(declared[extra])
        for _module, dist in packages:
            assert dist.split("[")[0] in text or any(f"relocsim[{e}" in text for e in ("sweep",)), (extra, dist)
    core = " ".join(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])
    assert not any(heavy in core for heavy in ("optuna", "dask", "pyarrow", "SALib"))
    for extra in ("sweep", "calibrate", "sensitivity"):
        assert extra in " ".join(declared["test"]) and extra in " ".join(declared["all"])


BLOCK = """
import sys
class NoExtras:  # as if only the core install were there
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("optuna", "dask", "distributed", "pyarrow", "SALib"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoExtras())
from sim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_core_install_runs_without_any_extra(tmp_path):
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", BLOCK, "run", "--scale", "0.01", "--set", "time.end_year=2015",
                          "--quiet", "--out", str(tmp_path / "out")], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    sweep = subprocess.run([sys.executable, "-c", BLOCK, "sweep", SWEEP_SPEC, "--out", str(tmp_path / "sw")],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert sweep.returncode == 2 and 'relocsim[sweep]' in sweep.stderr and "Traceback" not in sweep.stderr, sweep.stderr
