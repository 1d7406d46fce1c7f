"""The language a conversation is answered in (actions/language.py, issue 18): the person's
message first, then the widget's choice, then the conversation's; responses, definitions and the
directory's own lines in that language; danger in the language it was spoken in."""

from __future__ import annotations

import pytest

from actions.language import LANGUAGE_SLOT, reply_language
from directory.wording import translated
from tests.actions.helpers import run, tracker
from tests.actions.test_actions import responses, slot_values, texts

SEARCH = [("strand", "domestic-abuse"), ("borough", "westminster")]


@pytest.mark.parametrize(
    ("parsed", "metadata", "slots", "language"),
    [
        ({"message_language": "es"}, {"language": "fr"}, {LANGUAGE_SLOT: "pl"}, "es"),
        ({}, {"language": "fr"}, {LANGUAGE_SLOT: "pl"}, "fr"),
        ({}, {}, {LANGUAGE_SLOT: "pl"}, "pl"),
        ({"message_language": "en"}, {}, {LANGUAGE_SLOT: "pl"}, "en"),
        # Only danger is heard in Farsi: the conversation keeps its language.
        ({"message_language": "fa"}, {}, {LANGUAGE_SLOT: "pt"}, "pt"),
        ({}, {"language": "xx"}, {}, "en"),
        ({}, {}, {}, "en"),
    ],
)
def test_the_reply_follows_the_person(parsed, metadata, slots, language):
    assert reply_language(tracker("…", parsed=parsed, metadata=metadata, **slots)) == language


def test_a_search_in_spanish_is_answered_in_spanish_and_remembered():
    messages, events = run({}, entities=SEARCH, parsed={"message_language": "es"})
    said = responses(messages)
    assert said[0] == "utter_results_local_es"
    assert all(name.endswith("_es") for name in said), said
    assert slot_values(events)[LANGUAGE_SLOT] == "es"
    cards = texts(messages)
    line = translated("wording", "card_in_english", "es").split("{")[0]
    assert cards and all(line in card for card in cards)
    # The card's own lines are Spanish, its details the service's own (English).
    contact = translated("wording", "card_self_referral", "es")
    assert any(contact in card for card in cards)


def test_services_in_the_conversations_language_come_first():
    messages, _ = run({}, entities=SEARCH, parsed={"message_language": "es"})
    first = texts(messages)[0]
    assert translated("labels", "language.es", "es") in first.split("\n")[1]


def test_an_english_message_in_a_spanish_conversation_is_answered_in_english():
    messages, events = run(
        {LANGUAGE_SLOT: "es"}, entities=SEARCH, parsed={"message_language": "en"}
    )
    assert responses(messages)[0] == "utter_results_local"
    assert slot_values(events)[LANGUAGE_SLOT] == "en"


def test_a_definition_is_sent_as_its_translation():
    faq = {"response_selector": {"faq": {"response": {"utter_action": "utter_faq/refuge"}}}}
    messages, _ = run({LANGUAGE_SLOT: "fr"}, intent="faq", text="refuge ?", parsed=faq)
    assert texts(messages)[0] == translated("responses", "utter_faq/refuge", "fr")


def test_danger_is_answered_in_the_language_it_was_spoken_in_then_the_answer():
    messages, _ = run({}, entities=SEARCH, parsed={"message_language": "fa", "urgency": True})
    said = responses(messages)
    assert said[0] == "utter_immediate_danger_fa"
    assert said[1] == "utter_results_local"  # Farsi is heard for danger only


def test_danger_in_a_full_language_conversation():
    messages, _ = run(
        {LANGUAGE_SLOT: "ar"}, entities=SEARCH, parsed={"message_language": "ar", "urgency": True}
    )
    assert responses(messages)[:2] == ["utter_immediate_danger_ar", "utter_results_local_ar"]
