"""Outputs stay byte-identical to the saved golden set unless a change of behaviour regenerates it.

The golden files were written by `tools/golden.py` before the renovation of issue 13; a commit that
changes the model on purpose reruns that script and says so.
"""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
_spec = importlib.util.spec_from_file_location("golden_tool", ROOT / "tools" / "golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("name", sorted(golden.SCENARIOS))
def test_scenario_outputs_unchanged(name):
    produced = golden.scenario_outputs(name, golden.SCENARIOS[name])
    for fname, text in produced.items():
        saved = (GOLDEN / name / fname).read_text()
        assert text == saved, f"{name}/{fname} differs from the golden output (tools/golden.py regenerates it)"


def test_sweep_rows_unchanged():
    pytest.importorskip("pyarrow")
    assert golden.sweep_rows() == (GOLDEN / "sweep.csv").read_text()
