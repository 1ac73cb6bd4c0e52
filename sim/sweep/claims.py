"""Claim files: two sweeps into one folder split the runs instead of doing each twice.

Before a run starts, its process creates ``runs/.<run_id>.claim`` (hard-linked into place, so the file
appears only with its content: owner pid and process start time). Another sweep that finds a claim
of a live process leaves that run alone; a claim whose owner has died (killed, crashed) is taken over.
A claim is removed when its run's Parquet file is written, and every claim still held is removed when
the sweep stops (finished, Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from sim.output_folder import owner, owner_alive


def claim_path(runs_dir: Path, run_id: str) -> Path:
    return Path(runs_dir) / f".{run_id}.claim"


def _read(path: Path) -> dict | None:
    try:
        who = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return who if isinstance(who, dict) else {}


def claim(runs_dir: Path, run_id: str) -> bool:
    """True when this process now holds the run (it was free, or its owner is dead); False when a live
    process holds it."""
    path = claim_path(runs_dir, run_id)
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(3)}.tmp")
    tmp.write_text(json.dumps(owner()))
    try:
        for _attempt in range(3):
            try:
                os.link(tmp, path)
                return True
            except FileExistsError:
                pass
            who = _read(path)
            if who is not None and owner_alive(who):
                return False
            if who is not None:   # a dead owner's claim: move it aside (only one taker can), then retry
                stale = path.with_name(f"{path.name}.stale-{secrets.token_hex(3)}")
                try:
                    os.rename(path, stale)
                except FileNotFoundError:
                    continue
                moved = _read(stale)
                if moved and owner_alive(moved):   # a live claim made in between: put it back
                    try:
                        os.link(stale, path)
                    except FileExistsError:
                        pass
                    stale.unlink(missing_ok=True)
                    return False
                stale.unlink(missing_ok=True)
        return False
    finally:
        tmp.unlink(missing_ok=True)


def release(runs_dir: Path, run_id: str) -> None:
    """Remove this process's claim on a run (a claim of another process is left alone)."""
    path = claim_path(runs_dir, run_id)
    who = _read(path)
    if who is not None and who.get("pid") == os.getpid():
        path.unlink(missing_ok=True)
