"""Writing results so that nothing is destroyed and an interrupted command leaves nothing that looks complete.

Every writer (run, compare, sweep, sensitivity, calibrate, fit-report) goes through this module:

* `check_out(path)`: an output path is refused (exit 2) before any work when it is an existing file,
  lies under /proc or /sys, or cannot be written (read-only, unwritable, below a file);
* `atomic_folder(target, command)`: a result folder is written into a hidden `.NAME.partial` folder
  beside it and renamed into place at the end; on any failure (or Ctrl-C) the partial folder is
  removed. Each folder holds a marker file `.relocsim-<command>` (who wrote it, which files), so a later
  command recognises its own results: `replace=True` replaces only a folder of the same command that
  holds nothing but what that command wrote. A partial folder left by a killed process (its marker
  names a process that no longer runs) is removed by the next writer into the same parent;
* `claim_own_folder(folder, command)`: a folder a command fills in place (sweep, sensitivity, a
  calibration study) must be new, empty, or marked as that command's; anything else is refused;
* `atomic_file(path)` and its shorthands `write_text_atomic`, `copy_file_atomic`: one file written
  under a hidden temporary name (`.NAME.<pid>-<random>.tmp`, which pyarrow and glob patterns skip)
  and renamed;
* a full disk or lost permission met while writing (ENOSPC, EACCES...) becomes an `OutputError`:
  exit 2 with the folder named, the partial result removed, and a rerun completes once fixed;
* `unique_id(seed)` and `safe_name(text)`: folder names that never collide and never leave the
  parent folder, whatever a scenario is called.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import secrets
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sim import interrupts
from sim.inputs import InputError, shown

MARKER = ".relocsim-{command}"
# a writer that hits one of these mid-write exits 2 naming the folder (OutputError), not with a traceback
WRITE_ERRNOS = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
                errno.EFBIG: "the file is too large for the disk", errno.EACCES: "permission to write was lost",
                errno.EPERM: "permission to write was lost", errno.EROFS: "the file system is read-only"}
NAME_CHARS = 64                  # a folder name made from a scenario name
SYSTEM_ROOTS = ("/proc", "/sys")


class OutputError(InputError):
    """Results could not be written (a full disk, lost permission): exit 2 with the folder named."""


def write_failure(exc: BaseException, folder: str | Path) -> OutputError | None:
    """The OutputError for an OSError of a full disk or lost permission met while writing in `folder`;
    None for any other exception."""
    exc = getattr(exc, "oserror", exc)   # one met by an inner writer is named by the outer one's folder
    if not isinstance(exc, OSError) or exc.errno not in WRITE_ERRNOS:
        return None
    failure = OutputError([f"{shown(str(folder), 1000)}: results could not be written: {WRITE_ERRNOS[exc.errno]} "
                        f"({exc.strerror or exc}); nothing there looks finished, and no partial result is kept. "
                        f"Free space or restore write permission, then run the same command again; allowed: "
                        f"a folder on a disk with room that you can write to"])
    failure.oserror = exc
    return failure


# --------------------------------------------------------------------------- names

def unique_id(seed: int) -> str:
    """A result folder's name: UTC time to the second, the seed and a random suffix (two commands started
    in the same second with the same seed still get different folders)."""
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-seed{seed}-{secrets.token_hex(3)}"


def safe_name(text: str, limit: int = NAME_CHARS) -> str:
    """A folder name from user text: letters, digits, '-' and '_' only (others become '_'), at most
    `limit` characters, never empty, never '.' or '..'."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", str(text)).strip("_")[:limit]
    return name or "scenario"


# --------------------------------------------------------------------------- checking an --out path

def check_out(path: str | Path, option: str = "--out", folder: bool = True) -> Path:
    """Refuse (InputError, exit 2) an output path that cannot be written: an existing file where a folder
    is wanted, a path under /proc or /sys, below a file, or in a folder this process cannot write."""
    text = os.fspath(path)
    if not text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InputError([f"{option} '{shown(text)}': not a usable path; allowed: a folder path without control characters"])
    path = Path(text)
    real = Path(os.path.realpath(path))
    for root in map(Path, SYSTEM_ROOTS):
        if real == root or root in real.parents:
            raise InputError([f"{option} {shown(text)}: lies under {root}, a system folder; allowed: a folder of "
                              f"your own, e.g. results/"])
    if folder and path.exists() and not path.is_dir():
        raise InputError([f"{option} {shown(text)}: exists and is not a folder; allowed: a new or existing folder"])
    base = path
    while not base.exists() and base != base.parent:
        base = base.parent
    if not base.is_dir():
        raise InputError([f"{option} {shown(text)}: {shown(str(base))} is a file, so nothing can be written below it; "
                          f"allowed: a path inside a folder"])
    try:
        fd, probe = tempfile.mkstemp(dir=base, prefix=".relocsim-probe-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError([f"{option} {shown(text)}: cannot write in {shown(str(base))} ({exc.strerror or exc}); "
                          f"allowed: a folder you can write to"]) from None
    return path


# --------------------------------------------------------------------------- markers and owners

def _start_time(pid: int) -> str | None:
    """A process's start time (Linux /proc), which tells a live owner from a reused pid; None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]


def owner() -> dict:
    """This process, as recorded in markers and claim files."""
    return {"pid": os.getpid(), "started": _start_time(os.getpid())}


def owner_alive(who: dict) -> bool:
    """Whether the process a marker or claim names still runs (and is the same process, not a reused pid)."""
    pid = who.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    started = _start_time(pid)
    return who.get("started") is None or started is None or started == who.get("started")


def write_marker(folder: Path, command: str, files: list[str] | None = None) -> None:
    from sim import __version__

    info = {"command": command, "relocsim": __version__, **owner(),
            "created_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "files": files}
    write_text_atomic(Path(folder) / MARKER.format(command=command), json.dumps(info, indent=1))


def read_marker(folder: Path, command: str) -> dict | None:
    try:
        info = json.loads((Path(folder) / MARKER.format(command=command)).read_text())
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("command") == command else None


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).iterdir())


def claim_own_folder(folder: str | Path, command: str, legacy: tuple[str, ...] = (), option: str = "--out") -> Path:
    """Make `folder` this command's: create it (marked), or accept it when empty or already marked as this
    command's (or holding `legacy`, a file earlier versions wrote); refuse anything else with exit 2.
    Temporary files (a concurrent writer's marker being written) do not count."""
    folder = check_out(folder, option)
    if folder.is_dir() and [n for n in _entries(folder) if not n.endswith(".tmp")]:
        if read_marker(folder, command) is None and not any((folder / name).exists() for name in legacy):
            raise InputError([f"{option} {folder}: a folder that holds other files ({', '.join(_entries(folder)[:5])}) and "
                              f"is not a result of relocsim {command}; allowed: a new or empty folder, or one that "
                              f"relocsim {command} wrote before (it holds {MARKER.format(command=command)})"])
    folder.mkdir(parents=True, exist_ok=True)
    if read_marker(folder, command) is None:
        write_marker(folder, command)
    return folder


# --------------------------------------------------------------------------- atomic folders and files

def partial_path(target: str | Path) -> Path:
    """Where `atomic_folder` writes `target` before it is complete."""
    target = Path(target)
    return target.parent / f".{target.name}.partial"


def clean_stale_partials(parent: Path) -> list[Path]:
    """Remove partial folders in `parent` that a relocsim writer left when it was killed: only those whose
    marker names a process that no longer runs. Returns what was removed."""
    removed = []
    for tmp in Path(parent).glob(".*.partial"):
        markers = list(tmp.glob(".relocsim-*")) if tmp.is_dir() else []
        info = read_marker(tmp, markers[0].name.removeprefix(".relocsim-")) if len(markers) == 1 else None
        if info is not None and not owner_alive(info):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def _replaceable(target: Path, command: str, legacy: tuple[str, ...] = ()) -> None:
    info = read_marker(target, command)
    mine = set(info.get("files") or []) | {MARKER.format(command=command)} if info else set()
    others = [name for name in _entries(target) if name not in mine]
    if info is None and legacy and not set(_entries(target)) - set(legacy):
        return   # written before markers existed: only the files this command writes
    if info is None or others:
        what = f"it holds files relocsim {command} did not write: {', '.join(others[:5])}" if info else \
            f"it is not a result of relocsim {command} (no {MARKER.format(command=command)})"
        raise InputError([f"--out {target}: not replaced, {what}; allowed: a new folder, or a previous result of "
                          f"relocsim {command} as it wrote it"])


@contextmanager
def atomic_folder(target: str | Path, command: str, replace: bool = False, legacy: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a fresh hidden folder to write into; rename it to `target` when the block ends.

    `target` must not exist, unless `replace` is true and it is an untouched earlier result of the same
    `command` (anything else is refused before the work starts; `legacy`: the files the command wrote
    before folders were marked). Stale partial folders of killed writers in the same parent are removed first.
    """
    target = Path(target)
    if target.exists() and (not replace or not target.is_dir()):
        raise InputError([f"{target}: already exists; allowed: a new folder"])
    if target.exists():
        _replaceable(target, command, legacy)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_partials(target.parent)
    tmp = partial_path(target)
    try:
        tmp.mkdir()
    except FileExistsError:
        raise InputError([f"{target}: another relocsim process is writing it now ({tmp}); allowed: wait for it, "
                          f"or another folder"]) from None
    try:
        write_marker(tmp, command)
        yield tmp
        interrupts.check()   # a Ctrl-C swallowed while writing: the folder is not committed
        write_marker(tmp, command, [n for n in _entries(tmp) if n != MARKER.format(command=command)])
        if target.exists():
            _replaceable(target, command, legacy)
            old = target.parent / f".{target.name}.old-{secrets.token_hex(3)}"
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        failure = write_failure(exc, target.parent)
        if failure is not None:
            raise failure from None
        raise


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside `path` (unique to this writer); rename it to `path` at the end.
    A writer that infers the format from the extension must be told it (e.g. savefig(format="png"))."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(3)}.tmp")
    try:
        yield tmp
        interrupts.check()
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass   # permission lost: the hidden name is left, and the next writer's clean-up removes it
        failure = write_failure(exc, path.parent)
        if failure is not None:
            raise failure from None
        raise


def clean_stale_files(folder: str | Path) -> None:
    """Remove temporary files (`.NAME.<pid>-<random>.tmp`, or `.NAME.tmp` of earlier versions) left in
    `folder` by writers that were killed; those of a live process are kept."""
    for tmp in Path(folder).glob(".*.tmp"):
        m = re.search(r"\.(\d+)-[0-9a-f]{6}\.tmp$", tmp.name)
        if m is None or not owner_alive({"pid": int(m.group(1))}):
            tmp.unlink(missing_ok=True)


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text)


def copy_file_atomic(source: str | Path, path: str | Path) -> None:
    with atomic_file(path) as tmp:
        shutil.copyfile(source, tmp)
