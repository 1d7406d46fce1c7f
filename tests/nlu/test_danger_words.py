"""Danger words: urgent wherever they stand in a message (bot/nlu/danger_words.yml)."""

import pytest

from bot.nlu.danger import has_danger_words


@pytest.mark.parametrize(
    "text",
    [
        "he's got a knife",
        "he strangled me last night",
        "put his hands round my neck",
        "i can't breathe",
        "he says he'll kill the baby",
        "he locked me in",
        "someone has been following me all evening",
        "my dad is hitting my mum rn",
        "i took an overdose",
    ],
)
def test_danger_words_make_a_message_urgent(text):
    assert has_danger_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "i need a refuge in westminster",
        "what is coercive control",
        "i am not ready to leave right now",
        "my ex keeps texting me",
        "how do i refer to the marac",
    ],
)
def test_ordinary_requests_are_not_urgent(text):
    assert not has_danger_words(text)
