"""The input boundary: everything a user hands the simulator is checked here before it is used.

Scenario and spec files, `--set` overrides and command-line values (numbers, addresses, ports) all pass
through this module, so a hostile input (binary or non-UTF-8 text, a FIFO, nesting deep enough to exhaust
the stack, integers with thousands of digits, non-ASCII year digits) ends in one `InputError` that names
the file or option, the key and the allowed values. The CLI catches that type only, exits 2 and writes
nothing; its argparse types (`sim.cli.arguments`) wrap the `check_*` functions here.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import socket
import stat
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sim.schema import SCHEMA

MAX_FILE_BYTES = 1_000_000      # a scenario or spec file; the largest shipped one is under 3 kB
MAX_DEPTH = 8                   # tables and arrays nested in a file or --set value (the schema needs 3)
MAX_KEY_CHARS = 100             # one key of a file or --set
MAX_ARG_CHARS = 4096            # a scenario name or path given on the command line or as `extends`
MAX_OVERRIDE_CHARS = 10_000     # one --set KEY=VALUE
MAX_EXTENDS = 16                # files in one `extends` chain
INT64 = 2**63                   # TOML integers are 64-bit
MAX_SEED = 2**63 - 1            # seeds: 0 to 2^63-1 (numpy SeedSequence takes any, Parquet and JSON int64 this)
MAX_REPLICATES = 1000           # replicates of one run (each keeps its monthly tables in memory)
SCHEDULER_SCHEMES = ("tcp", "tls")
FIRST_PORT = 1024                # a server port: below it only an administrator may listen

_YEAR = re.compile(r"[1-9][0-9]{3}")                 # plain ASCII, no sign, no leading zero
_KEY_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")  # a --set key part: schema names, regions, years
_WHOLE = re.compile(r"[0-9]+")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


class InputError(ValueError):
    """Bad input from the user; `problems` lists every problem, each naming file or option, key and allowed values."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ScenarioError(InputError):
    """A scenario (or sweep or sensitivity spec) failed validation."""


def shown(value: Any, limit: int = 60) -> str:
    """A value as it can be quoted in a message: bounded length, control characters escaped."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"
    text = repr(value) if not isinstance(value, str) else repr(value)[1:-1]
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def is_year_key(key: Any) -> bool:
    """A schedule's year key: four plain ASCII digits without a leading zero (not '٢٠٢٠', '²⁰²⁰' or '02020')."""
    return isinstance(key, str) and _YEAR.fullmatch(key) is not None


# --------------------------------------------------------------------------- files

def check_text_arg(text: Any, what: str) -> str:
    """A scenario name or path from the command line or `extends`: bounded, no control characters."""
    if not isinstance(text, (str, os.PathLike)):
        raise ScenarioError([f"{what}: expected a scenario name or path, got {type(text).__name__}; "
                             f"allowed: text or a path"])
    s = os.fspath(text)
    if not s or len(s) > MAX_ARG_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in s):
        raise ScenarioError([f"{what} '{shown(s)}': not a usable name or path; allowed: 1 to {MAX_ARG_CHARS} "
                          f"characters without control characters (NUL, newline, ...)"])
    return s


def read_toml(path: str | Path, what: str = "scenario file") -> dict:
    """Read a TOML file safely: a regular file of at most MAX_FILE_BYTES, UTF-8, bounded nesting and numbers."""
    path = Path(check_text_arg(path, what))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the open
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read this {what}: {exc.strerror or exc}; allowed: a readable TOML file"]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a device or special file"
        raise ScenarioError([f"{path}: {kind}, not a {what}; allowed: a regular TOML file"])
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError([f"{path}: larger than {MAX_FILE_BYTES:,} bytes; allowed: a {what} of at most {MAX_FILE_BYTES:,} bytes"])
    return parse_toml(decode(data, str(path), what), str(path))


def decode(data: bytes, where: str, what: str = "scenario file") -> str:
    """UTF-8 text (a UTF-8 byte-order mark is dropped); UTF-16 or Latin-1 files are refused by name."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and data[1:2] == b"\x00" and data[:1] != b"\x00"):
        raise ScenarioError([f"{where}: the {what} looks UTF-16 encoded; allowed: UTF-8 text (save it as UTF-8)"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ScenarioError([f"{where}: not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line} "
                             f"(a binary file, or Latin-1/Windows text?); allowed: a UTF-8 encoded TOML file"]) from None


def parse_toml(text: str, where: str) -> dict:
    """TOML text -> dict; parser failures, RecursionError and the 4,300-digit limit become InputErrors."""
    try:
        tree = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{where}: not valid TOML: {exc}; allowed: TOML syntax (toml.io), "
                             f"e.g. months = 12 under [rent_subsidy]"]) from None
    except RecursionError:
        raise ScenarioError([f"{where}: tables or arrays nested too deeply; allowed: at most {MAX_DEPTH} levels"]) from None
    except ValueError:  # int(): "Exceeds the limit (4300 digits)"; tomllib does not say where
        long = re.search(r"[0-9_]{4000,}", text)
        line = f" on line {text.count(chr(10), 0, long.start()) + 1}" if long else ""
        raise ScenarioError([f"{where}: a number too large to read{line}; "
                             f"allowed: integers from -2^63 to 2^63-1 and finite floats"]) from None
    problems = check_tree(tree, where)
    if problems:
        raise ScenarioError(problems)
    return tree


def check_tree(tree: dict, where: str, prefix: str = "") -> list[str]:
    """Problems of a parsed tree found without recursion: depth, key length and characters, number magnitude."""
    problems: list[str] = []
    stack: list[tuple[str, Any, int]] = [(prefix, tree, 0)]
    while stack and len(problems) < 20:
        key, node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_DEPTH:
                problems.append(f"{where}: key '{shown(key)}': nested {depth} levels deep; allowed: at most {MAX_DEPTH} levels")
                continue
            if isinstance(node, list):
                stack.extend((f"{key}[{i}]", v, depth + 1) for i, v in enumerate(node))
                continue
            for k, v in node.items():
                sub = f"{key}.{k}" if key else k
                if len(k) > MAX_KEY_CHARS or any(ord(c) < 32 or ord(c) == 127 for c in k):
                    problems.append(f"{where}: key '{shown(sub)}': not a usable key; "
                                    f"allowed: at most {MAX_KEY_CHARS} characters without control characters")
                else:
                    stack.append((sub, v, depth + 1))
        elif isinstance(node, int) and not isinstance(node, bool) and not -INT64 <= node < INT64:
            problems.append(f"{where}: key '{shown(key)}': {shown(node)} is out of range; allowed: integers from -2^63 to 2^63-1")
        elif isinstance(node, float) and not math.isfinite(node):
            problems.append(f"{where}: key '{shown(key)}': {node} is not a finite number; allowed: finite numbers")
    return problems


# --------------------------------------------------------------------------- --set overrides

def parse_override(item: str | tuple[str, Any]) -> tuple[list[str], Any]:
    """'a.b.c=value' (or a (key, value) pair from a dict) -> (['a','b','c'], value); TOML values, bare words are text."""
    if isinstance(item, tuple):
        key, value = item
        text = f"{key}={shown(value)}"
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()  # numpy scalars from Python callers
    else:
        text = item
        if not isinstance(text, str) or "=" not in text:
            raise ScenarioError([f"--set {shown(text)}: expected KEY=VALUE; allowed: a dotted scenario key, '=' and "
                                 f"a TOML value, e.g. rent_subsidy.months=24"])
        if len(text) > MAX_OVERRIDE_CHARS:
            raise ScenarioError([f"--set {shown(text)}: too long; allowed: at most {MAX_OVERRIDE_CHARS:,} characters"])
        key, value = text.split("=", 1)
        value = _override_value(text, key, value.strip())
    if not isinstance(key, str):
        raise ScenarioError([f"--set {shown(text)}: the key must be text, e.g. 'rent_subsidy.months'"])
    parts = key.strip().split(".")
    bad = [p for p in parts if not _KEY_PART.fullmatch(p) or len(p) > MAX_KEY_CHARS]
    if bad or len(parts) > MAX_DEPTH:
        raise ScenarioError([f"--set {shown(text)}: key '{shown(key.strip())}' is not a dotted scenario key; allowed: "
                             f"up to {MAX_DEPTH} parts of letters, digits, '_' and '-', e.g. rent_subsidy.months or mci_tenge.2020"])
    if parts[0] == "extends":
        raise ScenarioError([f"--set {shown(text)}: key 'extends' is allowed only in a scenario file; allowed: "
                             f"write a file with extends = \"...\" and run that, or name the other scenario directly"])
    problems = check_tree({"v": value}, f"--set {shown(text)}")
    if problems:
        raise ScenarioError([p.replace("key 'v", f"key '{key.strip()}") for p in problems])
    return parts, value


def _override_value(text: str, key: str, value: str) -> Any:
    try:
        parsed = tomllib.loads(f"v = {value}")
    except tomllib.TOMLDecodeError:
        if "\n" in value or "\r" in value:
            raise ScenarioError([f"--set {shown(text)}: a value on one line expected; allowed: one TOML value"]) from None
        return value  # a bare word is text, e.g. --set repayment.rule=all
    except RecursionError:
        raise ScenarioError([f"--set {shown(text)}: key '{key.strip()}': nested too deeply; allowed: at most {MAX_DEPTH} levels"]) from None
    except ValueError:
        raise ScenarioError([f"--set {shown(text)}: key '{key.strip()}': number too large to read; "
                             f"allowed: integers from -2^63 to 2^63-1 and finite floats"]) from None
    if set(parsed) != {"v"}:
        raise ScenarioError([f"--set {shown(text)}: one value expected; allowed: one TOML value per --set"])
    return parsed["v"]


def override_items(overrides: list[str] | dict | None) -> list:
    """--set strings or a {dotted key: value} dict (Python callers) as a list parse_override accepts."""
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return list(overrides.items())
    if isinstance(overrides, str):
        return [overrides]
    return list(overrides)


# --------------------------------------------------------------------------- command-line values
# Each takes an option's text and returns its value or raises InputError; sim.cli.arguments makes them
# argparse types, and argparse names the option in its message.

def whole_number(text: str, what: str, lo: int, hi: int, hi_text: str | None = None) -> int:
    """A whole number from `lo` to `hi` in plain ASCII digits (no sign, underscores or exponent)."""
    s = text.strip()
    if not _WHOLE.fullmatch(s) or len(s) > 25 or not lo <= int(s) <= hi:
        raise InputError([f"{shown(text)}: {what}; allowed: a whole number from {lo} to {hi_text or hi} (plain digits)"])
    return int(s)


def check_seed(text: str) -> int:
    """A seed in [0, 2^63)."""
    return whole_number(text, "not a seed", 0, MAX_SEED, "2^63-1")


def check_replicates(text: str) -> int:
    """Replicates from 1 to MAX_REPLICATES."""
    return whole_number(text, "not a number of replicates", 1, MAX_REPLICATES)


def check_positive_int(text: str) -> int:
    """Workers, trials, runs: a whole number from 1 to 1,000,000."""
    return whole_number(text, "not a positive whole number", 1, 1_000_000)


def check_scale(text: str) -> float:
    """A population scale within the schema's bounds of population.scale."""
    spec = SCHEMA.fields["population"].fields["scale"]
    try:
        v = float(text)
    except ValueError:
        v = math.nan
    if not (math.isfinite(v) and spec.lo <= v <= spec.hi):
        raise InputError([f"{shown(text)}: not a population scale; allowed: a number from {spec.lo:g} to {spec.hi:g}"])
    return v


def check_scheduler_address(text: str) -> str:
    """A Dask scheduler address, scheme://host:port with scheme tcp or tls."""
    allowed = "allowed: tcp://HOST:PORT or tls://HOST:PORT, e.g. tcp://127.0.0.1:8786, port 1 to 65535"
    s = text.strip()
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError:
        raise InputError([f"{shown(text)}: not a scheduler address; {allowed}"]) from None
    host = parts.hostname or ""
    if (parts.scheme not in SCHEDULER_SCHEMES or not host or port is None or not 1 <= port <= 65535
            or parts.path not in ("", "/") or parts.query or parts.fragment or parts.username
            or not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", parts.netloc) or len(s) > 300):
        raise InputError([f"{shown(text)}: not a scheduler address; {allowed}"])
    return f"{parts.scheme}://{parts.netloc}"


def check_port(text: str) -> int:
    """A port for a server to listen on: 1024 to 65535 (lower ones need administrator rights), or 0 for
    any free one (the dashboard's server, solara, picks it)."""
    s = text.strip()
    if s != "0" and not (_WHOLE.fullmatch(s) and len(s) <= 5 and FIRST_PORT <= int(s) <= 65535):
        raise InputError([f"{shown(text)}: not a port to serve on; allowed: a whole number from {FIRST_PORT} to 65535 "
                          f"(plain digits), or 0 for any free port"])
    return int(s)


def check_language(text: str) -> str:
    """A language of the catalogues (sim.i18n.LANGUAGES): en, kk or ru, written exactly so."""
    from sim.i18n import LANGUAGES

    if text not in LANGUAGES:
        raise InputError([f"{shown(text)}: not a language of relocsim; allowed: {', '.join(LANGUAGES)}"])
    return text


def check_host(text: str) -> str:
    """An address for a server to listen on: an IP address or a host name (RFC 1123 labels)."""
    s = text.strip()
    try:
        ipaddress.ip_address(s)
        return s
    except ValueError:
        pass
    if len(s) > 253 or not _HOST.fullmatch(s):
        raise InputError([f"{shown(text)}: not an address to listen on; allowed: an IP address (127.0.0.1: this "
                          f"machine only; 0.0.0.0: every network; ::1) or a host name of letters, digits, '-' and "
                          f"'.', e.g. localhost"])
    return s


def probe_scheduler(address: str, timeout: float = 3.0) -> None:
    """Raise InputError when nothing listens at a scheduler address (checked before a sweep starts)."""
    parts = urlsplit(address)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=timeout).close()
    except OSError as exc:
        raise InputError([f"--scheduler {address}: unreachable ({exc.strerror or exc}); allowed: the address of a "
                          f"running Dask scheduler (start one with `dask scheduler`) or no --scheduler for a local cluster"]) from None


def quota_warning(sc) -> str | None:
    """A warning when the scale leaves much of the quota in region-years under one simulated household.

    Quotas are scaled and rounded to whole persons each year; a region-year whose scaled quota is below
    one average household can admit nobody or one family by chance, so its arrivals are noise.
    """
    import numpy as np

    from sim.regions import DESTINATIONS

    scale_ = float(sc.data["population"]["scale"])
    size = float(sc.data["population"]["mean_household_size"])
    quota = np.array([sc.by_year(sc.data["quotas"][r]) for r in DESTINATIONS])  # region x year, persons
    positive = quota > 0
    if not positive.any():
        return None
    thin = positive & (quota * scale_ < size)
    share = quota[thin].sum() / quota[positive].sum()
    if share <= 0.05:
        return None
    need = float((size / quota[positive]).max())
    r, y = np.unravel_index(np.argmax(np.where(thin, quota, -1)), quota.shape)
    return (f"warning: {sc.source}: key 'population.scale': {scale_:g} is too small to resolve the quotas: {share:.0%} "
            f"of quota persons fall in region-years scaled below one household (e.g. {DESTINATIONS[r]} {sc.years[y]}: "
            f"{quota[r, y]:g} persons -> {quota[r, y] * scale_:.2g}); their arrivals are noise. Allowed: any scale "
            f"from 1e-05 to 1; {need:.2g} or more resolves every quota")
