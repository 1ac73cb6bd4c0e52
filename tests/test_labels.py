"""Labels and units: shares are written in percent and differ in percentage points, money in million
tenge, and every outcome key of a real summary gets a human label."""

import json
from pathlib import Path

from sim.labels import axis_label, format_difference, format_value, label

GOLDEN = Path(__file__).parent / "golden" / "baseline" / "summary.json"


def _keys(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _keys(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}"


def test_units_by_kind():
    assert format_value("return_share", 0.127) == "12.7%"
    assert format_difference("return_share", -0.021) == "-2.1 pp"
    assert format_value("subsidies_paid_tenge.rent", 5_123_513_160) == "5,124 million tenge"
    assert format_difference("relocated_persons", 1234) == "+1,234 persons"
    assert format_value("relocated_persons", None) == "n/a"
    assert axis_label("subsidies_paid_tenge.total").endswith("(million tenge)")


def test_regions_and_groups_are_named():
    assert label("return_share_by_destination.kostanay").text == "Return share, Kostanay region"
    assert label("arrivals_persons_north_kazakhstan").kind == "persons"
    assert "Women" in label("breakdowns.gender.women.employed_share_12m").text


def test_every_summary_key_has_a_readable_label():
    summary = json.loads(GOLDEN.read_text())
    summary.pop("bands_90", None)
    summary.pop("replicate_summaries", None)
    for key in _keys(summary):
        text = label(key).text
        assert "_" not in text, (key, text)


def test_every_shipped_scenario_has_a_readable_name():
    from sim.labels import SCENARIOS, scenario_label
    from sim.scenario import SCENARIO_DIR

    shipped = {p.stem for p in SCENARIO_DIR.glob("*.toml")}
    assert shipped <= set(SCENARIOS), shipped - set(SCENARIOS)
    assert all("_" not in scenario_label(name) for name in shipped)
    assert scenario_label("baseline#2") == "Baseline (2)" and scenario_label("my_variant") == "My variant"
