"""The code's shape: no module in sim/ is longer than MAX_LINES, so that each holds one concept and
reads in one sitting (issue 22); a longer one is split by concept (as sim.fields came out of sim.schema)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400


def long_files(root: Path, limit: int = MAX_LINES) -> list[str]:
    """'path: N lines' of every .py file under `root` longer than `limit` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > limit:
            out.append(f"{path.relative_to(root).as_posix()}: {n} lines (at most {limit})")
    return out


def test_no_file_in_sim_is_over_400_lines():
    assert long_files(ROOT / "sim") == []


def test_the_check_finds_a_long_file(tmp_path):
    (tmp_path / "short.py").write_text("x = 1\n" * MAX_LINES)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "long.py").write_text("x = 1\n" * (MAX_LINES + 1))
    assert long_files(tmp_path) == [f"pkg/long.py: {MAX_LINES + 1} lines (at most {MAX_LINES})"]
