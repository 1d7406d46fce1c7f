"""The directory layer's words for people, from directory/wording.yml: `say("covers",
boroughs="Westminster")`. A missing key or placeholder is an error, never a blank line."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

WORDING = Path(__file__).with_name("wording.yml")


@functools.cache
def wording() -> dict:
    return yaml.safe_load(WORDING.read_text())


def say(key: str, **values) -> str:
    return wording()[key].format(**values)


def short_label(code: str) -> str | None:
    return wording()["short_labels"].get(code)


def listing(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + say("and") + items[-1]
