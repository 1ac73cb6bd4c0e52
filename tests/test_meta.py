"""The checks of `tests/checks.py` can fail: each passes on the real thing and raises on a plausible mistake.

A test that compares the code with itself (x - x, a list with itself, a value's truthiness) passes
whatever the code does. Each check the suite relies on is shown here to reject a mutated input: a
difference computed against the wrong scenario or without pairing, a seed changed, a version altered, a
validation message with the wrong years, a scenario missing from the listing. The counting tool
(`tools/count_tests.py`) is checked on a suite of known size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import pandas as pd
import pytest

from calibration import ensemble
from sim import cli, compare, results
from sim.runner import RunResult, replicate_seeds

from checks import (ROOT, check_common_seeds, check_draw, check_paired_differences, check_scenario_listing,
                    check_validate_bad, check_validate_good, check_versions, shipped)

SEEDS = [11, 12, 13]
VALUES = {"a": [10.0, 20.0, 30.0], "b": [11.0, 25.0, 36.0]}   # paired differences 1, 5, 6


def fake_comparison(values=VALUES) -> compare.Comparison:
    """A comparison of two scenarios whose replicates reported only `relocated_persons`."""
    runs = [RunResult(None, list(SEEDS), 0.1, [None] * len(SEEDS), summaries=[{"relocated_persons": v} for v in vals])
            for vals in values.values()]
    return compare.Comparison(list(values), [None] * len(values), runs, list(SEEDS), 0, [], 0.1)


def frames_of(comp: compare.Comparison) -> dict[str, pd.DataFrame]:
    return dict(zip(comp.labels, (res.summary_frame() for res in comp.results)))


# --------------------------------------------------------------------------- paired differences

def test_paired_differences_check_rejects_the_wrong_reference_unpaired_or_altered_values():
    comp = fake_comparison()
    table, frames = compare.compare_table(comp), frames_of(comp)
    check_paired_differences(table, frames, "a", ["relocated_persons"])
    with pytest.raises(AssertionError):   # the difference taken against the wrong scenario
        check_paired_differences(table, frames, "b", ["relocated_persons"])
    unpaired = {**frames, "b": frames["b"].assign(relocated_persons=frames["b"]["relocated_persons"].to_numpy()[::-1])}
    with pytest.raises(AssertionError):   # the same values, not paired by seed: the band differs
        check_paired_differences(table, unpaired, "a", ["relocated_persons"])
    shifted = {**frames, "b": frames["b"].assign(relocated_persons=frames["b"]["relocated_persons"] + [0, 0, 1])}
    with pytest.raises(AssertionError):   # one replicate's value altered
        check_paired_differences(table, shifted, "a", ["relocated_persons"])


def test_paired_differences_check_rejects_a_table_that_differences_each_scenario_with_itself():
    comp = fake_comparison()
    table, frames = compare.compare_table(comp), frames_of(comp)
    self_diff = table.copy()
    self_diff.loc[self_diff["scenario"] == "b", ["diff_from_first", "diff_low", "diff_high"]] = 0.0   # x - x
    with pytest.raises(AssertionError):
        check_paired_differences(self_diff, frames, "a", ["relocated_persons"])
    reseeded = {**frames, "b": frames["b"].assign(seed=[11, 12, 99])}
    with pytest.raises(AssertionError):   # replicates of different seeds are not a pair
        check_paired_differences(table, reseeded, "a", ["relocated_persons"])


# --------------------------------------------------------------------------- seeds and parameter draws

def test_common_seeds_check_rejects_one_seed_changed():
    expected = replicate_seeds(4, 3)
    check_common_seeds(expected, [list(expected), list(expected)], expected)
    changed = [*expected[:2], expected[2] + 1]
    with pytest.raises(AssertionError):   # one scenario ran one other seed
        check_common_seeds(expected, [list(expected), changed], expected)
    with pytest.raises(AssertionError):   # the comparison recorded other seeds than it ran
        check_common_seeds(changed, [list(expected), list(expected)], expected)
    with pytest.raises(AssertionError):   # replicates sharing a seed are not independent
        check_common_seeds([1, 1, 2], [[1, 1, 2]], [1, 1, 2])


def test_draw_check_rejects_another_rows_parameters():
    post = pd.DataFrame({"trial": [3, 9], "distance": [1.0, 2.0], "weight": [0.5, 0.5], "adapt_base": [0.5, 2.5]})
    trial, params = ensemble.posterior_draw(post, 7)
    check_draw(post, (trial, params))
    other = 9 if trial == 3 else 3
    with pytest.raises(AssertionError):   # the trial's id with the other row's values
        check_draw(post, (other, params))
    with pytest.raises(AssertionError):   # a trial not in the ensemble
        check_draw(post, (42, params))


# --------------------------------------------------------------------------- versions

def test_versions_check_rejects_an_altered_or_missing_version():
    real = results.versions()
    check_versions(real)
    for key, wrong in (("numpy", "1.0.0"), ("mesa", metadata.version("mesa") + ".post1"), ("relocsim", "0.0.0"),
                       ("python", "2.7.18")):
        with pytest.raises(AssertionError):
            check_versions({**real, key: wrong})
    with pytest.raises(AssertionError):
        check_versions({k: v for k, v in real.items() if k != "pandas"})


# --------------------------------------------------------------------------- the command line

def test_validate_checks_reject_wrong_years_exit_codes_and_messages(tmp_path, capsys):
    good = tmp_path / "short.toml"
    good.write_text('extends = "baseline"\nname = "short"\n[time]\nend_year = 2019\n')
    rc = cli.main(["validate", str(good)])
    out, err = capsys.readouterr()
    check_validate_good(rc, out, err, good)
    with pytest.raises(AssertionError):   # the years of the baseline, not of the file
        check_validate_good(rc, out.replace("6 years, 2014-2019", "11 years, 2014-2024"), err, good)
    with pytest.raises(AssertionError):
        check_validate_good(2, out, err, good)
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\nname = "bad"\n[rent_subsidy]\nmonth = 3\n')
    rc = cli.main(["validate", str(bad)])
    out, err = capsys.readouterr()
    fragments = ["rent_subsidy.month", "did you mean 'months'"]
    check_validate_bad(rc, out, err, bad, fragments)
    with pytest.raises(AssertionError):   # a bad file accepted
        check_validate_bad(0, f"{bad}: valid (11 years, 2014-2024)\n", "", bad, fragments)
    with pytest.raises(AssertionError):   # a message that does not name the file
        check_validate_bad(rc, out, err.replace(str(bad), "scenario"), bad, fragments)


def test_scenario_listing_check_rejects_a_missing_scenario_or_a_wrong_description(capsys):
    assert cli.main(["scenarios"]) == 0
    out = capsys.readouterr().out
    expected = shipped()
    check_scenario_listing(out, expected)
    lines = out.splitlines(keepends=True)
    with pytest.raises(AssertionError):   # one scenario left out
        check_scenario_listing("".join(lines[1:]), expected)
    with pytest.raises(AssertionError):   # one scenario listed twice
        check_scenario_listing("".join(lines + lines[:1]), expected)
    first, second = sorted(expected)[:2]
    swapped = {**expected, first: expected[second], second: expected[first]}
    with pytest.raises(AssertionError):   # descriptions of the wrong files
        check_scenario_listing(out, swapped)


# --------------------------------------------------------------------------- counting the tests

def test_count_tests_tells_functions_from_cases(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_a():\n    pass\n\n\nclass TestB:\n    def test_b(self):\n        pass\n")
    (tmp_path / "test_hostile_inputs.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('x', range(5))\ndef test_refused(x):\n    pass\n\n\n"
        "def test_once():\n    pass\n")
    (tmp_path / "test_grid.py").write_text(
        "import pytest\n\n\n@pytest.mark.parametrize('x', [1, 2])\n@pytest.mark.parametrize('y', [3, 4, 5])\n"
        "def test_grid(x, y):\n    pass\n")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "count_tests.py"), "--json", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    n = json.loads(done.stdout)
    assert (n["functions"], n["cases"], n["parametrized"], n["hostile"]) == (5, 14, 11, 5)
    assert n["by_file"]["test_grid.py"] == {"functions": 1, "cases": 6}
    assert n["collection_errors"] == []
