"""Danger in other languages (bot/nlu/danger_languages/, issue 18): the patterns load, the
folding they are matched with, and that they stay quiet on English."""

from __future__ import annotations

import pytest
import yaml
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.danger import (
    DANGER_LANGUAGES,
    MESSAGE_LANGUAGE,
    URGENCY,
    DangerOverride,
    danger_language,
    fold,
    fold_pattern,
    has_danger_words,
)
from tests.conftest import PROJECT_ROOT, nlu_examples


def test_every_file_names_its_language_and_its_review():
    paths = sorted(DANGER_LANGUAGES.glob("*.yml"))
    assert len(paths) >= 14
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["language"] == path.stem
        assert data["status"] == "needs review" or data["status"].startswith("approved by ")
        assert data["patterns"]


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Él me está PEGANDO", "el me esta pegando"),  # accents and case
        ("أنا  خائفة", "انا خايفه"),  # hamzas, taa marbuta, spaces
        ("مُساعَدة", "مساعده"),  # vowel marks
        ("کمک کنید", "كمك كنيد"),  # Persian kaf and yeh
        ("ｈｅｌｐ", "help"),  # full-width letters
        ("YARDIM EDİN", "yardim edin"),  # Turkish capital dotted I
    ],
)
def test_messages_are_folded_as_the_patterns_are(typed, folded):
    assert fold(typed) == folded


def test_folding_a_pattern_keeps_its_escapes():
    assert fold_pattern(r"\bMATAR\B\W\S\D") == r"\bmatar\B\W\S\D"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("socorro, me va a matar", "es"),
        ("il va me tuer", "fr"),
        ("ratunku", "pl"),
    ],
)
def test_a_cry_for_help_is_heard_in_its_language(text, language):
    assert danger_language(text) == language


def test_english_is_never_taken_for_danger_in_another_language():
    """Every English NLU training example: none is heard as danger in another language, unless
    English danger words are in it too (then the danger lines come in English: see below)."""
    messages = [
        t for path in (PROJECT_ROOT / "data").rglob("*.yml") for _, t, _ in nlu_examples(path)
    ]
    assert len(messages) > 2000
    taken = {
        t: danger_language(t) for t in messages if danger_language(t) and not has_danger_words(t)
    }
    assert not taken, dict(list(taken.items())[:10])


def test_danger_said_in_english_is_answered_in_english():
    message = Message.build(text="he has a knife, au secours")
    (processed,) = DangerOverride().process([message])
    assert processed.get(URGENCY) and not processed.get(MESSAGE_LANGUAGE)
    (other,) = DangerOverride().process([Message.build(text="il va me tuer")])
    assert other.get(URGENCY) and other.get(MESSAGE_LANGUAGE) == "fr"
