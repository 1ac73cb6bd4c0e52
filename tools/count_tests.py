"""Count the test suite honestly: test functions apart from the cases pytest collects from them.

pytest reports one "test" per collected case, so a function parametrized over 500 hostile inputs counts
500 times. This tool collects the suite (pytest's collection API; nothing is run) and reports:

    functions   distinct test functions (a parametrized function once)
    cases       collected cases (what `pytest --collect-only -q` counts)
    parametrized   cases that come from parametrized functions
    hostile     cases from the hostile-input corpus (`--hostile FILE`, default tests/test_hostile_inputs.py)

Usage (from the repository root):

    python tools/count_tests.py                 # one sentence, for the README
    python tools/count_tests.py --by-file       # and a line per test file
    python tools/count_tests.py --json          # the numbers as JSON
    python tools/count_tests.py path/to/tests   # another folder or file
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ("test_hostile_inputs.py",)


class _Collector:
    """A pytest plugin that keeps the collected items and the collection errors."""

    def __init__(self) -> None:
        self.items: list = []
        self.errors: list[str] = []

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.errors.append(report.nodeid)

    def pytest_collection_finish(self, session) -> None:
        self.items = list(session.items)


def collect(paths: list[str]) -> _Collector:
    import pytest

    collector = _Collector()
    code = pytest.main(["--collect-only", "-p", "no:terminal", "-p", "no:cacheprovider", *paths], plugins=[collector])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED) and not collector.errors:
        collector.errors.append(f"pytest exit code {int(code)}")
    return collector


def function_key(item) -> tuple:
    """What identifies the function a case comes from: its file, class and name without parameters."""
    cls = item.cls.__name__ if getattr(item, "cls", None) is not None else ""
    return (str(item.path), cls, getattr(item, "originalname", item.name))


def count(items, hostile: tuple[str, ...] = HOSTILE) -> dict:
    """The numbers for a list of collected pytest items (see the module doc)."""
    def is_hostile(item) -> bool:
        return Path(item.path).name in hostile and getattr(item, "callspec", None) is not None

    by_file: dict[str, dict] = {}
    for item in items:
        row = by_file.setdefault(Path(item.path).name, {"functions": set(), "cases": 0})
        row["functions"].add(function_key(item))
        row["cases"] += 1
    return {
        "functions": len({function_key(i) for i in items}),
        "cases": len(items),
        "parametrized": sum(getattr(i, "callspec", None) is not None for i in items),
        "hostile": sum(map(is_hostile, items)),
        "by_file": {name: {"functions": len(r["functions"]), "cases": r["cases"]} for name, r in sorted(by_file.items())},
    }


def sentence(n: dict) -> str:
    return (f"{n['functions']:,} test functions, {n['cases']:,} cases, of which {n['hostile']:,} are hostile-input cases "
            f"({n['parametrized']:,} cases come from parametrized functions)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=[str(ROOT / "tests")], help="test folders or files (default tests/)")
    ap.add_argument("--hostile", action="append", default=None, metavar="FILE",
                    help="file name of hostile-input tests (repeatable; default test_hostile_inputs.py)")
    ap.add_argument("--by-file", action="store_true", help="also a line per test file")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = ap.parse_args(argv)
    collector = collect(args.paths)
    numbers = count(collector.items, tuple(Path(h).name for h in args.hostile) if args.hostile else HOSTILE)
    numbers["collection_errors"] = collector.errors
    if args.json:
        print(json.dumps(numbers, indent=1))
    else:
        print(sentence(numbers))
        if args.by_file:
            for name, r in numbers["by_file"].items():
                print(f"  {name:40s} {r['functions']:4d} functions {r['cases']:5d} cases")
        if collector.errors:
            print(f"collection errors in: {', '.join(collector.errors)}", file=sys.stderr)
    return 1 if collector.errors else 0


if __name__ == "__main__":
    sys.exit(main())
