"""`relocsim dashboard` on real processes: whatever stops it (SIGINT, SIGTERM, SIGHUP, SIGKILL), no
process of it remains and its port can be bound again; an address other machines can reach needs
--public, and then the address and a warning are printed (issue 23)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from conftest import sigint_as_at_a_terminal
from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def can_bind(port: int) -> bool:
    """Whether a new server could listen on the port now (as solara does: SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            s.listen()
        except OSError:
            return False
    return True


def start_dashboard(port: int, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "dashboard", "--port", str(port), "--no-browser", *extra],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=sigint_as_at_a_terminal)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"the dashboard did not start: {proc.communicate()[0][-2000:]}")
            time.sleep(0.3)


def tree(pid: int) -> list[psutil.Process]:
    """The process and everything it started, from the process table."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
                         ids=lambda s: signal.Signals(s).name)
def test_no_process_or_port_survives_the_dashboard(sig):
    port = free_port()
    proc = start_dashboard(port)
    procs = tree(proc.pid)
    try:
        assert len(procs) >= 2 and any("solara" in " ".join(p.cmdline()) for p in procs[1:]), procs
        assert not can_bind(port)
        t0 = time.monotonic()
        proc.send_signal(sig)
        proc.wait(timeout=15)
        deadline = time.monotonic() + 10
        while alive(procs) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert alive(procs) == [], f"left running after {signal.Signals(sig).name}: {alive(procs)}"
        while not can_bind(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert can_bind(port), f"port {port} still taken after {signal.Signals(sig).name}: " + subprocess.run(["ss", "-tanp"], capture_output=True, text=True).stdout[-3000:]
        print(f"{signal.Signals(sig).name}: no process left and port free after {time.monotonic() - t0:.2f} s")
        if sig != signal.SIGKILL:
            assert proc.returncode in (0, 128 + sig), proc.returncode
    finally:   # leave nothing of this test behind, whatever failed
        for p in alive(procs):
            p.kill()


def test_a_reachable_address_needs_public(capsys):
    assert main(["dashboard", "--host", "0.0.0.0", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "--host 0.0.0.0" in err and "--public" in err and "allowed: 127.0.0.1" in err and "Traceback" not in err


def test_public_prints_the_address_and_a_warning():
    port = free_port()
    proc = start_dashboard(port, "--host", "0.0.0.0", "--public")
    procs = tree(proc.pid)
    try:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=15)[0]
    finally:
        for p in alive(procs):
            p.kill()
    assert f"serving on http://0.0.0.0:{port}" in out
    assert "anyone who can reach" in out and "can run scenarios" in out
    assert alive(procs) == [] and can_bind(port)
