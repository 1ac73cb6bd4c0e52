"""The declaration of household state (sim/states.py) matches what the model holds and what each phase writes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim.model
from sim import scenario
from sim.model import PHASES, RelocationModel
from sim.params import Behaviour
from sim.protocol import ModelView
from sim.schema import BEHAVIOUR
from sim.states import HOUSEHOLD_STATE, REGION_STATE, SETUP, SETUP_CONSTANTS, STATE

# skills assessment, purchase help, certificates, grants and side businesses are off or rare in the
# baseline: switch them on so that every writer acts
OVERRIDES = ["population.scale=0.01", "services.skills_assessment_coverage={2014=0.5}", "housing.purchase_help_share=0.3",
             "housing.certificate_coverage={2014=0.3}", "housing.provided_poor_share.north_kazakhstan=1.0",
             "housing.provided_poor_share.pavlodar=1.0", "business_support.grant_coverage={2014=0.5}",
             "behaviour.business_side_rate=1.0", "behaviour.return_h_poor_housing=0.2", "behaviour.return_h_other=0.02",
             # blind applicants queue and give up waiting, so that selection's give-up path writes too
             "quota_rule.applicants_informed=no", "behaviour.waitlist_max_months=1", "quota_rule.slack=0"]


def _arrays(m) -> dict[str, np.ndarray]:
    return {k: v for k, v in vars(m).items() if isinstance(v, np.ndarray) and not k.startswith("_")}


@pytest.fixture(scope="module")
def guarded_run(monkeypatch_module):
    """A run in which every phase is wrapped by a guard that records the arrays it changed."""
    writers: dict[str, set[str]] = {name: set() for name in STATE}

    def guard(phase):
        def guarded(m):
            before = {k: v.copy() for k, v in _arrays(m).items() if k in STATE}
            phase(m)
            for k, v in before.items():
                if not np.array_equal(v, getattr(m, k)):
                    writers[k].add(phase.__name__)
        guarded.__name__ = phase.__name__
        return guarded

    monkeypatch_module.setattr(sim.model, "PHASES", tuple(guard(p) for p in PHASES))
    m = RelocationModel(scenario.load("baseline", OVERRIDES), seed=2)
    for var in HOUSEHOLD_STATE + REGION_STATE:  # set-up writes what differs from the declared default
        if not np.array_equal(getattr(m, var.name), var.allocate(m.n)):
            writers[var.name].add(SETUP)
    m.run()
    return m, writers


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_every_array_of_the_model_is_declared(guarded_run):
    m, _ = guarded_run
    undeclared = sorted(set(_arrays(m)) - set(STATE) - set(SETUP_CONSTANTS))
    assert not undeclared, f"arrays of RelocationModel not declared in sim/states.py: {undeclared}"
    missing = sorted(set(STATE) - set(_arrays(m)))
    assert not missing, f"declared in sim/states.py but not held by the model: {missing}"


def test_arrays_have_declared_dtype_and_shape(guarded_run):
    m, _ = guarded_run
    for var in HOUSEHOLD_STATE + REGION_STATE:
        a = getattr(m, var.name)
        assert a.dtype == np.dtype(var.dtype), var.name
        assert a.shape == var.allocate(m.n).shape, var.name


def test_declared_writers_are_the_phases_that_write(guarded_run):
    _, writers = guarded_run
    wrong = {name: (sorted(STATE[name].writers), sorted(seen)) for name, seen in writers.items()
             if set(STATE[name].writers) != seen}
    assert not wrong, f"declared vs observed writers (sim/states.py): {wrong}"


def test_writers_name_phases():
    phases = {p.__name__ for p in PHASES} | {SETUP}
    for var in HOUSEHOLD_STATE + REGION_STATE:
        assert var.writers and set(var.writers) <= phases, var.name


def test_coded_arrays_hold_only_their_codes(guarded_run):
    m, _ = guarded_run
    for var in HOUSEHOLD_STATE:
        if var.codes is not None:
            seen = set(np.unique(getattr(m, var.name)).tolist())
            assert seen <= {int(c) for c in var.codes}, (var.name, seen)
            assert var.default in set(var.codes), var.name


def test_model_satisfies_the_phase_protocol():
    m = RelocationModel(scenario.load("baseline", ["time.end_year=2014"]), seed=0, scale=0.005)
    assert isinstance(m, ModelView)
    arrays = [k for k, t in ModelView.__annotations__.items() if t == "np.ndarray"]
    assert set(arrays) == set(STATE) | set(SETUP_CONSTANTS)


def test_behaviour_is_a_frozen_object_of_the_schema():
    b = Behaviour.from_dict(scenario.load("baseline").behaviour)
    assert [f.name for f in dataclasses.fields(b)] == list(BEHAVIOUR.fields)
    assert b.waitlist_max_months == BEHAVIOUR.fields["waitlist_max_months"].default
    assert isinstance(b.waitlist_max_months, int) and isinstance(b.decide_base, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.decide_base = 0.0
    with pytest.raises(KeyError, match="decide_bsae"):
        Behaviour.from_dict({"decide_bsae": 1.0})
    assert Behaviour.from_dict(b.to_dict()) == b


# --------------------------------------------------------------------------- docs/ODD.md

def _state_table_tool():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "state_table.py"
    spec = importlib.util.spec_from_file_location("state_table", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    return tool


def test_odd_state_table_is_generated_from_the_declaration():
    tool = _state_table_tool()
    text = tool.ODD.read_text(encoding="utf-8")
    assert tool.replace_in(text) == text, "docs/ODD.md's state table is stale: python tools/state_table.py --write"
    for var in HOUSEHOLD_STATE + REGION_STATE:
        assert f"| `{var.name}` |" in text


def test_odd_names_no_commit_and_cites_only_files_in_the_repository():
    import re

    tool = _state_table_tool()
    root, text = tool.ROOT, tool.ODD.read_text(encoding="utf-8")
    assert not re.search(r"\bcommit `?[0-9a-f]{7,40}\b", text), "docs/ODD.md names a commit"
    assert not re.search(r"(?<![\w.])/(work|home|tmp|Users)/", text), "docs/ODD.md cites a path outside the repository"
    cited = set(re.findall(r"`((?:sim|calibration|tools|tests|scenarios|benchmarks|docs)/[\w./-]+\.\w+)`", text))
    missing = sorted(p for p in cited if not (root / p).exists() and not p.startswith("calibration/work/"))
    assert not missing, f"docs/ODD.md cites files that are not in the repository: {missing}"


def test_phases_use_only_what_the_protocol_names():
    import re
    from pathlib import Path

    named = set(ModelView.__annotations__) | {k for k in vars(ModelView) if not k.startswith("__")}
    used = set()
    for path in (Path(__file__).resolve().parents[1] / "sim" / "behaviour").glob("*.py"):
        used |= set(re.findall(r"\bm\.([A-Za-z_]\w*)", path.read_text(encoding="utf-8")))
    assert used and not used - named, f"phases read model attributes that sim/protocol.py does not name: {sorted(used - named)}"
