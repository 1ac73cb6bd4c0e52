"""Writing results so that an interrupted command leaves nothing that looks complete.

Every writer (run, compare, sweep, sensitivity, calibrate, fit-report) goes through this module:

* `atomic_folder(target)`: a result folder is written into a hidden `.NAME.partial` folder beside
  it and renamed into place at the end; on any failure (or Ctrl-C) the partial folder is removed;
* `atomic_file(path)` and its shorthands `write_text_atomic`, `copy_file_atomic`: one file written
  under a hidden temporary name (`.NAME.tmp`, which pyarrow and glob patterns skip) and renamed.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_folder(target: str | Path, replace: bool = False) -> Iterator[Path]:
    """Yield a fresh hidden folder to write into; rename it to `target` when the block ends.

    `target` must not exist, unless `replace` is true (then it is removed just before the rename).
    A leftover partial folder of an earlier, interrupted attempt is removed first.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(target)
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        if target.exists():
            if not replace:
                raise FileExistsError(f"{target} already exists")
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def partial_path(target: str | Path) -> Path:
    """Where `atomic_folder` writes `target` before it is complete."""
    target = Path(target)
    return target.parent / f".{target.name}.partial"


@contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside `path` (`.NAME.tmp`); rename it to `path` at the end.
    A writer that infers the format from the extension must be told it (e.g. savefig(format="png"))."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text)


def copy_file_atomic(source: str | Path, path: str | Path) -> None:
    with atomic_file(path) as tmp:
        shutil.copyfile(source, tmp)
