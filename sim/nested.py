"""Nested dicts (run summaries, scenarios) as flat dotted keys and back: the one spelling of an
outcome or scenario key that tables, sweeps and comparisons share."""

from __future__ import annotations


def flatten(d: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"a.b": 1}; lists and other values are kept as they are."""
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def unflatten(flat: dict) -> dict:
    """{"a.b": 1} -> {"a": {"b": 1}}, the inverse of `flatten`."""
    out: dict = {}
    for key, v in flat.items():
        node = out
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = v
    return out
