"""Every hostile input of the corpus (tests/hostile.py) is refused cleanly: exit 2, a message naming the
file or option, the key and the allowed values, no traceback, nothing written.

The CLI runs in-process (sim.cli.main) for speed; a few cases run as a subprocess to check the real exit
status and stderr.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hostile
from sim import cli, inputs
from sim.cli import arguments
from sim.inputs import ScenarioError
from sim.scenario import SCENARIO_DIR


def listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def invoke(argv: list[str], capsys) -> tuple[int, str]:
    try:
        rc = cli.main(argv)
    except SystemExit as exc:  # argparse refuses bad options itself, with exit 2
        rc = exc.code
    return rc, capsys.readouterr().err


def assert_refused(rc: int, err: str, *names: str, fragment: str = "") -> None:
    assert rc == 2, err
    assert "Traceback" not in err and "Error:" not in err.replace("error:", ""), err
    assert any(n in err for n in names), (names, err[:500])
    if fragment:
        assert any(f in err for f in fragment.split("|")), (fragment, err[:500])
    assert "allowed" in err or "choose from" in err, err[:500]


@pytest.fixture
def box(tmp_path, monkeypatch):
    """A working folder (the default results/ would land here) and the listing to compare with."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.log, "handlers", [])  # main() adds a handler on today's (captured) stderr
    return tmp_path


@pytest.mark.parametrize("case", sorted(hostile.FILES))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_scenario_file_refused(case, command, box, capsys):
    content, fragment = hostile.FILES[case]
    path = box / "s.toml"
    path.write_bytes(content)
    before = listing(box)
    argv = [command, str(path)] + (["--out", str(box / "out"), "--quiet"] if command == "run" else [])
    rc, err = invoke(argv, capsys)
    assert_refused(rc, err, str(path), fragment=fragment)
    assert listing(box) == before


@pytest.mark.parametrize("case", sorted(hostile.EXTENDS_TARGETS))
def test_bad_extends_target_refused(case, box, capsys):
    content, fragment = hostile.EXTENDS_TARGETS[case]
    (box / "bad.toml").write_bytes(content)
    child = box / "child.toml"
    child.write_text('extends = "bad.toml"\nname = "child"\n')
    before = listing(box)
    rc, err = invoke(["run", str(child), "--out", str(box / "out"), "--quiet"], capsys)
    assert_refused(rc, err, str(box / "bad.toml"), str(child), fragment=fragment)
    assert listing(box) == before


def make_special(kind: str, folder: Path) -> Path:
    path = folder / f"{kind}.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dev_null_link":
        path.symlink_to("/dev/null")
    elif kind == "dev_zero_link":
        path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("kind", hostile.SPECIAL)
@pytest.mark.parametrize("role", ["scenario", "extends", "sweep"])
def test_special_files_refused_without_hanging(kind, role, box, capsys):
    """A FIFO, a directory or a device must not be opened for reading (a FIFO would hang the read)."""
    if role == "sweep":
        pytest.importorskip("pyarrow")
    path = make_special(kind, box)
    target = path
    if role == "extends":
        target = box / "child.toml"
        target.write_text(f'extends = "{path.name}"\nname = "child"\n')
    before = listing(box)
    argv = {"scenario": ["validate", str(target)], "extends": ["run", str(target), "--out", str(box / "out"), "--quiet"],
            "sweep": ["sweep", str(target), "--out", str(box / "out"), "--quiet"]}[role]
    rc, err = invoke(argv, capsys)
    assert_refused(rc, err, str(path), path.name, fragment="FIFO|directory|device|no such")
    assert listing(box) == before


@pytest.mark.parametrize("text,fragment", hostile.SETS, ids=[f"set{i}" for i in range(len(hostile.SETS))])
@pytest.mark.parametrize("command", ["validate", "run"])
def test_set_value_refused(text, fragment, command, box, capsys):
    before = listing(box)
    argv = [command, "baseline", "--set", text] + (["--out", str(box / "out"), "--quiet"] if command == "run" else [])
    rc, err = invoke(argv, capsys)
    assert_refused(rc, err, "--set", str(SCENARIO_DIR / "baseline.toml"), fragment=fragment)
    assert listing(box) == before


@pytest.mark.parametrize("argv,fragment", hostile.ARGS, ids=[f"args{i}" for i in range(len(hostile.ARGS))])
def test_command_line_argument_refused(argv, fragment, box, capsys):
    before = listing(box)
    rc, err = invoke(argv + (["--out", str(box / "out"), "--quiet"] if argv[0] == "run" else []), capsys)
    assert_refused(rc, err, fragment, fragment=fragment)
    assert listing(box) == before


@pytest.mark.parametrize("name,text", hostile.TYPES, ids=[f"type{i}" for i in range(len(hostile.TYPES))])
def test_argument_types_refuse(name, text):
    """The argparse types the other commands take on (seeds, replicates, workers, scale, scheduler, port, host)."""
    with pytest.raises(argparse.ArgumentTypeError, match="allowed"):
        getattr(arguments, name)(text)


@pytest.mark.parametrize("case", sorted(hostile.SWEEPS))
def test_sweep_spec_refused(case, box, capsys):
    pytest.importorskip("pyarrow")
    content, fragment = hostile.SWEEPS[case]
    spec = box / "spec.toml"
    spec.write_bytes(content)
    before = listing(box)
    rc, err = invoke(["sweep", str(spec), "--out", str(box / "out"), "--quiet"], capsys)
    assert_refused(rc, err, str(spec), fragment=fragment)
    assert listing(box) == before


@pytest.mark.parametrize("files", [
    {"a.toml": 'extends = "b.toml"\nname = "a"\n', "b.toml": 'extends = "a.toml"\nname = "b"\n'},   # a cycle
    {f"c{i}.toml": f'extends = "c{i + 1}.toml"\nname = "c{i}"\n' for i in range(20)}                 # too long a chain
    | {"c20.toml": 'extends = "baseline"\nname = "c20"\n'},
], ids=["cycle", "chain_of_21"])
def test_extends_cycles_and_long_chains_refused(files, box, capsys):
    for name, text in files.items():
        (box / name).write_text(text)
    first = box / next(iter(files))
    before = listing(box)
    rc, err = invoke(["run", str(first), "--out", str(box / "out"), "--quiet"], capsys)
    assert_refused(rc, err, str(box), fragment="cycle|chain")
    assert listing(box) == before


def test_corpus_covers_the_issue():
    """Issue 12 lists 179 hostile inputs; the corpus tries at least as many, in every class it names."""
    assert hostile.count() >= 179
    for group in (hostile.DECODE, hostile.DEPTH, hostile.MAGNITUDE, hostile.YEARS, hostile.NAMES, hostile.EXTENDS,
                  hostile.TOO_LARGE, hostile.SWEEPS):
        assert len(group) >= 2


# --------------------------------------------------------------------------- accepted inputs stay accepted

@pytest.mark.parametrize("text", ["0", "1", str(2**63 - 1), " 7 "])
def test_seed_bounds_accept(text):
    assert arguments.seed(text) == int(text)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:8786", "tls://scheduler.example.org:8786", "tcp://[::1]:8786"])
def test_scheduler_addresses_accepted(address):
    assert arguments.scheduler_address(address) == address


@pytest.mark.parametrize("argv", [["--port", "80"], ["--port", "1023"], ["--port", "65536"], ["--port", "-1"],
                                  ["--port", "8765.0"], ["--port", "http"], ["--port", "9" * 5000],
                                  ["--host", ""], ["--host", "a b"], ["--host", "http://127.0.0.1"], ["--host", "host:80"],
                                  ["--host", "127.0.0.1\x00"], ["--host=-x"], ["--host", "h" * 300]])
def test_dashboard_port_and_host_refused(argv, capsys, monkeypatch):
    """`relocsim dashboard` refuses a bad --port or --host at the input boundary: exit 2, the option and
    the allowed values named, no traceback, and no server started."""
    import sim.dashboard.cli as dashboard_cli

    monkeypatch.setattr(dashboard_cli, "cmd_dashboard", lambda args: pytest.fail(f"served on {args.host}:{args.port}"))
    rc, err = invoke(["dashboard", *argv, "--no-browser"], capsys)
    assert_refused(rc, err, f"argument {argv[0].split('=')[0]}")


@pytest.mark.parametrize("argv,port,host", [([], 8765, "127.0.0.1"), (["--port", "0"], 0, "127.0.0.1"),
                                            (["--port", " 1024 ", "--host", "0.0.0.0"], 1024, "0.0.0.0"),
                                            (["--port", "65535", "--host", "::1"], 65535, "::1"),
                                            (["--host", "my-host.example.org"], 8765, "my-host.example.org")])
def test_dashboard_port_and_host_accepted(argv, port, host):
    args = cli.build_parser().parse_args(["dashboard", *argv])
    assert (args.port, args.host) == (port, host)


def test_unreachable_scheduler_reported():
    import socket

    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(inputs.InputError, match="unreachable"):
        inputs.probe_scheduler(f"tcp://127.0.0.1:{port}", timeout=1.0)


def test_utf8_bom_and_plain_years_accepted(tmp_path):
    from sim import scenario

    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + hostile.scenario("[relocation_subsidy.mci_per_member]\n2020 = 80\n"))
    assert scenario.load(path).data["relocation_subsidy"]["mci_per_member"]["2020"] == 80


def test_validate_and_run_judge_a_file_alike(tmp_path, capsys):
    """`validate` refuses population.scale = inf; `run --scale 0.02` and `--set` must not run it anyway."""
    path = tmp_path / "inf.toml"
    path.write_bytes(hostile.MAGNITUDE["scale_inf"][0])
    for argv in (["validate", str(path)], ["run", str(path), "--scale", "0.02", "--out", str(tmp_path / "o"), "--quiet"],
                 ["run", str(path), "--set", "population.scale=0.02", "--out", str(tmp_path / "o"), "--quiet"]):
        rc, err = invoke(argv, capsys)
        assert_refused(rc, err, str(path), fragment="population.scale")
    assert not (tmp_path / "o").exists()


def test_tiny_scale_warns_that_quotas_are_not_resolved(capsys):
    assert cli.main(["validate", "baseline", "--set", "population.scale=0.001"]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "population.scale" in err and "quota" in err
    assert cli.main(["validate", "baseline", "--set", "population.scale=0.2"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_overrides_as_a_dict_and_as_strings_agree():
    from sim import scenario

    a = scenario.load("baseline", {"rent_subsidy.months": 24, "relocation_subsidy.mci_per_member": {"2014": 35}})
    b = scenario.load("baseline", ["rent_subsidy.months=24", "relocation_subsidy.mci_per_member={2014=35}"])
    assert a.data == b.data and a.data["rent_subsidy"]["months"] == 24
    with pytest.raises(ScenarioError, match="extends"):
        scenario.load("baseline", {"extends": "women_package"})
    with pytest.raises(ScenarioError, match="rent_subsidy.months"):
        scenario.load("baseline", {"rent_subsidy.months": float("nan")})


# --------------------------------------------------------------------------- as a real process

SUBPROCESS = [  # a few only: each process spends about 3 s importing
    (["run", "--seed", "-1"], "--seed"),
    (["validate", "{dir}/child.toml"], "FIFO"),
]


@pytest.mark.parametrize("argv,fragment", SUBPROCESS, ids=["seed", "fifo_extends"])
def test_refused_as_a_process(argv, fragment, tmp_path):
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)))
    os.mkfifo(tmp_path / "fifo.toml")
    (tmp_path / "child.toml").write_text('extends = "fifo.toml"\nname = "child"\n')
    before = listing(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sim.cli", *[a.format(dir=tmp_path) for a in argv],
                           "--quiet"][:None if argv[0] == "run" else -1],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and fragment in proc.stderr, proc.stderr
    assert listing(tmp_path) == before
