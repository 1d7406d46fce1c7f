"""The three-way merge publishing makes, on any entity's dict (the diff it shows a reviewer is
directory.diffs')."""

from __future__ import annotations

from directory.editor.entities import Conflict


def merge(base: dict | None, proposed: dict, current: dict | None, ignored=frozenset()) -> dict:
    """Three-way merge of top-level fields; raises Conflict when both sides changed one."""
    if base is None or current is None:
        return dict(proposed)
    merged, conflicts = {}, []
    for key in proposed.keys() | current.keys():
        mine, theirs, original = proposed.get(key), current.get(key), base.get(key)
        if key in ignored or mine == original:
            merged[key] = theirs
        elif theirs in (original, mine):
            merged[key] = mine
        else:
            conflicts.append(key)
    if conflicts:
        raise Conflict(sorted(conflicts))
    return merged
