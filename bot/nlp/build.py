"""Build the spaCy pipeline Rasa loads (`SpacyNLP`, `model: build/spacy/vawg`).

`python -m bot.nlp.build OUT_DIR`. A blank English pipeline plus one entity ruler, blind to
quotation marks (bot/nlp/ruler.py), and learned guessers of the strand and of danger, trained
here in seconds, for what the ruler misses (bot/nlp/guesser.py); no downloaded weights. Patterns
come from two kinds of data file:

- the directory's vocabulary (directory/vocabulary/*.yml), so the bot recognises every place and
  term the directory can match on;
- our own gazetteers (bot/nlp/gazetteers/*.yml): misspellings, slang, indirect descriptions
  ("he checks my phone" -> domestic-abuse) and the danger phrases that must never be missed.

Each pattern's `id` is the canonical value (e.g. "westminster"); the Rasa extractor returns it
instead of the raw text. Labels: borough, strand, need (entities) and DANGER (in doc.spans, read by
bot.nlu.danger, never shown as an entity).
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
import yaml

from bot.nlp.guesser import gazetteer_examples, load_examples  # and vawg_term_guesser
from bot.nlp.ruler import DANGER_LABEL  # and registers the vawg_entity_ruler factory

ROOT = Path(__file__).resolve().parents[2]
VOCABULARY = ROOT / "directory" / "vocabulary"
GAZETTEERS = Path(__file__).resolve().parent / "gazetteers"
OUTSIDE_LONDON = "outside-london"

_GROUP = re.compile(r"\(([^()]*)\)")


def expand(phrase: str) -> Iterator[str]:
    """'(he|she) hits me' -> 'he hits me', 'she hits me'. An empty alternative is optional."""
    parts = _GROUP.split(phrase)
    # split() alternates literal text and group contents: literal, group, literal, ...
    choices = [[part] if i % 2 == 0 else part.split("|") for i, part in enumerate(parts)]
    for combination in itertools.product(*choices):
        text = " ".join("".join(combination).split())
        if any(c in text for c in "()|"):
            raise ValueError(f"nested or unbalanced group in gazetteer phrase: {phrase!r}")
        if text:
            yield text


def _phrase(label: str, text: str, canonical: str) -> dict:
    # A phrase pattern (matched on LOWER, see build_nlp): PhraseMatcher is far faster than
    # thousands of token patterns, and equally case-insensitive. The text is kept as written:
    # the ruler tokenizes it exactly as it tokenizes messages. (Re-joining tokens with spaces
    # broke contractions: "i 'm" is not tokenized as "i'm" is, so "i'm in danger" never
    # matched.)
    return {"label": label, "pattern": " ".join(text.lower().split()), "id": canonical}


def _postcode(district: str, borough: str) -> list[dict]:
    """A district ("W2") and full postcodes in it ("W2 1AA", "w21aa", "SW1A 2AA")."""
    district = district.lower()
    sub = "[a-z]?" if district[-1].isdigit() else ""
    return [
        {
            "label": "borough",
            "pattern": [{"LOWER": {"REGEX": f"^{district}{sub}$"}}],
            "id": borough,
        },
        {
            "label": "borough",
            "pattern": [{"LOWER": {"REGEX": f"^{district}{sub}\\d[a-z]{{2}}$"}}],
            "id": borough,
        },
    ]


def _load(path: Path) -> dict:
    return (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}


def _surface_forms(entries: Iterable[str]) -> Iterator[str]:
    for entry in entries:
        for text in expand(str(entry)):
            yield text
            if "'" in text:
                yield text.replace("'", "\u2019")  # phones type curly apostrophes


def place_patterns() -> list[dict]:
    places = _load(VOCABULARY / "places.yml")
    patterns = []
    for place_id, place in (places.get("partnership_boroughs") or {}).items():
        forms = [
            place.get("label", ""),
            *place.get("aliases", []),
            *place.get("neighbourhoods", []),
        ]
        patterns += [_phrase("borough", form, place_id) for form in _surface_forms(forms) if form]
        for district in place.get("postcode_districts", []):
            patterns += _postcode(str(district), place_id)
    for place_id, place in (places.get("other_london_boroughs") or {}).items():
        forms = [place.get("label", ""), *place.get("aliases", [])]
        patterns += [_phrase("borough", form, place_id) for form in _surface_forms(forms) if form]
    outside = (places.get("outside_london") or {}).get("aliases", [])
    patterns += [_phrase("borough", form, OUTSIDE_LONDON) for form in _surface_forms(outside)]
    return patterns


def term_patterns() -> list[dict]:
    taxonomy = _load(VOCABULARY / "taxonomy.yml")
    patterns = []
    for label in ("strand", "need"):
        for term_id in taxonomy.get(label) or {}:
            patterns.append(_phrase(label, term_id.replace("-", " "), term_id))
    return patterns


def gazetteer_patterns() -> list[dict]:
    patterns = []
    for path in sorted(GAZETTEERS.glob("*.yml")):
        for label, entries in _load(path).items():
            rasa_label = DANGER_LABEL if label == "danger" else label
            if label == "danger":
                entries = {"immediate_danger": entries}
            for canonical, forms in entries.items():
                for form in _surface_forms(forms):
                    if _POSTCODE_DISTRICT.match(form) and label == "borough":
                        patterns += _postcode(form, canonical)
                    else:
                        patterns.append(_phrase(rasa_label, form, canonical))
    return patterns


# The learned guessers (bot/nlp/guesser.py) and their settings, chosen on the tuning sets.
# A need guesser was measured too (846 examples): tuning sets 98.4 % -> 97.4 %, held-out 90.6 %
# -> 90.3 %. A need is what the person asks for; guessed from what happened ("he keeps my
# passport" -> immigration advice) it narrowed the answer to the wrong services.
# Danger: any message, however short ("he's here"), and a low bar, because a false alarm costs
# a few lines above the answer and a miss could cost a life. Measured on the held-out set: danger
# recall 47/51 before, 51/51 with it (50/51 at 0.7), danger lines without their answer 1.2 % ->
# 2.6 % (target at most 5 %).
GUESSERS: dict[str, dict] = {
    "strand": {"threshold": 0.7, "min_words": 3},
    "danger": {"threshold": 0.5, "min_words": 1},
}

_POSTCODE_DISTRICT = re.compile(r"^(w|sw|nw|wc|ec|se|n|e)\d{1,2}$", re.IGNORECASE)


def all_patterns() -> list[dict]:
    """Each distinct pattern once, with the first canonical id seen for it.

    A postcode district on a boundary (W2, W14, SW10, ...) is listed under every borough it
    touches in the directory's vocabulary, but a slot holds one id: our gazetteer's postcode
    entries name the main borough for each district, so they come first. Otherwise the
    directory's vocabulary wins over our extras.
    """
    ours = gazetteer_patterns()
    postcodes = [p for p in ours if "REGEX" in repr(p["pattern"])]
    unique = {}
    for pattern in postcodes + place_patterns() + term_patterns() + ours:
        key = (pattern["label"], repr(pattern["pattern"]).lower())
        unique.setdefault(key, pattern)
    return list(unique.values())


def build_nlp(
    vectors: Path | None = None, guessers: dict[str, dict] | None = None
) -> spacy.language.Language:
    """`guessers`: each learned guesser's dimension and settings (default: the strand's)."""
    nlp = spacy.blank("en")
    if vectors is not None:
        # Pretrained word vectors (bot/nlp/vectors.py) for SpacyFeaturizer; rows are looked up
        # by the hash of each word, so spaCy's string table is not needed.
        nlp.vocab.vectors.from_disk(vectors, exclude=["strings"])
    patterns = all_patterns()
    nlp.add_pipe("vawg_entity_ruler").add_patterns(patterns)
    for dimension, settings in (guessers or GUESSERS).items():
        guesser = nlp.add_pipe(
            "vawg_term_guesser",
            name=f"{dimension}_guesser",
            config={"dimension": dimension, **settings},
        )
        examples = load_examples(dimension) + gazetteer_examples(patterns, dimension)
        # Each example as the ruler leaves it (places found), without the other guessers.
        with nlp.select_pipes(enable=["vawg_entity_ruler"]):
            docs = [nlp(text) for text, _ in examples]
        guesser.fit([(doc, terms) for doc, (_, terms) in zip(docs, examples, strict=True)])
    return nlp


def build(out_dir: Path, vectors: Path | None = None) -> None:
    nlp = build_nlp(vectors)
    # A fresh folder: spaCy's to_disk leaves the files of a component no longer built.
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    nlp.to_disk(out_dir)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/spacy/vawg")
    build(target, Path(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(f"spaCy pipeline written to {target}")
