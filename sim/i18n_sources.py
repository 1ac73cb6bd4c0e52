"""The text a reader sees that is data rather than a literal in the code: the label tables of sim/labels.py,
region and sector names of the region catalogue, and the schema's descriptions, sources, key words and
choices (the dashboard's lever panel is generated from them). `tools/catalogues.py extract` adds these to
the message ids Babel finds in the code (`_`, `N_`, `ngettext`), so the catalogues cover both."""

from __future__ import annotations

from typing import Any, Iterator

from sim import labels
from sim.fields import Choice, Probs
from sim.regions import catalogue
from sim.schema import SCHEMA


def _label_tables() -> Iterator[str]:
    for lab in labels.OUTCOMES.values():
        yield lab.text
        yield lab.help
    for table in (labels.GROUPS, labels.SCENARIOS, labels.RETURN_REASON_LABELS, labels.LEVER_GROUPS, labels.LEVER_WORDS):
        yield from table.values()


def _regions() -> Iterator[str]:
    cat = catalogue()
    for side in ("origin", "destination"):
        for region in cat[side].values():
            yield region["name"]
            yield region["name"].replace(" region", "")
    for sector in cat["sectors"]["ids"]:
        yield labels.humanised(sector)


def _schema_text(spec: Any) -> Iterator[str]:
    for attr in ("doc", "source"):
        yield getattr(spec, attr, "") or ""
    item = getattr(spec, "item", None)
    if item is not None:
        yield from _schema_text(item)
    if isinstance(spec, Choice):
        yield from spec.choices
    if isinstance(spec, Probs):   # categories: words of LEVER_WORDS or month spans ("1_3_months")
        yield from (labels.humanised(c) for c in spec.labels if c not in labels.LEVER_WORDS and not c[0].isdigit())


def _schema() -> Iterator[str]:
    """Descriptions, sources and the words of every key (a key without a label is written from its words)."""
    regions = set(catalogue()["origin"]) | set(catalogue()["destination"])
    for key, spec in SCHEMA.leaves():
        yield from _schema_text(spec)
        for part in key.split("."):
            if part not in labels.LEVER_WORDS and part not in labels.LEVER_GROUPS and part not in regions:
                yield labels.humanised(part)
    yield from (labels.humanised(head) for head in SCHEMA.fields if head not in labels.LEVER_GROUPS)


def messages() -> list[str]:
    """Every such message id, once, in a stable order."""
    out = dict.fromkeys(m for source in (_label_tables(), _regions(), _schema()) for m in source if m and m.strip())
    return list(out)
