"""`relocsim`: the command line, the one layer that may import everything (README "Layout").

One module per group of commands (`run`, `compare`, `sweep`, `optimise`, `calibration`); each adds its
sub-commands with `add_parsers(subparsers)` and imports the heavy libraries (Mesa, Dask, Optuna,
SALib, pyarrow) only inside the command that needs them, so `relocsim --help` and
`relocsim validate` start fast.

Errors: bad input (`sim.inputs.InputError`: scenario problems, bad arguments, a missing extra) and results
that cannot be written (a full disk, lost permission: `sim.output_folder.OutputError`) print their messages and exit 2; Ctrl-C prints one
line and exits 130; anything else prints one line and the path of a saved traceback and exits 1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import traceback
from pathlib import Path

from sim import __version__, interrupts
from sim.cli import calibration, compare, dashboard, optimise, run, sweep
from sim.inputs import InputError
from sim.output_folder import write_failure

log = logging.getLogger("relocsim")
EXIT_ERROR, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130
COMMANDS = (run, compare, sweep, optimise, calibration, dashboard)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="relocsim", description="Agent-based model of Kazakhstan's South-North relocation programme.")
    p.add_argument("--version", action="version", version=f"relocsim {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
        module.add_parsers(sub)
    return p


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is now (not the one of the first call, which may be closed)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _setup_logging() -> None:
    if not log.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)


def save_traceback(exc: BaseException) -> Path:
    """Write the traceback of `exc` to a new file in the temp folder; returns its path."""
    with tempfile.NamedTemporaryFile("w", prefix="relocsim-traceback-", suffix=".txt", delete=False) as fh:
        fh.write("".join(traceback.format_exception(exc)))
    return Path(fh.name)


def main(argv: list[str] | None = None) -> int:
    _setup_logging()
    args = build_parser().parse_args(argv)
    interrupts.install()
    try:
        if "lang" in args:   # the commands that take --lang (sim.cli.common.add_language_argument)
            from sim import i18n
            from sim.cli.common import language_of

            i18n.set_language(language_of(args))
        code = int(args.func(args) or 0)
        interrupts.check()   # a Ctrl-C swallowed after the last check still ends as an interrupt
        return code
    except InputError as exc:  # the input boundary (sim.inputs): bad files, --set values, missing extras
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        interrupts.clear()
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001  (the last line of defence: one line, not a traceback)
        failure = write_failure(exc, Path(str(getattr(exc, "filename", None) or ".")).parent)
        if failure is not None:   # a full disk or lost permission outside the atomic writers
            print(f"error: {failure.problems[0]}", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            where = f"traceback saved to {save_traceback(exc)}"
        except OSError as saving:   # the temp folder's disk may be full too
            where = f"traceback not saved: {saving.strerror or saving}"
        print(f"error: {type(exc).__name__}: {exc} ({where})", file=sys.stderr)
        return EXIT_ERROR
