"""Scenario validation: every error names the file, the key and the allowed values."""

from __future__ import annotations

from pathlib import Path

from sim import scenario

from conftest import problems

BASE = scenario.SCENARIO_DIR / "baseline.toml"


def write(tmp_path: Path, body: str, name: str = "s.toml") -> Path:
    p = tmp_path / name
    p.write_text(f'extends = "{BASE}"\nname = "t"\n' + body)
    return p


def test_baseline_and_every_shipped_scenario_validate():
    for name in scenario.shipped_scenarios():
        sc = scenario.load(name)
        assert sc.months == len(sc.years) * 12


def test_unknown_key_suggests(tmp_path):
    p = write(tmp_path, "[rent_subsidy]\nmonth = 24\n")
    (msg,) = problems(p)
    assert str(p) in msg and "rent_subsidy.month" in msg and "did you mean 'months'" in msg and "allowed:" in msg


def test_unknown_top_level_key(tmp_path):
    p = write(tmp_path, "[quota]\n")
    (msg,) = problems(p)
    assert "'quota'" in msg and "did you mean 'quotas'" in msg


def test_wrong_type(tmp_path):
    p = write(tmp_path, '[rent_subsidy]\nmonths = "twelve"\n')
    (msg,) = problems(p)
    assert "rent_subsidy.months" in msg and "expected a number" in msg and "0 to 60" in msg


def test_whole_number_required(tmp_path):
    p = write(tmp_path, "[rent_subsidy]\nmonths = 12.5\n")
    assert "whole number" in problems(p)[0]


def test_out_of_range(tmp_path):
    p = write(tmp_path, "[behaviour]\nrepayment_compliance = 1.5\n")
    (msg,) = problems(p)
    assert "behaviour.repayment_compliance" in msg and "out of range" in msg and "0 to 1" in msg


def test_unknown_region(tmp_path):
    p = write(tmp_path, "[quotas]\npavlodr = { 2014 = 5 }\n")
    msg = problems(p)[0]
    assert "quotas.pavlodr" in msg and "unknown region" in msg and "did you mean 'pavlodar'" in msg and "north_kazakhstan" in msg


def test_unknown_region_in_region_map(tmp_path):
    p = write(tmp_path, "[housing.provided_share]\nturkestan = 0.5\n")
    msg = problems(p)[0]
    assert "housing.provided_share.turkestan" in msg and "unknown region" in msg


def test_inconsistent_schedule_region_not_yet_a_destination(tmp_path):
    p = write(tmp_path, "[quotas]\nabay = { 2014 = 100 }\n")
    msgs = problems(p)
    assert any("quotas.abay.2014" in m and "only from 2022" in m for m in msgs)


def test_inconsistent_schedule_end_before_start(tmp_path):
    p = write(tmp_path, "[time]\nstart_year = 2020\nend_year = 2018\n")
    assert any("time.end_year" in m and "inconsistent schedule" in m for m in problems(p))


def test_inconsistent_schedule_not_a_year(tmp_path):
    p = write(tmp_path, "[relocation_subsidy]\nmci_per_member = { 2014 = 35, from2020 = 70 }\n")
    assert any("relocation_subsidy.mci_per_member.from2020" in m and "expected a year" in m for m in problems(p))


def test_schedule_years_after_the_end_are_ignored():
    sc = scenario.load("baseline", ["time.end_year=2017"])
    assert sc.years[-1] == 2017 and len(sc.by_year(sc.data["quotas"]["pavlodar"])) == 4


def test_inconsistent_schedule_no_starting_value(tmp_path):
    p = write(tmp_path, "[mci_tenge]\n2016 = 2121\n")
    assert any("mci_tenge" in m and "no value at or before 2014" in m for m in problems(p))


def test_probabilities_must_sum_to_one(tmp_path):
    p = write(tmp_path, "[delays.moving]\nless_than_month = 0.5\n1_3_months = 0.2\n")
    assert any("delays.moving" in m and "sum to 0.7" in m for m in problems(p))


def test_bad_choice(tmp_path):
    p = write(tmp_path, '[repayment]\nrule = "sometimes"\n')
    (msg,) = problems(p)
    assert "repayment.rule" in msg and "none, relocation, all" in msg


def test_missing_required_key(tmp_path):
    p = tmp_path / "bare.toml"
    p.write_text('name = "bare"\n[time]\nstart_year = 2014\nend_year = 2015\n')
    msgs = problems(p)
    assert any("'quotas'" in m and "missing" in m for m in msgs)
    assert any("'rent_subsidy'" in m and "missing" in m for m in msgs)


def test_bad_toml(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("name = \n")
    assert "not valid TOML" in problems(p)[0]


def test_unknown_scenario_name():
    msg = problems("baselin")[0]
    assert "did you mean 'baseline'" in msg


def test_extends_resolves_and_overrides_only_what_changes(tmp_path):
    p = write(tmp_path, "[rent_subsidy]\nmonths = 24\n")
    sc = scenario.load(p)
    base = scenario.load("baseline")
    assert sc.data["rent_subsidy"]["months"] == 24
    assert sc.data["rent_subsidy"]["urban_mci_small"] == base.data["rent_subsidy"]["urban_mci_small"]
    assert sc.data["quotas"] == base.data["quotas"]


def test_extends_cycle(tmp_path):
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(f'extends = "{b}"\nname = "a"\n')
    b.write_text(f'extends = "{a}"\nname = "b"\n')
    assert "cycle" in problems(a)[0]


def test_set_override_validated():
    msgs = problems("baseline", ["rent_subsidy.months=-3"])
    assert "rent_subsidy.months" in msgs[0] and "with --set" in msgs[0]
    sc = scenario.load("baseline", ["rent_subsidy.months=24", "behaviour.decide_base=-9"])
    assert sc.data["rent_subsidy"]["months"] == 24 and sc.behaviour["decide_base"] == -9


def test_behaviour_defaults_filled():
    sc = scenario.load("baseline")
    from sim.schema import BEHAVIOUR

    assert set(BEHAVIOUR.fields) <= set(sc.behaviour)


def test_vacancy_levers_by_region_and_sector():
    sc = scenario.load("baseline", ["vacancies.region_index.pavlodar=2", "vacancies.sector_index.health=0.5"])
    from sim.programme import Programme
    from sim.regions import DESTINATIONS, SECTORS

    mult = Programme(sc).vacancy_multiplier
    assert mult[DESTINATIONS.index("pavlodar"), SECTORS.index("health")] == 1.0
    assert mult[DESTINATIONS.index("kostanay"), SECTORS.index("education")] == 1.0
    assert mult[DESTINATIONS.index("pavlodar"), SECTORS.index("education")] == 2.0


def test_unknown_sector():
    msgs = problems("baseline", ["vacancies.sector_index.mining=2"])
    assert "unknown sector" in msgs[0] and "agriculture" in msgs[0]


def test_starts_switches_levers_in_the_policy_year(tmp_path):
    from sim.model import RelocationModel

    p = write(tmp_path, "starts = 2020\n[rent_subsidy]\nmonths = 24\n[relocation_subsidy]\nmci_per_member = { 2014 = 100 }\n")
    sc = scenario.load(p)
    assert sc.starts == 2020 and sc.before.data["rent_subsidy"]["months"] == 12
    base = RelocationModel(scenario.load("baseline"), seed=3, scale=0.02).run()
    alt = RelocationModel(sc, seed=3, scale=0.02).run()
    upto = (2020 - 2014) * 12
    from sim.outcomes import monthly_table

    a, b = monthly_table(base), monthly_table(alt)
    assert a.iloc[:upto].equals(b.iloc[:upto])            # identical until the policy year
    assert not a.iloc[upto:].equals(b.iloc[upto:])
    assert alt.prog.rent_months == 24


def test_starts_needs_extends_and_a_year(tmp_path):
    p = write(tmp_path, 'starts = "2020"\n')
    assert "'starts'" in problems(p)[0] and "expected a number" in problems(p)[0]
    later = scenario.load(write(tmp_path, "starts = 2030\n[rent_subsidy]\nmonths = 24\n", "later.toml"))
    assert later.starts == 2030  # after the run's end: the run follows the parent throughout
    bare = tmp_path / "bare.toml"
    bare.write_text("starts = 2020\n" + (scenario.SCENARIO_DIR / "baseline.toml").read_text())
    assert "needs 'extends'" in problems(bare)[0]
