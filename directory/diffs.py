"""Field-level differences between two versions of any entity's dict: what the editor shows a
reviewer and what an import plan reports, one definition for both."""

from __future__ import annotations

from typing import Any


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
        for index, item in enumerate(value, start=1):
            _flatten(item, f"{prefix} {index}", out)
    else:
        out[prefix] = value


def diff(before: dict | None, after: dict | None, ignored=frozenset()) -> list[dict]:
    """Field-level differences, e.g. {"field": "phones 1.number", "before": .., "after": ..}.
    Lists of records are compared item by item; lists of plain values as a whole."""
    flat_before: dict[str, Any] = {}
    flat_after: dict[str, Any] = {}
    _flatten({k: v for k, v in (before or {}).items() if k not in ignored}, "", flat_before)
    _flatten({k: v for k, v in (after or {}).items() if k not in ignored}, "", flat_after)
    changes = []
    for name in sorted(flat_before.keys() | flat_after.keys()):
        old, new = flat_before.get(name), flat_after.get(name)
        if old != new and not (old in (None, "", []) and new in (None, "", [])):
            changes.append({"field": name, "before": old, "after": new})
    return changes


def changed_fields(before: dict | None, after: dict) -> dict[str, tuple]:
    """diff() as {field: (before, after)}; every field is changed when there was no before."""
    return {c["field"]: (c["before"], c["after"]) for c in diff(before, after)}
