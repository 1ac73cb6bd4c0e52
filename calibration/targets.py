"""Load the calibration targets transcribed from the IOM 2021 assessment and 2024 official figures.

Both CSVs live next to this module; nothing outside the package is read.
"""
from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path

import pandas as pd

HERE = Path(str(files("calibration")))  # package data: found wherever calibration is installed
TARGETS_CSV = HERE / "targets.csv"
OFFICIAL_CSV = HERE / "official.csv"

TARGET_COLUMNS = [
    "target", "table", "breakdown", "group", "cell", "count", "percent_reported", "base",
    "multiple_answers", "split", "kind", "base_note", "source",
]
OFFICIAL_COLUMNS = ["target", "region", "quantity", "value", "period", "split", "kind", "source", "note"]

BREAKDOWNS = {"region", "gender", "marital_status", "settlement_type", "age_group", "all"}
SPLITS = {"calibration", "holdout"}
# input: the model draws the figure (scored apart, as a consistency check); outcome: the model must
# produce it (only these count toward the goals); duplicate: the same figure printed in another table;
# not_modelled: the model has no state that answers it (kept, unscored; reasons in calibration/README.md).
KINDS = {"input", "outcome", "duplicate", "not_modelled"}
SURVEY_REGIONS = {"north_kazakhstan", "east_kazakhstan", "kostanay", "pavlodar", "all"}
REGIONS = {
    # destinations
    "north_kazakhstan", "east_kazakhstan", "kostanay", "pavlodar", "akmola", "karaganda", "abay", "ulytau",
    # origins
    "turkestan", "shymkent", "zhambyl", "kyzylorda", "almaty_region", "mangystau", "almaty_city", "nur_sultan",
    "all",
}


def _fail(path: Path, line: int, msg: str) -> None:
    raise ValueError(f"{path.name}, row {line}: {msg}")


def _read_rows(path: Path, columns: list[str]) -> list[tuple[int, dict]]:
    """Read a CSV as strings, checking the header; return (file line number, row) pairs."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != columns:
            raise ValueError(f"{path.name}: header {reader.fieldnames} != expected {columns}")
        rows = []
        for row in reader:
            line = reader.line_num
            if None in row or any(v is None for v in row.values()):
                _fail(path, line, "wrong number of fields")
            rows.append((line, row))
    return rows


def _int(path: Path, line: int, name: str, s: str, required: bool) -> int | None:
    if s == "":
        if required:
            _fail(path, line, f"{name} is empty")
        return None
    try:
        v = int(s)
    except ValueError:
        _fail(path, line, f"{name}={s!r} is not an integer")
    if v < 0:
        _fail(path, line, f"{name}={v} is negative")
    return v


def load_targets(path: Path | str = TARGETS_CSV) -> pd.DataFrame:
    """Return the survey targets (one row per table/group/cell).

    count and base are nullable integers (Int64), percent_reported is a fraction in [0, 1]
    (NaN where the table prints no percentage), multiple_answers is bool.
    Raises ValueError naming the file and row on a malformed row.
    """
    path = Path(path)
    records = []
    for line, r in _read_rows(path, TARGET_COLUMNS):
        for col in ("target", "table", "breakdown", "group", "cell", "split", "source"):
            if not r[col].strip():
                _fail(path, line, f"{col} is empty")
        if not r["table"].startswith("Table "):
            _fail(path, line, f"table={r['table']!r} should look like 'Table 17'")
        if r["breakdown"] not in BREAKDOWNS:
            _fail(path, line, f"unknown breakdown {r['breakdown']!r}")
        if r["breakdown"] == "region" and r["group"] not in SURVEY_REGIONS:
            _fail(path, line, f"unknown region group {r['group']!r}")
        if r["split"] not in SPLITS:
            _fail(path, line, f"split={r['split']!r} not in {sorted(SPLITS)}")
        if r["kind"] not in KINDS:
            _fail(path, line, f"kind={r['kind']!r} not in {sorted(KINDS)}")
        if r["multiple_answers"] not in ("true", "false"):
            _fail(path, line, f"multiple_answers={r['multiple_answers']!r} must be true/false")
        count = _int(path, line, "count", r["count"], required=False)
        base = _int(path, line, "base", r["base"], required=False)
        pct = None
        if r["percent_reported"] != "":
            try:
                pct = float(r["percent_reported"])
            except ValueError:
                _fail(path, line, f"percent_reported={r['percent_reported']!r} is not a number")
            if not 0.0 <= pct <= 1.0:
                _fail(path, line, f"percent_reported={pct} outside [0, 1] (write 0.516, not 51.6)")
            if base is None:
                _fail(path, line, "percent_reported given without a base")
        if count is None and pct is None:
            _fail(path, line, "row has neither count nor percent_reported")
        records.append({**r, "count": count, "base": base, "percent_reported": pct,
                        "multiple_answers": r["multiple_answers"] == "true"})
    df = pd.DataFrame.from_records(records, columns=TARGET_COLUMNS)
    df["count"] = df["count"].astype("Int64")
    df["base"] = df["base"].astype("Int64")
    df["percent_reported"] = df["percent_reported"].astype("float64")
    df["multiple_answers"] = df["multiple_answers"].astype(bool)
    key = ["target", "group", "cell"]
    dup = df[df.duplicated(key, keep=False)]
    if not dup.empty:
        raise ValueError(f"{path.name}: duplicate (target, group, cell) rows: {dup[key].values.tolist()[:5]}")
    return df


def load_official(path: Path | str = OFFICIAL_CSV) -> pd.DataFrame:
    """Return the official statistics (Tables 10-11, executive summary, 2024 release).

    value is an integer (int64). region is a known id, or ids joined by '+' for pooled figures.
    Raises ValueError naming the file and row on a malformed row.
    """
    path = Path(path)
    records = []
    for line, r in _read_rows(path, OFFICIAL_COLUMNS):
        for col in ("target", "region", "quantity", "period", "split", "source"):
            if not r[col].strip():
                _fail(path, line, f"{col} is empty")
        bad = [p for p in r["region"].split("+") if p not in REGIONS]
        if bad:
            _fail(path, line, f"unknown region id(s) {bad}")
        if r["split"] not in SPLITS:
            _fail(path, line, f"split={r['split']!r} not in {sorted(SPLITS)}")
        if r["kind"] not in KINDS:
            _fail(path, line, f"kind={r['kind']!r} not in {sorted(KINDS)}")
        value = _int(path, line, "value", r["value"], required=True)
        records.append({**r, "value": value})
    df = pd.DataFrame.from_records(records, columns=OFFICIAL_COLUMNS)
    df["value"] = df["value"].astype("int64")
    key = ["target", "region", "quantity"]
    dup = df[df.duplicated(key, keep=False)]
    if not dup.empty:
        raise ValueError(f"{path.name}: duplicate (target, region, quantity) rows: {dup[key].values.tolist()[:5]}")
    return df
