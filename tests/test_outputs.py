"""Outputs are unique, safe and destroy nothing (issue 12.4, 12.5) and the Python scripting API (12.9).

Every writer gets a folder holding a user's file: it writes a new folder of its own beside it or
refuses with exit 2, and the user's file survives. Paths that cannot be written are refused before
any work. Runs are tiny (scale 0.01, a year or two).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim import cli
from sim.inputs import InputError
from sim.output_folder import (MARKER, atomic_folder, check_out, clean_stale_partials, partial_path, safe_name,
                               unique_id, write_marker)

FAST = ["--scale", "0.01", "--set", "time.end_year=2015", "--parameters", "defaults", "--quiet"]
SWEEP = '''scenario = "baseline"
design = "grid"
replicates = 1
seed = 3
scale = 0.01
overrides = ["time.end_year=2014"]
[keys]
"rent_subsidy.months" = [6, 12]
'''
USER_FILE = "my notes.txt"


def user_folder(tmp_path: Path) -> Path:
    d = tmp_path / "mine"
    d.mkdir()
    (d / USER_FILE).write_text("do not delete")
    return d


def intact(d: Path) -> bool:
    return (d / USER_FILE).read_text() == "do not delete"


def exit_code(argv: list[str]) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:   # argparse refusals
        return exc.code


# --------------------------------------------------------------------------- names

def test_run_ids_differ_for_the_same_seed_in_the_same_second():
    ids = {unique_id(7) for _ in range(200)}
    assert len(ids) == 200 and all("-seed7-" in i for i in ids)


@pytest.mark.parametrize("name,expected", [
    ("baseline", "baseline"), ("../../../../tmp/x", "tmp_x"), ("/tmp/x", "tmp_x"), ("..", "scenario"),
    ("", "scenario"), ("a\x00b", "a_b"), ("Рента 24", "24"), ("x" * 1_000_000, "x" * 64), ("rent-24_m", "rent-24_m"),
])
def test_folder_names_from_scenario_names_are_sanitised(name, expected):
    assert safe_name(name) == expected


def test_default_run_folder_stays_under_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "odd.toml"
    scenario.write_text('extends = "baseline"\nname = "..odd name.."\n')
    assert cli.main(["run", str(scenario), *FAST]) == 0
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name == "odd_name" and len(list(folder.iterdir())) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.toml", "results"]


# --------------------------------------------------------------------------- paths that cannot be written

@pytest.mark.parametrize("make", ["file", "below_file", "proc", "sys"])
def test_unwritable_out_is_refused(tmp_path, make):
    f = tmp_path / "f.txt"
    f.write_text("x")
    path = {"file": f, "below_file": f / "sub", "proc": Path("/proc/self/x"), "sys": Path("/sys/kernel/x")}[make]
    with pytest.raises(InputError, match="--out"):
        check_out(path)
    assert f.read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_is_refused(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(InputError, match="cannot write"):
            check_out(d / "run")
    finally:
        d.chmod(0o700)


@pytest.mark.parametrize("argv", [
    ["run", "baseline", "--out", "{file}"],
    ["run", "baseline", "--out", "/proc/self/relocsim"],
    ["compare", "baseline", "support_2024", "--out", "{file}"],
    ["sweep", "{spec}", "--out", "{file}"],
    ["sensitivity", "scenarios/sweeps/sensitivity_example.toml", "--out", "{file}"],
    ["fit-report", "--out", "{file}"],
    ["fit-report", "--out", "/proc/self/relocsim"],
    ["calibrate", "--out", "{tmp}/ensemble.json", "--work-dir", "{tmp}/w"],
    ["calibrate", "--work-dir", "{file}"],
])
def test_commands_refuse_an_unwritable_out_with_exit_2(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    f = tmp_path / "f.txt"
    f.write_text("x")
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP)
    args = [a.format(file=f, spec=spec, tmp=tmp_path) for a in argv]
    assert exit_code([*args, "--quiet"] if args[0] != "fit-report" else args) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err
    assert f.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == ["f.txt", "spec.toml"]


# --------------------------------------------------------------------------- nothing destroyed

def test_run_and_compare_write_a_new_folder_beside_the_users_file(tmp_path, capsys):
    d = user_folder(tmp_path)
    assert cli.main(["run", "baseline", *FAST, "--replicates", "2", "--seed", "11", "--out", str(d)]) == 0
    assert cli.main(["compare", "baseline", "support_2024", *FAST, "--replicates", "1", "--out", str(d)]) == 0
    assert intact(d)
    folders = [p for p in d.iterdir() if p.is_dir()]
    assert len(folders) == 2 and all((p / MARKER.format(command=c)).exists() for p, c in
                                     zip(sorted(folders, key=lambda p: (p / "summary.json").exists()), ("compare", "run")))
    run = next(p for p in folders if (p / "summary.json").exists())
    meta = json.loads((run / "summary.json").read_text())["run"]
    assert meta["seed"] == 11 and len(meta["replicate_seeds"]) == 2 and meta["run_id"] == run.name
    marker = json.loads((run / ".relocsim-run").read_text())
    assert marker["command"] == "run" and "summary.json" in marker["files"]


@pytest.mark.parametrize("argv", [
    ["sweep", "{spec}", "--out", "{dir}", "--quiet"],
    ["sensitivity", "scenarios/sweeps/sensitivity_example.toml", "--out", "{dir}", "--quiet"],
    ["fit-report", "--out", "{dir}", "--replicates", "1", "--scale", "0.01"],
    ["calibrate", "--work-dir", "{dir}", "--quiet"],
    ["calibrate", "--out", "{dir}/" + "ensemble.csv", "--work-dir", "{tmp}/w", "--quiet"],
])
def test_folder_commands_refuse_a_folder_that_is_not_theirs(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    d = user_folder(tmp_path)
    (d / "ensemble.csv").write_text("name,value\nmine,1\n")
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP)
    before = sorted(p.name for p in d.iterdir())
    assert exit_code([a.format(spec=spec, dir=d, tmp=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert str(d) in err and "Traceback" not in err
    assert intact(d) and sorted(p.name for p in d.iterdir()) == before
    assert (d / "ensemble.csv").read_text() == "name,value\nmine,1\n" and not (tmp_path / "w").exists()


def test_a_sweep_resumes_only_in_its_own_folder(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    spec = tmp_path / "spec.toml"
    spec.write_text(SWEEP)
    out = tmp_path / "sweep"
    out.mkdir()   # empty: accepted
    assert cli.main(["sweep", str(spec), "--out", str(out), "--quiet", "--max-runs", "1"]) == 0
    assert (out / ".relocsim-sweep").exists()
    assert cli.main(["sweep", str(spec), "--out", str(out), "--quiet"]) == 0
    assert "(1 run now, 1 already there)" in capsys.readouterr().out


def test_replace_only_an_untouched_result_of_the_same_command(tmp_path):
    out = tmp_path / "report"
    for text in ("first", "second"):
        with atomic_folder(out, "fit-report", replace=True) as tmp:
            (tmp / "report.md").write_text(text)
    assert (out / "report.md").read_text() == "second"
    (out / USER_FILE).write_text("do not delete")          # the user adds a file to the result
    with pytest.raises(InputError, match="did not write"):
        with atomic_folder(out, "fit-report", replace=True) as tmp:
            (tmp / "report.md").write_text("third")
    assert intact(out) and (out / "report.md").read_text() == "second"
    with pytest.raises(InputError, match="not a result of relocsim run"):
        with atomic_folder(out, "run", replace=True):
            pass
    assert not list(tmp_path.glob(".*"))                    # no partial folder left


def test_stale_partial_folders_of_dead_writers_are_cleaned(tmp_path):
    dead_pid = _dead_pid()
    stale, live, foreign = (partial_path(tmp_path / n) for n in ("a", "b", "c"))
    for p in (stale, live, foreign):
        p.mkdir()
        (p / "monthly.csv").write_text("half")
    write_marker(live, "run")                                # this process: alive
    write_marker(stale, "run")
    info = json.loads((stale / ".relocsim-run").read_text())
    (stale / ".relocsim-run").write_text(json.dumps({**info, "pid": dead_pid}))
    assert clean_stale_partials(tmp_path) == [stale]
    assert live.exists() and foreign.exists()                # not ours to judge: no marker


# --------------------------------------------------------------------------- scripting from Python

def test_scripting_api(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from sim.compare import compare_scenarios
    from sim.runner import run_scenario
    from sim.scenario import load
    from sim.sweep import run_sweep

    res = run_scenario("baseline", seed=4, replicates=2, overrides={"time.end_year": 2014, "population.scale": 0.01})
    frame = res.summary_frame()
    assert list(frame["replicate"]) == [0, 1] and list(frame["seed"]) == res.seeds and res.seed == 4
    assert "relocated_persons" in frame and res.scenario.data["time"]["end_year"] == 2014
    assert len(res.plot().lines) == 2
    with pytest.raises(InputError, match="rent_subsidy.monthz"):
        run_scenario(load("baseline"), overrides={"rent_subsidy.monthz": 3})
    table = compare_scenarios([load("baseline"), "support_2024"], replicates=1, scale=0.01,
                              overrides=["time.end_year=2014"])
    assert set(table["scenario"]) == {"baseline", "support_2024"}
    pytest.importorskip("pyarrow")
    spec = {"scenario": "baseline", "design": "grid", "replicates": 1, "seed": 3, "scale": 0.01,
            "overrides": ["time.end_year=2014"], "keys": {"rent_subsidy.months": [6, 12]}}
    df = run_sweep(spec, out=tmp_path / "sweep")
    assert len(df) == 2 and sorted(df["rent_subsidy.months"]) == [6, 12]
    assert json.loads((tmp_path / "sweep" / "_spec.json").read_text()) == spec


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_run_claims_are_exclusive_and_taken_over_from_dead_owners(tmp_path):
    from sim.sweep import claims

    assert claims.claim(tmp_path, "r1") and not claims.claim(tmp_path, "r1")   # held by a live process (this one)
    claims.claim_path(tmp_path, "r2").write_text(json.dumps({"pid": _dead_pid(), "started": None}))
    assert claims.claim(tmp_path, "r2")                                        # its owner died: taken over
    assert json.loads(claims.claim_path(tmp_path, "r2").read_text())["pid"] == os.getpid()
    claims.release(tmp_path, "r1")
    claims.release(tmp_path, "r2")
    assert not list(tmp_path.iterdir())


def test_calibrate_writes_to_the_working_folder_when_installed(tmp_path):
    from sim.cli.calibration import calibration_home, check_ensemble_out

    installed = tmp_path / "site-packages" / "calibration"
    installed.mkdir(parents=True)
    assert calibration_home(installed) == Path("calibration")                  # never into the installed package
    checkout = Path(__file__).resolve().parents[1] / "calibration"
    assert calibration_home(checkout) == checkout                              # a clone updates the shipped ensemble
    earlier = tmp_path / "post.csv"
    earlier.write_text("trial,distance,weight,adapt_base\n1,2.0,1.0,0.5\n")
    (tmp_path / "post.json").write_text(json.dumps({"method": "TPE", "accepted": 1}))
    assert check_ensemble_out(earlier) == earlier                              # an earlier ensemble may be replaced
