"""The place lookup table of data/nlu/lookups.yml, made from the place names we already keep.

    python -m bot.nlp.lookups          rewrite the place table in data/nlu/lookups.yml
    python -m bot.nlp.lookups --check  exit 1 if the file is not what the sources give

The names are every place in the directory's vocabulary (directory/vocabulary/places.yml:
ids, labels, aliases, neighbourhoods) and in our place gazetteer (gazetteers/places.yml,
phrases expanded), postcode districts aside (a regex in the same file covers them), each in
lower case and in title case, sorted. The file's other tables (professional roles, the postcode
regex) are written by hand and left as they are. The table is training data: a change to it
changes the model, so rewrite the file only together with retraining.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from bot.nlp.build import GAZETTEERS, VOCABULARY, expand

LOOKUPS = Path(__file__).resolve().parents[2] / "data" / "nlu" / "lookups.yml"
_DISTRICT = re.compile(r"^[a-z]{1,2}\d{1,2}[a-z]?$")
# As in the table since it was first written: left out are words that are as often not a
# place (reading, strand, victoria, ...), phrases saying somewhere is not London, and two
# misspellings that stand alone in the held-out sets (tests/nlu, tests/e2e).
LEFT_OUT = frozenset(
    {
        "hayes",
        "kent",
        "reading",
        "richmond",
        "strand",
        "sutton",
        "victoria",
        "the city",
        "square mile",
        "outside london",
        "out of london",
        "not in london",
        "kensignton",
        "westminister",
    }
)
ADDED = frozenset({"london", "victoria station"})
_TABLE = re.compile(r"(  - lookup: place\n    examples: \|\n)(.*?)(\n\n)", re.DOTALL)


def place_names() -> list[str]:
    vocabulary = yaml.safe_load((VOCABULARY / "places.yml").read_text())
    names: set[str] = set()
    for group in ("partnership_boroughs", "other_london_boroughs"):
        for place_id, place in vocabulary[group].items():
            names |= {place_id.replace("-", " "), place["label"], *place.get("aliases", [])}
            names |= set(place.get("neighbourhoods", []))
    names |= set(vocabulary["outside_london"]["aliases"])
    gazetteer = yaml.safe_load((GAZETTEERS / "places.yml").read_text())
    for phrases in gazetteer["borough"].values():
        names |= {text for phrase in phrases for text in expand(phrase)}
    lower = {name.lower() for name in names if not _DISTRICT.match(name.lower())}
    lower = (lower - LEFT_OUT) | ADDED
    return sorted(lower | {name.title() for name in lower})


def with_place_table(text: str) -> str:
    """`text` (the lookups file) with its place table replaced by the generated one."""
    examples = "\n".join(f"      - {name}" for name in place_names())
    new, count = _TABLE.subn(lambda m: m.group(1) + examples + m.group(3), text)
    if count != 1:
        raise ValueError(f"{LOOKUPS}: expected one place lookup table, found {count}")
    return new


def main(argv: list[str]) -> int:
    current = LOOKUPS.read_text()
    wanted = with_place_table(current)
    if "--check" in argv:
        if wanted != current:
            print(f"{LOOKUPS} differs from its sources: run python -m bot.nlp.lookups")
            return 1
        return 0
    LOOKUPS.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
