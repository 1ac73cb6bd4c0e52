"""Property-based tests over the schema's bounds (issue 12): random valid scenarios keep the model's
invariants; random invalid values, year keys, files and --set texts are refused with ScenarioError and
nothing else.

Examples are few and derandomized (the same every run), runs small (scale 0.01-0.02, one or two years), so
the file stays within seconds on 2 cores.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis", reason="property-based tests need hypothesis: pip install -e '.[test]'")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sim import inputs, scenario  # noqa: E402
from sim.model import RelocationModel  # noqa: E402
from sim.outcomes import summary  # noqa: E402
from sim.schema import BEHAVIOUR, PAYMENT_BINS, SCHEMA, Num  # noqa: E402

FEW = settings(max_examples=12, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow])
MANY = settings(max_examples=60, deadline=None, derandomize=True, database=None)
NUM_LEAVES = [(k, s) for k, s in SCHEMA.leaves() if isinstance(s, Num)]


def in_bounds(spec: Num):
    if spec.integer:
        return st.integers(int(math.ceil(spec.lo)), int(math.floor(spec.hi)))
    return st.floats(spec.lo, spec.hi, allow_nan=False)


@st.composite
def valid_overrides(draw) -> dict:
    start = draw(st.integers(2014, 2022))
    out = {"time.start_year": start, "time.end_year": start + draw(st.integers(0, 1)),
           "population.scale": draw(st.floats(0.01, 0.02)),
           "rent_subsidy.months": draw(st.integers(0, 60)),
           "relocation_subsidy.mci_per_member": {"2014": draw(st.floats(0, 1000))},
           "employer_subsidy.take_up": draw(st.floats(0, 1)),
           "housing.purchase_help_share": draw(st.floats(0, 1)),
           "services.courses_coverage": {"2014": draw(st.floats(0, 1))},
           "repayment.rule": draw(st.sampled_from(["none", "relocation", "all"])),
           "vacancies.monthly_turnover": draw(st.floats(0, 10)),
           f"quotas.{draw(st.sampled_from(['pavlodar', 'north_kazakhstan', 'kostanay', 'east_kazakhstan']))}.2014":
               draw(st.integers(0, 20_000))}
    weights = draw(st.lists(st.floats(0.01, 1), min_size=len(PAYMENT_BINS), max_size=len(PAYMENT_BINS)))
    probs = np.round(np.array(weights) / sum(weights), 6)
    probs[-1] = round(1 - probs[:-1].sum(), 6)
    out["delays.payment"] = dict(zip(PAYMENT_BINS, map(float, probs)))
    for name in draw(st.lists(st.sampled_from(sorted(BEHAVIOUR.fields)), min_size=2, max_size=5, unique=True)):
        out[f"behaviour.{name}"] = draw(in_bounds(BEHAVIOUR.fields[name]))
    return out


@FEW
@given(valid_overrides(), st.integers(0, 2**63 - 1))
def test_random_valid_scenarios_keep_the_invariants(overrides, seed):
    sc = scenario.load("baseline", overrides)
    m = RelocationModel(sc, seed=seed, check_invariants=True)  # asserts every invariant after every month
    m.run()
    s = summary(m)
    assert 0 <= s["returned_persons"] <= s["relocated_persons"]
    assert 0 <= s["relocated_households"] <= s["approved_households"] <= s["applications_households"]
    assert all(math.isfinite(v) for v in s["subsidies_paid_tenge"].values())


def outside(spec: Num):
    below = st.floats(max_value=spec.lo, exclude_max=True, allow_nan=False)
    above = st.floats(min_value=spec.hi, exclude_min=True, allow_nan=False)
    wrong_type = st.one_of(st.text(max_size=5), st.booleans(), st.lists(st.integers(), max_size=2))
    huge = st.one_of(st.integers(min_value=2**63), st.integers(max_value=-(2**63) - 1))
    options = [below, above, wrong_type, st.just(math.nan), huge]
    if spec.integer and spec.hi - spec.lo >= 1:
        options.append(st.floats(spec.lo, spec.hi).filter(lambda v: not float(v).is_integer()))
    return st.one_of(*options)


@MANY
@given(st.data())
def test_random_invalid_values_are_refused(data):
    key, spec = data.draw(st.sampled_from(NUM_LEAVES))
    value = data.draw(outside(spec))
    with pytest.raises(inputs.ScenarioError) as exc:
        scenario.load("baseline", {key: value})
    assert any(key in p for p in exc.value.problems), exc.value.problems


@MANY
@given(st.data())
def test_random_invalid_values_are_refused_as_set_text(data):
    key, spec = data.draw(st.sampled_from(NUM_LEAVES))
    value = data.draw(outside(spec).filter(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)))
    with pytest.raises(inputs.ScenarioError):
        scenario.load("baseline", [f"{key}={value!r}"])


BASE_RAW = scenario.load_raw(scenario.SCENARIO_DIR / "baseline.toml")


@MANY
@given(st.text(alphabet=st.characters(whitelist_categories=("Nd", "No", "Zs")), min_size=0, max_size=6))
def test_only_plain_ascii_years_are_schedule_steps(key):
    raw = {**BASE_RAW, "mci_tenge": {**BASE_RAW["mci_tenge"], key: 3000}}
    plain = key.isascii() and key.isdigit() and not key.startswith("0") and 1990 <= int(key) <= 2100
    if plain:
        scenario.validate(raw, "test")
    else:
        with pytest.raises(inputs.ScenarioError, match="mci_tenge"):
            scenario.validate(raw, "test")


@MANY
@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_cleanly(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "x.toml"
    path.write_bytes(data)
    try:
        assert isinstance(inputs.read_toml(path), dict)
    except inputs.ScenarioError as exc:
        assert str(path) in str(exc)


@MANY
@given(st.text(max_size=80))
def test_any_set_text_is_parsed_or_refused_cleanly(text):
    try:
        parts, _ = inputs.parse_override(text)
    except inputs.ScenarioError as exc:
        assert exc.problems and "allowed" in exc.problems[0]
    else:
        assert parts[0] != "extends" and all(p.isascii() for p in parts)
