"""Build the spaCy pipeline Rasa loads (`SpacyNLP`, `model: build/spacy/vawg`).

`python -m bot.nlp.build OUT_DIR`. Patterns come from the directory's vocabulary files, so the
bot recognises exactly the places and terms the directory can match on. Each pattern's `id` is
the canonical value (e.g. "westminster"), which the extractor returns instead of the raw text.
"""

from __future__ import annotations

import sys
from pathlib import Path

import spacy
import yaml

VOCABULARY = Path(__file__).resolve().parents[2] / "directory" / "vocabulary"


def place_patterns() -> list[dict]:
    places = yaml.safe_load((VOCABULARY / "places.yml").read_text())
    patterns = []
    for place_id, place in places["partnership_boroughs"].items():
        for alias in place["aliases"]:
            patterns.append(_phrase("borough", alias, place_id))
    return patterns


def term_patterns() -> list[dict]:
    taxonomy = yaml.safe_load((VOCABULARY / "taxonomy.yml").read_text())
    patterns = []
    for label in ("strand", "need"):
        for term_id in taxonomy[label]:
            patterns.append(_phrase(label, term_id.replace("-", " "), term_id))
    return patterns


def _phrase(label: str, text: str, canonical: str) -> dict:
    # Token patterns on LOWER make matching case-insensitive without a lowercased copy.
    tokens = [{"LOWER": token.lower()} for token in _tokenize(text)]
    return {"label": label, "pattern": tokens, "id": canonical}


_TOKENIZER = spacy.blank("en").tokenizer


def _tokenize(text: str) -> list[str]:
    return [t.text for t in _TOKENIZER(text)]


def build(out_dir: Path) -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(place_patterns() + term_patterns())
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy/vawg")
    build(target)
    print(f"spaCy pipeline written to {target}")
