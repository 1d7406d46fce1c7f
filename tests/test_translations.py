"""The assistant's words in other languages (translations/, issue 18): each file as translators
review it, the English beside each entry kept equal to the domain's, and made into the
responses of domain/translations.yml, which must be what the files give."""

from __future__ import annotations

import re

import pytest

from bot import translations
from bot.nlu.danger import danger_languages

# Issue 18: danger answered in these 14; the first five are the full languages.
LANGUAGES = ("ar", "es", "pt", "fr", "pl", "fa", "so", "ur", "bn", "ti", "am", "ro", "it", "tr")
RIGHT_TO_LEFT = {"ar", "fa", "ur"}
APPROVED = re.compile(r"^approved by .+, \d{4}-\d{2}-\d{2}$")


def test_domain_translations_is_what_the_files_give():
    assert (
        translations.GENERATED.read_text(encoding="utf-8") == translations.generated()
    ), "run python -m bot.translations (and retrain)"


def test_every_language_has_its_file_and_direction():
    found = translations.languages()
    assert set(LANGUAGES) <= set(found)
    for code, data in found.items():
        assert (translations.TRANSLATIONS / f"{code}.yml").exists()
        assert data["direction"] == ("rtl" if code in RIGHT_TO_LEFT else "ltr"), code
        assert data["name"] and data["native_name"], code


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_entry_translates_the_current_english_and_keeps_its_numbers(code):
    english = translations.english_responses()
    for name, entry in translations.languages()[code]["responses"].items():
        # A changed English text makes the translation stale: look at it again.
        assert entry["english"] == english[name], f"{code}: {name} translates an old English text"
        assert entry["status"] == translations.NEEDS_REVIEW or APPROVED.match(entry["status"])
        text = entry["text"]
        assert text.count("\n") == entry["english"].count("\n"), f"{code}: {name} lines"
        # Numbers to dial, as digits people can dial: 999, 55, 116 123.
        for number in set(re.findall(r"\d+", entry["english"])):
            assert re.search(rf"(?<!\d){number}(?!\d)", text), f"{code}: {name} lacks {number}"


def test_every_language_danger_is_spoken_in_has_the_danger_lines():
    """actions/answer.py answers utter_immediate_danger_<code> for the language bot.nlu.danger
    found: a response missing from the domain would send nothing at all."""
    assert set(LANGUAGES) <= set(danger_languages())
    for code in danger_languages():
        assert "utter_immediate_danger" in translations.languages()[code]["responses"], code
