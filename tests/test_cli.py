"""The relocsim command end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim import __version__, cli, results
from sim.scenario import SCENARIO_DIR

from checks import check_scenario_listing, check_validate_bad, check_validate_good, check_versions, shipped

FAST = ["--scale", "0.02", "--set", "time.end_year=2017", "--quiet"]
SUMMARY_KEYS = {
    "applications_households", "relocated_households", "relocated_persons", "relocated_persons_by_destination",
    "returned_persons", "return_share_by_destination", "employed_share_12m", "skill_matched_share",
    "subsidies_paid_tenge", "reimbursed_tenge", "cost_per_retained_person_24m_tenge", "breakdowns",
}


def run_cli(tmp_path, *args):
    return cli.main(["run", *args, *FAST, "--out", str(tmp_path)])


def only_run_dir(tmp_path):
    dirs = [p for p in tmp_path.iterdir()]
    assert len(dirs) == 1, dirs
    return dirs[0]


def test_run_writes_everything(tmp_path):
    assert run_cli(tmp_path, "baseline", "--seed", "4") == 0
    out = only_run_dir(tmp_path)
    names = {p.name for p in out.iterdir()}
    assert {"summary.json", "monthly.csv", "flows.csv", "scenario.json", "relocations_by_destination.png",
            "employment_housing.png", "returns.png", "subsidy_spending.png"} <= names
    s = json.loads((out / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(s)
    assert s["run"]["seed"] == 4 and s["run"]["scenario"] == "baseline"
    assert s["run"]["versions"]["mesa"].startswith("3.3")
    check_versions(s["run"]["versions"])
    assert set(s["breakdowns"]) == {"gender", "marital_status", "age_group", "education"}
    assert set(s["breakdowns"]["age_group"]) == {"under_30", "30_plus"}
    assert set(s["subsidies_paid_tenge"]) == {"relocation", "rent", "employer"}


def test_same_seed_same_summary_except_metadata(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    run_cli(a, "--seed", "9")
    run_cli(b, "--seed", "9")
    sa = json.loads((only_run_dir(a) / "summary.json").read_text())
    sb = json.loads((only_run_dir(b) / "summary.json").read_text())
    sa.pop("run"), sb.pop("run")
    assert sa == sb


def test_replicates_report_bands(tmp_path):
    assert run_cli(tmp_path, "--replicates", "3") == 0
    s = json.loads((only_run_dir(tmp_path) / "summary.json").read_text())
    assert len(s["run"]["replicate_seeds"]) == len(set(s["run"]["replicate_seeds"])) == 3
    lo, hi = s["bands_90"]["relocated_persons"]
    assert lo <= s["relocated_persons"] <= hi
    assert len(s["replicate_summaries"]) == 3


def test_bad_scenario_exits_2_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(f'extends = "{SCENARIO_DIR / "baseline.toml"}"\nname = "bad"\n[rent_subsidy]\nmonth = 3\n')
    out = tmp_path / "out"
    assert cli.main(["run", str(bad), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "rent_subsidy.month" in err and "did you mean 'months'" in err
    assert not out.exists()


def test_bad_set_exits_2(tmp_path, capsys):
    assert cli.main(["run", "--set", "behaviour.decide_base=5", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    assert "behaviour.decide_base" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_validate_a_good_and_a_bad_file(tmp_path, capsys):
    good = tmp_path / "short.toml"
    good.write_text('extends = "baseline"\nname = "short"\n[time]\nend_year = 2019\n[rent_subsidy]\nmonths = 18\n')
    rc = cli.main(["validate", str(good)])
    check_validate_good(rc, *capsys.readouterr(), good)
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "baseline"\nname = "bad"\n[rent_subsidy]\nmonth = 3\n')
    rc = cli.main(["validate", str(bad)])
    check_validate_bad(rc, *capsys.readouterr(), bad, ["rent_subsidy.month", "did you mean 'months'"])


def test_scenarios_lists_every_shipped_scenario(capsys):
    assert cli.main(["scenarios"]) == 0
    check_scenario_listing(capsys.readouterr().out, shipped())


def test_interrupted_write_leaves_nothing_complete(tmp_path, monkeypatch):
    def boom(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("sim.plots.write_plots", boom)
    assert run_cli(tmp_path) == 130   # Ctrl-C: one line, no traceback
    assert list(tmp_path.iterdir()) == []


def test_unexpected_error_is_one_line_with_a_saved_traceback(tmp_path, monkeypatch, capsys):
    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("sim.plots.write_plots", boom)
    assert run_cli(tmp_path) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: RuntimeError: disk on fire (traceback saved to ") and "Traceback" not in "".join(err)
    saved = Path(err[-1].rsplit("traceback saved to ", 1)[1].rstrip(")"))
    assert "disk on fire" in saved.read_text() and "Traceback" in saved.read_text()
    saved.unlink()
    assert list(tmp_path.iterdir()) == []


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"relocsim {__version__}"


def test_entry_point_module_runs(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "validate", "baseline"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "validate", "nonexistent_scenario"], capture_output=True, text=True)
    assert proc.returncode == 2 and "nonexistent_scenario" in proc.stderr


def test_versions_recorded(monkeypatch):
    check_versions(results.versions())
    monkeypatch.setattr(results, "PACKAGES", (*results.PACKAGES, "no-such-package-relocsim"))
    assert results.versions()["no-such-package-relocsim"] is None  # recorded as missing, not an error
