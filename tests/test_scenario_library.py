"""The scenario library in scenarios/: every file documents, validates, runs, and differs from the
baseline only where it says; extending files resolve correctly and bad overrides are refused."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from sim import cli, scenario
from sim.runner import run_scenario
from sim.schema import SCHEMA, RegionYears, YearSchedule

from conftest import problems

LIBRARY = {name: path for name, path in scenario.shipped_scenarios().items() if name != "baseline"}
# Files the library must hold (IOM recommendations, the 2020 counterfactual, the 2024 measures).
REQUIRED = {
    "needs_assessment_orientation", "information_package", "women_package", "housing_purchase_help",
    "housing_transfers_all_regions", "rent_subsidy_by_region_price", "skills_assessment", "adaptation_centres",
    "land_for_farming", "subsidy_35_counterfactual", "support_2024", "quotas_2024_plan", "rent_subsidy_24_months",
}
POLICY_YEAR = re.compile(r"^# policy_year = (\d{4}|none)\b(.*)$", re.M)
FAST_SCALE = 0.01


def _raw(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def _get(d: dict, dotted: str):
    node = d
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _overridden(raw: dict) -> set[str]:
    """Schema leaf keys a scenario file sets itself (quotas per region)."""
    out = set()
    for key, spec in SCHEMA.leaves():
        v = _get(raw, key)
        if v is None or key in ("name", "description", "extends"):
            continue
        if isinstance(spec, RegionYears):
            out.update(f"{key}.{r}" for r in v)
        else:
            out.add(key)
    return out


def _value(sc: scenario.Scenario, key: str):
    """A leaf's value in comparable form: schedules as their value in every simulated year."""
    spec = dict(SCHEMA.leaves()).get(key)
    v = sc.get(key)
    if isinstance(spec, YearSchedule) or key.startswith("quotas."):
        return tuple(sc.by_year(v))
    return v


def _all_keys(sc: scenario.Scenario) -> list[str]:
    keys = []
    for key, spec in SCHEMA.leaves():
        if key in ("name", "description", "extends"):
            continue
        if isinstance(spec, RegionYears):
            keys.extend(f"{key}.{r}" for r in sc.get(key))
        else:
            keys.append(key)
    return keys


@pytest.fixture(scope="module")
def baseline() -> scenario.Scenario:
    return scenario.load("baseline")


@pytest.fixture(scope="module")
def baseline_run():
    return run_scenario(scenario.load("baseline"), seed=5, scale=FAST_SCALE)


def test_library_holds_the_required_scenarios():
    assert REQUIRED <= set(LIBRARY), sorted(REQUIRED - set(LIBRARY))


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_file_extends_baseline_and_documents_itself(name):
    path = LIBRARY[name]
    text = path.read_text(encoding="utf-8")
    raw = _raw(path)
    assert raw.get("extends") == "baseline"
    assert raw.get("name") == name == path.stem
    desc = raw.get("description", "")
    assert desc and "\n" not in desc and len(desc) <= 160, desc
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    assert re.search(r"IOM|source 00[01]", comments), "comments must name the recommendation or source"
    assert "Lever change" in comments and "effect" in comments, "comments must state the lever change and assumed effect"
    assert POLICY_YEAR.search(text), "each file states its policy year: '# policy_year = 2022' or '# policy_year = none: why'"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_only_overridden_keys_differ_from_baseline(name, baseline):
    sc = scenario.load(name)
    changed = _overridden(_raw(LIBRARY[name]))
    assert changed, "a library file overrides at least one lever"
    for key in _all_keys(baseline):
        if key in changed:
            assert _value(sc, key) != _value(baseline, key), f"{name}: {key} is overridden with the baseline's value"
        else:
            assert _value(sc, key) == _value(baseline, key), f"{name}: {key} differs from the baseline but is not overridden"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_policy_changes_start_in_the_stated_year(name, baseline):
    """With a policy year, only schedules change, and only from that year; without one, the file says why."""
    text = LIBRARY[name].read_text(encoding="utf-8")
    year = POLICY_YEAR.search(text).group(1)
    changed = _overridden(_raw(LIBRARY[name]))
    sc = scenario.load(name)
    years = baseline.years
    if year == "none":
        prose = re.sub(r"\s*\n#\s*", " ", text)  # comment lines joined
        assert "not a year schedule" in prose, "say why the change cannot start in a policy year"
        assert all(not isinstance(dict(SCHEMA.leaves()).get(k), YearSchedule) for k in changed), \
            "a year schedule can start in a policy year: state it"
        return
    year = int(year)
    assert years[0] < year <= years[-1]
    if "starts" in _raw(LIBRARY[name]):
        # the whole scenario switches in the policy year; before it, the baseline's levers apply
        assert sc.starts == year
        assert sc.before.data == {**baseline.data, "name": sc.before.data["name"], "description": sc.before.data["description"]}
        return
    specs = dict(SCHEMA.leaves())
    for key in changed:
        if key == "quota_rule.plan_from":  # quotas from this year on are plans: it must be the policy year
            assert sc.data["quota_rule"]["plan_from"] == year, f"{name}: quota_rule.plan_from is not {year}"
            continue
        assert isinstance(specs.get(key), YearSchedule) or key.startswith("quotas."), f"{key} is not a year schedule"
        a, b = np.array(_value(sc, key)), np.array(_value(baseline, key))
        before = years < year
        assert np.array_equal(a[before], b[before]), f"{name}: {key} differs before {year}"
        assert not np.array_equal(a[~before], b[~before]), f"{name}: {key} does not change from {year}"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_validates_and_runs(name, baseline_run, capsys):
    assert cli.main(["validate", name]) == 0
    assert "valid" in capsys.readouterr().out
    # the whole period at a small scale, so that policy years (2020-2022) are inside the run
    res = run_scenario(scenario.load(name), seed=5, scale=FAST_SCALE)
    s = res.summaries[0]
    assert s["applications_households"] > 0 and s["relocated_persons"] > 0
    assert 0.0 <= s["return_share"] <= 1.0
    assert all(np.isfinite(v) and v >= 0 for v in s["subsidies_paid_tenge"].values())
    # common random numbers: before the policy year the run is the baseline's, month for month
    year = POLICY_YEAR.search(LIBRARY[name].read_text(encoding="utf-8")).group(1)
    if year != "none":
        a, b = res.monthly[0], baseline_run.monthly[0]
        assert a[a["year"] < int(year)].equals(b[b["year"] < int(year)])


def test_short_run_with_end_year_override():
    """The brief runs of the issue: time.end_year before the policy year is allowed (the later steps are ignored)."""
    for name in sorted(LIBRARY):
        sc = scenario.load(name, ["time.end_year=2016", f"population.scale={FAST_SCALE}"])
        res = run_scenario(sc, seed=2)
        assert len(res.monthly[0]) == 3 * 12


# --------------------------------------------------------------------------- extends

def _write(tmp_path: Path, body: str, name: str = "child.toml") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_extends_by_name_changes_only_the_overridden_keys(tmp_path, baseline):
    p = _write(tmp_path, 'name = "child"\ndescription = "d"\nextends = "baseline"\n\n[rent_subsidy]\nmonths = 18\n'
                         '[services]\nwomen_package_coverage = { 2014 = 0.0, 2021 = 0.5 }\n')
    sc = scenario.load(p)
    assert sc.name == "child" and sc.source == str(p)
    assert sc.get("rent_subsidy.months") == 18
    assert list(sc.by_year(sc.get("services.women_package_coverage"))) == [0.0] * 7 + [0.5] * 4
    differ = [k for k in _all_keys(baseline) if _value(sc, k) != _value(baseline, k)]
    assert differ == ["rent_subsidy.months", "services.women_package_coverage"]


def test_extends_a_library_scenario_chains_to_the_baseline(tmp_path, baseline):
    p = _write(tmp_path, 'name = "chain"\nextends = "rent_subsidy_24_months"\n[housing]\npurchase_help_share = 0.1\n')
    sc = scenario.load(p)
    assert sc.get("rent_subsidy.months") == 24 and sc.get("housing.purchase_help_share") == 0.1
    differ = [k for k in _all_keys(baseline) if _value(sc, k) != _value(baseline, k)]
    assert differ == ["rent_subsidy.months", "housing.purchase_help_share"]


def test_extends_by_relative_path(tmp_path):
    _write(tmp_path, f'name = "parent"\nextends = "{scenario.SCENARIO_DIR / "baseline.toml"}"\n'
                     "[vacancies]\nland_for_farming = 2.0\n", "parent.toml")
    p = _write(tmp_path, 'name = "kid"\nextends = "parent.toml"\n[rent_subsidy]\nmonths = 6\n')
    sc = scenario.load(p)
    assert sc.get("vacancies.land_for_farming") == 2.0 and sc.get("rent_subsidy.months") == 6


def test_bad_key_in_extending_file_names_file_key_allowed_and_suggestion(tmp_path):
    p = _write(tmp_path, 'name = "bad"\nextends = "baseline"\n[services]\norientation_coverag = { 2022 = 1.0 }\n')
    (msg,) = problems(p)
    assert str(p) in msg
    assert "services.orientation_coverag" in msg
    assert "did you mean 'orientation_coverage'" in msg
    assert "allowed:" in msg and "needs_assessment_coverage" in msg


def test_bad_value_in_extending_file_names_allowed_values(tmp_path):
    p = _write(tmp_path, 'name = "bad"\nextends = "support_2024"\n[rent_subsidy]\nby_region_price = "maybe"\n'
                         "[services]\nskills_assessment_coverage = { 2014 = 0.0, 2022 = 1.5 }\n")
    msgs = problems(p)
    assert all(str(p) in m for m in msgs)
    assert any("rent_subsidy.by_region_price" in m and "allowed: no, yes" in m for m in msgs)
    assert any("services.skills_assessment_coverage.2022" in m and "out of range" in m and "0 to 1" in m for m in msgs)


def test_bad_region_in_extending_file(tmp_path):
    p = _write(tmp_path, 'name = "bad"\nextends = "baseline"\n[housing.provided_share]\npavlodr = 0.3\n')
    (msg,) = problems(p)
    assert "housing.provided_share.pavlodr" in msg and "did you mean 'pavlodar'" in msg


def test_unknown_parent_is_refused_with_a_suggestion(tmp_path):
    p = _write(tmp_path, 'name = "bad"\nextends = "basline"\n')
    (msg,) = problems(p)
    assert str(p) in msg and "extends" in msg and "did you mean 'baseline'" in msg


def test_cli_validate_refuses_bad_extending_file(tmp_path, capsys):
    p = _write(tmp_path, 'name = "bad"\nextends = "baseline"\n[rent_subsidy]\nmonth = 24\n')
    assert cli.main(["validate", str(p)]) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "rent_subsidy.month" in err and "did you mean 'months'" in err and "allowed:" in err
