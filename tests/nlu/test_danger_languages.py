"""Danger in other languages (bot/nlu/danger_languages/, issue 18): the patterns load, the
folding they are matched with, and that they stay quiet on English."""

from __future__ import annotations

import pytest
import yaml

from bot.nlu.danger import DANGER_LANGUAGES, _fold_pattern, danger_language, fold
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
        ("أنا  خائفة", "انا خائفه"),  # hamza on alef, taa marbuta, spaces
        ("مُساعَدة", "مساعده"),  # vowel marks
        ("کمک کنید", "كمك كنيد"),  # Persian kaf and yeh
        ("ｈｅｌｐ", "help"),  # full-width letters
        ("YARDIM EDİN", "yardim edin"),  # Turkish capital dotted I
    ],
)
def test_messages_are_folded_as_the_patterns_are(typed, folded):
    assert fold(typed) == folded


def test_folding_a_pattern_keeps_its_escapes():
    assert _fold_pattern(r"\bMATAR\B\W\S\D") == r"\bmatar\B\W\S\D"


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


def _english_messages() -> list[str]:
    """Every NLU training example and every tuning-set turn: English (the project's own)."""
    texts = [
        text for path in (PROJECT_ROOT / "data").rglob("*.yml") for _, text, _ in nlu_examples(path)
    ]
    for path in sorted((PROJECT_ROOT / "bench" / "tuning").glob("*.yml")):
        texts += [turn for item in yaml.safe_load(path.read_text()) for turn in item["turns"]]
    return texts


def test_english_messages_are_not_taken_for_danger_in_another_language():
    """A false alarm in another language would put lines in that language above an English
    answer; English danger has its own lists."""
    messages = _english_messages()
    assert len(messages) > 2000
    taken = {text: danger_language(text) for text in messages if danger_language(text)}
    assert not taken, dict(list(taken.items())[:10])
