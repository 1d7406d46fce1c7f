"""Resolve what a person types for "where" into canonical borough ids.

`resolve_place(text) -> PlaceResolution` accepts a borough name or alias, a neighbourhood
(Shepherd's Bush, Pimlico, Maida Vale, ...), a postcode district (W6, SW1A) or a full postcode
(reduced to its district at once: nothing finer is kept). The bot's form validation and
`directory.matching.search` both call it. Data: directory/vocabulary/places.yml.

`kind` is one of:
- "partnership": touches Hammersmith & Fulham, Kensington & Chelsea or Westminster
  (`boroughs` lists every partnership borough it touches, e.g. W14 -> H&F and K&C);
- "other-london": another London borough (`boroughs` holds its id when known, e.g. "croydon";
  empty for a London postcode outside the partnership);
- "outside-london": somewhere else (`boroughs` is ("outside-london",));
- "unknown": not recognised (`boroughs` is empty).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from directory.wording import listing, say

PLACES_FILE = Path(__file__).parent / "vocabulary" / "places.yml"
OUTSIDE_LONDON = "outside-london"

# Postcode areas of the London postal districts, and the outer-London areas that are mostly
# in Greater London. Other areas (M, B, ...) are outside London.
LONDON_AREAS = {"E", "EC", "N", "NW", "SE", "SW", "W", "WC", "BR", "CR", "HA", "SM", "UB"}
# Areas split between Greater London and the home counties: still "London" for our purpose
# (pan-London services may apply), but the label says "London or nearby".
EDGE_AREAS = {"DA", "EN", "IG", "KT", "RM", "TW"}

_POSTCODE = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})?$")


@dataclass(frozen=True)
class PlaceResolution:
    boroughs: tuple[str, ...]
    kind: str  # "partnership" | "other-london" | "outside-london" | "unknown"
    label: str  # for people, e.g. "Westminster" or "W14 (Hammersmith & Fulham, K&C)"

    @property
    def in_partnership(self) -> bool:
        return self.kind == "partnership"


@dataclass(frozen=True)
class _Places:
    labels: dict[str, str]  # every borough id -> label
    partnership: tuple[str, ...]
    names: dict[str, tuple[str, ...]]  # lower-case alias/neighbourhood -> borough ids
    districts: dict[str, tuple[str, ...]]  # postcode district -> partnership borough ids
    outside: frozenset[str]
    borough_names: frozenset[str]  # names of whole boroughs (the rest are neighbourhoods)


@lru_cache(maxsize=1)
def places() -> _Places:
    data = yaml.safe_load(PLACES_FILE.read_text())
    labels: dict[str, str] = {}
    names: dict[str, list[str]] = {}
    borough_names: set[str] = set()
    districts: dict[str, list[str]] = {}

    def add(mapping: dict[str, list[str]], key: str, borough: str) -> None:
        ids = mapping.setdefault(key, [])
        if borough not in ids:
            ids.append(borough)

    for borough, entry in data["partnership_boroughs"].items():
        labels[borough] = entry["label"]
        for name in [borough.replace("-", " "), entry["label"], *entry.get("aliases", [])]:
            add(names, _normal(name), borough)
            borough_names.add(_normal(name))
        for name in entry.get("neighbourhoods", []):
            add(names, _normal(name), borough)
        for district in entry.get("postcode_districts", []):
            add(districts, district.upper(), borough)
    for borough, entry in data["other_london_boroughs"].items():
        labels[borough] = entry["label"]
        for name in [borough.replace("-", " "), entry["label"], *entry.get("aliases", [])]:
            add(names, _normal(name), borough)
    outside = frozenset(_normal(a) for a in data.get("outside_london", {}).get("aliases", []))
    return _Places(
        labels=labels,
        partnership=tuple(data["partnership_boroughs"]),
        names={k: tuple(v) for k, v in names.items()},
        districts={k: tuple(v) for k, v in districts.items()},
        outside=outside,
        borough_names=frozenset(borough_names),
    )


def _normal(text: str) -> str:
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    return " ".join(text.split())


def borough_label(borough: str) -> str:
    if borough == OUTSIDE_LONDON:
        return say("outside_london")
    return places().labels.get(borough, borough)


def partnership_names() -> str:
    """'Hammersmith & Fulham, Kensington & Chelsea and Westminster', from the vocabulary."""
    return listing([borough_label(b) for b in partnership_boroughs()])


def is_known_borough(borough: str) -> bool:
    return borough in places().labels


def partnership_boroughs() -> tuple[str, ...]:
    return places().partnership


def postcode_district(text: str) -> str | None:
    """ "W6 9ZZ" -> "W6"; "sw1a1aa" -> "SW1A"; "W6" -> "W6"; anything else -> None."""
    match = _POSTCODE.match(re.sub(r"\s+", " ", text.strip().upper()))
    if not match:
        return None
    area, district, _inward = match.groups()
    return area + district


def _resolve_postcode(district: str) -> PlaceResolution | None:
    p = places()
    area = re.match(r"[A-Z]+", district).group()
    boroughs = p.districts.get(district)
    if boroughs is None and len(district) > 2 and district[-1].isalpha():
        boroughs = p.districts.get(district[:-1])  # W1D -> W1, SW1A -> SW1
    if boroughs:
        ordered = tuple(b for b in p.partnership if b in boroughs)
        names = ", ".join(borough_label(b) for b in ordered)
        return PlaceResolution(ordered, "partnership", f"{district} ({names})")
    if area in LONDON_AREAS:
        return PlaceResolution((), "other-london", f"{district} (London)")
    if area in EDGE_AREAS:
        return PlaceResolution((), "other-london", f"{district} (London or nearby)")
    return PlaceResolution((OUTSIDE_LONDON,), "outside-london", f"{district} (outside London)")


def resolve_place(text: str | None) -> PlaceResolution:
    """Resolve free text to boroughs. Never raises; unrecognised text gives kind "unknown"."""
    if not text or not text.strip():
        return PlaceResolution((), "unknown", "")
    p = places()
    raw = text.strip()
    if raw in p.labels or raw == OUTSIDE_LONDON:  # already a canonical id
        return _from_ids((raw,))
    district = postcode_district(raw)
    if district:
        resolved = _resolve_postcode(district)
        if resolved:
            return resolved
    normal = _normal(raw)
    if normal in p.outside:
        return PlaceResolution((OUTSIDE_LONDON,), "outside-london", raw)
    # Longest known name inside the text wins ("west kensington" over "kensington").
    words = normal.split()
    for size in range(min(len(words), 4), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in p.names:
                resolved = _from_ids(p.names[phrase])
                if phrase in p.borough_names or resolved.kind != "partnership":
                    return resolved
                # A neighbourhood: say which borough it is in.
                return PlaceResolution(
                    resolved.boroughs,
                    resolved.kind,
                    f"{string.capwords(phrase)} ({resolved.label})",
                )
            if phrase in p.outside:
                return PlaceResolution((OUTSIDE_LONDON,), "outside-london", phrase)
    # A postcode inside a longer text ("I live in W6").
    for word in raw.upper().replace(",", " ").split():
        if re.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]?", word):
            resolved = _resolve_postcode(word)
            if resolved and resolved.kind != "outside-london":
                return resolved
    return PlaceResolution((), "unknown", "")


def _from_ids(boroughs: tuple[str, ...]) -> PlaceResolution:
    p = places()
    if boroughs == (OUTSIDE_LONDON,):
        return PlaceResolution(boroughs, "outside-london", "outside London")
    ours = tuple(b for b in p.partnership if b in boroughs)
    if ours:
        return PlaceResolution(ours, "partnership", " and ".join(borough_label(b) for b in ours))
    return PlaceResolution(
        tuple(boroughs), "other-london", " and ".join(borough_label(b) for b in boroughs)
    )


def resolve_boroughs(values: tuple[str, ...] | list[str]) -> PlaceResolution:
    """Combine several inputs (canonical ids or free text) into one resolution."""
    resolutions = [resolve_place(v) for v in values if v]
    if not resolutions:
        return PlaceResolution((), "unknown", "")
    known = [r for r in resolutions if r.kind != "unknown"]
    if not known:
        return resolutions[0]
    for kind in ("partnership", "other-london", "outside-london"):
        chosen = [r for r in known if r.kind == kind]
        if chosen:
            boroughs: list[str] = []
            for r in chosen:
                boroughs += [b for b in r.boroughs if b not in boroughs]
            return PlaceResolution(tuple(boroughs), kind, "; ".join(r.label for r in chosen))
    return known[0]
