"""Canonical place ids and labels, read from the directory's vocabulary (places.yml)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

PLACES = Path(__file__).resolve().parent.parent / "vocabulary" / "places.yml"


@cache
def borough_labels() -> dict[str, str]:
    places = yaml.safe_load(PLACES.read_text())
    return {pid: place["label"] for pid, place in places["partnership_boroughs"].items()}


def place_ids() -> set[str]:
    return set(borough_labels())
