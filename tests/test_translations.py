"""The assistant's words in other languages (translations/, issue 18): each file as translators
review it, the English beside each entry kept equal to the current English, every line of the
five full languages there, and made into domain/translations.yml and the widget's
translations.json, which must be what the files give."""

from __future__ import annotations

import json
import re

import pytest

from bot import translations
from bot.nlu.danger import danger_languages
from directory.wording import full_languages

# Issue 18: danger answered in these 14; the first five are the full languages.
LANGUAGES = ("ar", "es", "pt", "fr", "pl", "fa", "so", "ur", "bn", "ti", "am", "ro", "it", "tr")
FULL = ("ar", "es", "pt", "fr", "pl")
RIGHT_TO_LEFT = {"ar", "fa", "ur"}
APPROVED = re.compile(r"^approved by .+, \d{4}-\d{2}-\d{2}$")
PLACEHOLDER = re.compile(r"\{\w+\}")


def test_generated_files_are_what_the_files_give():
    assert (
        translations.GENERATED.read_text(encoding="utf-8") == translations.generated()
    ), "run python -m bot.translations (and retrain)"
    assert (
        translations.WIDGET_TRANSLATIONS.read_text(encoding="utf-8")
        == translations.widget_translations()
    ), "run python -m bot.translations"


def test_every_language_has_its_file_and_direction():
    found = translations.languages()
    assert set(LANGUAGES) <= set(found)
    assert set(full_languages()) == set(FULL)
    for code, data in found.items():
        assert (translations.TRANSLATIONS / f"{code}.yml").exists()
        assert data["direction"] == ("rtl" if code in RIGHT_TO_LEFT else "ltr"), code
        assert data["name"] and data["native_name"], code


@pytest.mark.parametrize("code", FULL)
def test_every_line_exists_in_every_full_language(code):
    """Every response (and each of its buttons), every directory line, every vocabulary label
    and every word of the widget: a line missing here would be said in English."""
    data = translations.languages()[code]
    domain = translations.english_domain()
    for section in translations.SECTIONS:
        entries = data.get(section) or {}
        missing = [
            k for k in translations.english(section) if not (entries.get(k) or {}).get("text")
        ]
        assert (
            not missing
        ), f"{code} {section}: {missing[:5]} (python -m bot.translations --template)"
    for name, entry in data["responses"].items():
        buttons = domain[name].get("buttons") or []
        titles = [b.get("title") for b in entry.get("buttons") or []]
        assert len(titles) == len(buttons) and all(titles), f"{code}: {name} buttons"


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_entry_translates_the_current_english_and_keeps_its_numbers(code):
    data = translations.languages()[code]
    for section in translations.SECTIONS:
        english = translations.english(section)
        for key, entry in (data.get(section) or {}).items():
            # A changed English text makes the translation stale: look at it again.
            assert entry["english"] == english[key], f"{code}: {key} translates an old English"
            assert entry["status"] == translations.NEEDS_REVIEW or APPROVED.match(entry["status"])
            text = entry["text"]
            if not text:
                continue
            assert set(PLACEHOLDER.findall(text)) == set(
                PLACEHOLDER.findall(entry["english"])
            ), f"{code}: {key} placeholders"
            assert text.count("\n") == entry["english"].count("\n"), f"{code}: {key} lines"
            # Numbers to dial, as digits people can dial: 999, 55, 116 123, 0808 2000 247 (not
            # "24 hours", which a translation may say in words).
            for number in set(re.findall(r"(?<!\d)(?:\d{3,}|55)(?!\d)", entry["english"])):
                assert re.search(rf"(?<!\d){number}(?!\d)", text), f"{code}: {key} lacks {number}"


def test_translated_buttons_keep_the_english_payloads():
    domain = translations.english_domain()
    generated = translations.yaml.safe_load(translations.generated())["responses"]
    for name, variations in generated.items():
        base = name.rsplit("_", 1)[0]
        payloads = [b["payload"] for b in variations[0].get("buttons") or []]
        assert payloads == [b["payload"] for b in domain[base].get("buttons") or []], name


def test_the_widget_gets_each_full_language_with_its_direction():
    widget = json.loads(translations.widget_translations())
    assert set(widget) == set(FULL)
    for code, entry in widget.items():
        assert entry["direction"] == ("rtl" if code in RIGHT_TO_LEFT else "ltr")
        assert set(entry["words"]) <= set(translations.english_widget())


def test_a_template_adds_every_missing_line_with_its_english(tmp_path, monkeypatch):
    monkeypatch.setattr(translations, "TRANSLATIONS", tmp_path)
    (tmp_path / "xx.yml").write_text("language: xx\nname: X\nnative_name: X\ndirection: ltr\n")
    data = translations.template("xx")
    assert data["support"] == "full"
    for section in translations.SECTIONS:
        assert set(data[section]) == set(translations.english(section))
        assert all(e["text"] == "" and e["english"] for e in data[section].values())


def test_every_language_danger_is_spoken_in_has_the_danger_lines():
    """actions/language.py answers utter_immediate_danger_<code> for the language bot.nlu.danger
    found: a response missing from the domain would send nothing at all."""
    assert set(LANGUAGES) <= set(danger_languages())
    for code in danger_languages():
        assert "utter_immediate_danger" in translations.languages()[code]["responses"], code
