"""labels.csv: each key of a result beside its name and unit in every language.

Result files keep English keys and column names whatever `--lang` says, so scripts keep working; a reader's
table joins labels.csv on `key` to show the names in Kazakh or Russian. It holds every language at once, so it
is the same file whatever the language of the command that wrote it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.i18n import LANGUAGES, using
from sim.labels import label

LABELS_CSV = "labels.csv"


def labels_frame(keys: list[str]) -> pd.DataFrame:
    """One row per key (first occurrence kept): key, kind, then label_<lang> and unit_<lang> for each language."""
    rows = []
    for key in dict.fromkeys(keys):
        row = {"key": key, "kind": label(key).kind}
        for lang in LANGUAGES:
            with using(lang):
                lab = label(key)
                row[f"label_{lang}"], row[f"unit_{lang}"] = lab.text, lab.unit
        rows.append(row)
    return pd.DataFrame(rows, columns=["key", "kind", *(f"{c}_{lang}" for lang in LANGUAGES for c in ("label", "unit"))])


def write_labels(keys: list[str], path: Path) -> None:
    labels_frame(keys).to_csv(path, index=False)
