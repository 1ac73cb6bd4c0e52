"""The documentation keeps up with the code: parameter table generated from the schema, ODD names the phases."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sim.model import PHASES
from sim.schema import BEHAVIOUR, SCHEMA, Section
from sim.states import Housing, Job, State

ROOT = Path(__file__).resolve().parent.parent
PARAMETERS = ROOT / "docs" / "parameters.md"
ODD = ROOT / "docs" / "ODD.md"
SCRIPT = ROOT / "tools" / "param_table.py"
REGENERATE = "regenerate it with: python tools/param_table.py > docs/parameters.md"


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _script_output() -> str:
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def _leaf_keys(section: Section, prefix: str = ""):
    for name, spec in section.fields.items():
        if spec is BEHAVIOUR:
            continue
        if isinstance(spec, Section):
            yield from _leaf_keys(spec, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


def test_every_behavioural_parameter_in_parameters_md():
    text = _read(PARAMETERS)
    missing = [name for name in BEHAVIOUR.fields if f"`{name}`" not in text]
    assert not missing, f"docs/parameters.md lacks {missing}; {REGENERATE}"


def test_every_scenario_key_in_parameters_md():
    text = _read(PARAMETERS)
    missing = [key for key in _leaf_keys(SCHEMA) if f"`{key}`" not in text]
    assert not missing, f"docs/parameters.md lacks {missing}; {REGENERATE}"


def test_parameters_md_is_current_output_of_param_table():
    expected = _script_output()
    assert _read(PARAMETERS) == expected, f"docs/parameters.md is stale; {REGENERATE}"


def test_every_phase_named_in_odd():
    text = _read(ODD)
    missing = [p.__name__ for p in PHASES if f"`{p.__name__}`" not in text]
    assert not missing, f"docs/ODD.md does not name the phases {missing}"


def test_odd_process_overview_lists_phases_in_model_order():
    """Section 3's numbered list of phases is exactly sim.model.PHASES, in order."""
    text = _read(ODD)
    section = re.search(r"^## 3\b.*?(?=^## 4\b)", text, flags=re.M | re.S)
    assert section, "docs/ODD.md has no section '## 3 ...' followed by '## 4 ...'"
    listed = re.findall(r"^\d+\. `(\w+)`", section.group(0), flags=re.M)
    assert listed == [p.__name__ for p in PHASES]


def test_odd_names_every_state():
    text = _read(ODD)
    names = [s.name for s in State] + [f"Housing.{h.name}" for h in Housing] + [f"Job.{j.name}" for j in Job]
    missing = [n for n in names if n not in text]
    assert not missing, f"docs/ODD.md does not name {missing}"
