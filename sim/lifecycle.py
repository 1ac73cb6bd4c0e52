"""Child processes that die with their parent, however the parent stops.

SIGKILL cannot be caught, so a parent cannot always stop its children itself: on Linux the kernel
does it (PR_SET_PDEATHSIG, asked for by the child); everywhere, a daemon thread in the child sees its
parent change and exits. Used by the dashboard's server and run processes and by calibration workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

PR_SET_PDEATHSIG = 1


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux); False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(parent: int, poll: float = 0.5, pdeathsig: bool = True) -> None:
    """End this process when `parent` is no longer its parent: the kernel's signal (Linux, unless
    `pdeathsig` is false) and a polling daemon thread, which works everywhere."""
    if pdeathsig:
        set_parent_death_signal()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll)
        os._exit(1)

    if os.getppid() != parent:   # the parent died before this process got here
        os._exit(1)
    threading.Thread(target=watch, name="relocsim-parent-watch", daemon=True).start()


def _preexec() -> None:
    """Runs in the child between fork and exec: SIGKILL when the parent dies, and a process group of
    its own, so the whole group (the server and what it starts) can be stopped at once."""
    os.setpgid(0, 0)
    set_parent_death_signal()
    if os.getppid() == 1:   # the parent died between fork and prctl
        os._exit(1)


def start_child(command: list[str], **popen) -> subprocess.Popen:
    """Start `command` so that it dies with this process (POSIX); a plain Popen elsewhere."""
    if os.name == "posix":
        popen["preexec_fn"] = _preexec
    return subprocess.Popen(command, **popen)


def stop_child(proc: subprocess.Popen, grace: float = 3.0) -> int:
    """SIGTERM to the child's process group, then SIGKILL after `grace` seconds; returns its exit code."""
    def send(sig: int) -> None:
        try:
            os.killpg(proc.pid, sig) if os.name == "posix" else proc.send_signal(sig)
        except (ProcessLookupError, PermissionError):
            pass

    if proc.poll() is None:
        send(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    send(signal.SIGKILL)   # whatever of its group is left (the server's own children)
    return proc.wait()


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is `pid` (Linux /proc; empty elsewhere)."""
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for name in entries:
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    state, ppid = fh.read().rsplit(")", 1)[1].split()[:2]
            except (OSError, ValueError):
                continue
            if int(ppid) == pid and state != "Z":
                found.append(int(name))
    return found


def stop_fork_server() -> None:
    """Kill this process's multiprocessing fork server and whatever it has forked: a worker still being
    started when a batch is stopped would otherwise start after its parent has gone, and fail noisily.
    The next pool starts a new fork server."""
    try:
        from multiprocessing import forkserver

        pid = forkserver._forkserver._forkserver_pid
    except (ImportError, AttributeError):
        return
    if not pid:
        return
    for victim in [pid, *children_of(pid)]:
        try:
            os.kill(victim, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
