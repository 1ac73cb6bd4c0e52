"""The declaration of household state (sim/states.py) matches what the model holds and what each phase writes."""

from __future__ import annotations

import collections
import dataclasses

import numpy as np
import pytest

import sim.model
from sim import scenario
from sim.model import PHASES, RelocationModel
from sim.outcomes import MonthlyRecord
from sim.params import Behaviour
from sim.protocol import ModelView
from sim.schema import BEHAVIOUR
from sim.states import HOUSEHOLD_ATTRIBUTES, HOUSEHOLD_STATE, MONTH_END, RECORD, REGION_STATE, SETUP, SETUP_CONSTANTS, STATE

# skills assessment, purchase help, certificates, grants and side businesses are off or rare in the
# baseline: switch them on so that every writer acts
OVERRIDES = ["population.scale=0.01", "services.skills_assessment_coverage={2014=0.5}", "information_campaign.media_extra={2014=0.5}", "housing.purchase_help_share=0.3",
             "housing.certificate_coverage={2014=0.3}", "housing.provided_poor_share.north_kazakhstan=1.0",
             "housing.provided_poor_share.pavlodar=1.0", "business_support.grant_coverage={2014=0.5}",
             "behaviour.business_side_rate=1.0", "behaviour.return_h_poor_housing=0.2", "behaviour.return_h_other=0.02",
             # blind applicants queue and give up waiting, so that selection's give-up path writes too
             "quota_rule.applicants_informed=no", "behaviour.waitlist_max_months=1", "quota_rule.slack=0"]
# informed applicants (the default) defer their choice when demand far exceeds the quotas: a second,
# short run, so that the counter of deferred choices is written too
INFORMED = ["population.scale=0.005", "time.end_year=2015", "behaviour.decide_base=-6", "quota_rule.slack=0"]


END_MONTH = MonthlyRecord.end_month  # unguarded, whichever guards a test has put around it


def _arrays(obj) -> dict[str, np.ndarray]:
    return {k: v for k, v in vars(obj).items() if isinstance(v, np.ndarray) and not k.startswith("_")}


# the declared writers of every guarded array, by its place: the model's own (`state`), its monthly
# record's (`record.paid`) and its households' fixed attributes (`hh.size`)
DECLARED = {**{name: var.writers for name, var in STATE.items()},
            **{f"record.{c.name}": c.writers for c in RECORD},
            **{f"hh.{a.name}": a.writers for a in HOUSEHOLD_ATTRIBUTES}}


def _watched(m) -> dict[str, np.ndarray]:
    """The arrays the guard watches, declared or not, named by their place in the model."""
    return {**{k: v for k, v in _arrays(m).items() if k in STATE},
            **{f"record.{k}": v for k, v in _arrays(m.record).items()},
            **{f"hh.{k}": v for k, v in _arrays(m.hh).items()}}


def _guard(step, name: str, writers: dict[str, set[str]], model=lambda m: m):
    """`step` wrapped so that every array it changes (or adds) is recorded as written by `name`."""
    def guarded(*args):
        m = model(*args)
        before = {k: v.copy() for k, v in _watched(m).items()}
        step(*args)
        after = _watched(m)
        for k, v in after.items():
            if k not in before or not np.array_equal(before[k], v):
                writers[k].add(name)
    guarded.__name__ = name
    return guarded


def guarded_writers(monkeypatch, phases, overrides: list[str], seed: int = 2):
    """Run the model with a guard around every phase and around the record's month end;
    return the model and, for each array, the phases (and set-up) seen writing it."""
    writers: dict[str, set[str]] = collections.defaultdict(set)
    monkeypatch.setattr(sim.model, "PHASES", tuple(_guard(p, p.__name__, writers) for p in phases))
    monkeypatch.setattr(MonthlyRecord, "end_month", _guard(END_MONTH, MONTH_END, writers, lambda r, m: m))
    m = RelocationModel(scenario.load("baseline", overrides), seed=seed)
    for var in HOUSEHOLD_STATE + REGION_STATE:  # set-up writes what differs from the declared default
        if not np.array_equal(getattr(m, var.name), var.allocate(m.n)):
            writers[var.name].add(SETUP)
    for name, a in _watched(m).items():  # every fixed attribute is drawn at set-up; counters start at zero
        if name.startswith("hh.") or (name.startswith("record.") and a.any()):
            writers[name].add(SETUP)
    m.run()
    return m, writers


def writer_mismatches(writers: dict[str, set[str]]) -> list[str]:
    """Each array written by a phase not declared as its writer, and each declared writer never seen writing."""
    out = []
    for name in sorted(DECLARED.keys() | writers.keys()):
        declared, seen = set(DECLARED.get(name, ())), writers.get(name, set())
        out += [f"{w} writes {name}, which sim/states.py does not declare for it" for w in sorted(seen - declared)]
        out += [f"{name} is declared as written by {w}, which never wrote it" for w in sorted(declared - seen)]
    return out


@pytest.fixture(scope="module")
def guarded_run(monkeypatch_module):
    """A run in which every phase is wrapped by a guard that records the arrays it changed (with the
    writers seen in the informed run added)."""
    m, writers = guarded_writers(monkeypatch_module, PHASES, OVERRIDES)
    for name, seen in guarded_writers(monkeypatch_module, PHASES, INFORMED)[1].items():
        writers[name] |= seen
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
    for held, declared in ((m.record, RECORD), (m.hh, HOUSEHOLD_ATTRIBUTES)):
        names = {v.name for v in declared}
        assert set(_arrays(held)) == names, (type(held).__name__, sorted(set(_arrays(held)) ^ names))


def test_arrays_have_declared_dtype_and_shape(guarded_run):
    m, _ = guarded_run
    for var in HOUSEHOLD_STATE + REGION_STATE:
        a = getattr(m, var.name)
        assert a.dtype == np.dtype(var.dtype), var.name
        assert a.shape == var.allocate(m.n).shape, var.name
    for attr in HOUSEHOLD_ATTRIBUTES:
        a = getattr(m.hh, attr.name)
        assert a.dtype == np.dtype(attr.dtype) and a.shape == (m.n,), attr.name
    assert (m.record.axes["month"], m.record.axes["year"]) == (m.n_months, len(m.years))
    for counter in RECORD:
        a = getattr(m.record, counter.name)
        assert a.dtype == np.dtype(counter.dtype) and a.shape == counter.allocate(m.record.axes).shape, counter.name


def test_declared_writers_are_the_phases_that_write(guarded_run):
    _, writers = guarded_run
    wrong = writer_mismatches(writers)
    assert not wrong, "declared vs observed writers:\n" + "\n".join(wrong)


def test_the_guard_catches_a_phase_writing_an_undeclared_array(monkeypatch):
    """A phase that adds to a counter it does not declare, writes an array nobody declares or changes a
    fixed attribute of the households fails the guard, which names the phase and the array."""
    first = PHASES[0]
    counter = next(c for c in RECORD if first.__name__ not in c.writers)

    def meddling(m):
        first(m)
        getattr(m.record, counter.name)[m.month] += 1
        m.record.undeclared_hh = np.ones(3)
        m.hh.age[0] += 1

    meddling.__name__ = first.__name__
    _, writers = guarded_writers(monkeypatch, (meddling, *PHASES[1:]), ["population.scale=0.005", "time.end_year=2014"])
    wrong = writer_mismatches(writers)
    assert f"{first.__name__} writes record.{counter.name}, which sim/states.py does not declare for it" in wrong
    assert f"{first.__name__} writes record.undeclared_hh, which sim/states.py does not declare for it" in wrong
    assert f"{first.__name__} writes hh.age, which sim/states.py does not declare for it" in wrong


def test_writers_name_phases():
    phases = {p.__name__ for p in PHASES} | {SETUP}
    for var in HOUSEHOLD_STATE + REGION_STATE + HOUSEHOLD_ATTRIBUTES:
        assert var.writers and set(var.writers) <= phases, var.name
    for counter in RECORD:
        assert counter.writers and set(counter.writers) <= phases | {MONTH_END}, counter.name


def test_coded_arrays_hold_only_their_codes(guarded_run):
    m, _ = guarded_run
    for var in HOUSEHOLD_STATE:
        if var.codes is not None:
            seen = set(np.unique(getattr(m, var.name)).tolist())
            assert seen <= {int(c) for c in var.codes}, (var.name, seen)
            assert var.default in set(var.codes), var.name
    for attr in HOUSEHOLD_ATTRIBUTES:
        if attr.codes is not None:
            seen = set(np.unique(getattr(m.hh, attr.name)).tolist())
            assert seen <= {int(c) for c in attr.codes}, (attr.name, seen)


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
    for var in HOUSEHOLD_STATE + REGION_STATE + HOUSEHOLD_ATTRIBUTES + RECORD:
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
