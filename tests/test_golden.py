"""Outputs stay byte-identical to the saved golden set unless a change of behaviour regenerates it.

The golden files (`tests/golden/`) are the outputs of the baseline and two library scenarios (fixed seeds,
2 replicates, scale 0.05: `summary.json` without run metadata, `monthly.csv`, `flows.csv`) and the
outcome rows of a small sweep (`sweep.csv`). When a change of behaviour is intended, `python tools/golden.py`
regenerates them and the commit says so; otherwise a refactor must leave them unchanged.
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
