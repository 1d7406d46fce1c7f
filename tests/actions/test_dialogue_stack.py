"""The survivors' assistant end to end: real Rasa, action server and seeded directory."""

from __future__ import annotations

import pytest

from tests.conftest import new_sender

pytestmark = pytest.mark.stack

SILENT_SOLUTION = "55"


def test_need_and_borough_in_one_message_answer_with_services_at_once(stack):
    reply = stack.send(new_sender(), "I need a refuge in Westminster")
    texts = "\n".join(m.get("text", "") for m in reply)
    # Introduction first (with its area filled in), then the services, then what next.
    assert reply[0]["text"] == "Here are services that can help in Westminster:"
    assert reply[-1]["text"].startswith(("Would you like to see more", "That's everything"))
    cards = [m["text"] for m in reply if "You can contact them yourself." in m.get("text", "")
             or "referred" in m.get("text", "")]  # fmt: skip
    assert 1 <= len(cards) <= 3
    assert "You can contact them yourself." in texts


def test_an_answer_comes_first_and_every_question_after_it_can_be_skipped(stack):
    sender = new_sender()
    first = stack.send(sender, "can you help me")
    assert "tel:" in "\n".join(m.get("text", "") for m in first)  # help now, not a question
    assert first[-1]["text"].startswith("For local services, tell me your area")
    payloads = [b["payload"] for b in first[-1]["buttons"]]
    assert "/skip" in payloads
    results = stack.texts(sender, "I'd rather not say")
    assert "London-wide and national" in results and "You can contact them yourself." in results


def test_danger_mid_conversation_comes_first_and_the_conversation_carries_on(stack):
    sender = new_sender()
    assert "You can contact them yourself." in stack.texts(sender, "I need counselling")
    danger = stack.texts(sender, "he's coming back and i'm scared he'll kill me")
    assert "999" in danger and SILENT_SOLUTION in danger
    assert "Kensington & Chelsea" in stack.texts(sender, "chelsea")


def test_change_of_mind_after_results(stack):
    sender = new_sender()
    assert "Hammersmith & Fulham" in stack.texts(sender, "counselling in fulham")
    assert "Kensington & Chelsea" in stack.texts(sender, "actually I'm in Chelsea")


def test_out_of_area_is_honest(stack):
    reply = stack.texts(new_sender(), "I'm in Croydon and need a refuge")
    assert "Croydon" in reply and "London-wide and national" in reply and "tel:" in reply


def test_identifying_details_are_never_repeated_back(stack):
    sender = new_sender()
    reply = stack.texts(sender, "my name is Jane Doe, my number is 07700 900123, I need help")
    reply += stack.texts(sender, "I live at 12 Acacia Avenue W6 9ZZ")
    for private in ("Jane", "Doe", "07700", "900123", "Acacia", "9ZZ"):
        assert private not in reply


def test_faq_answers_and_fallback_offers_buttons(stack):
    assert "crime" in stack.texts(new_sender(), "what is coercive control")
    fallback = stack.send(new_sender(), "purple monkey dishwasher")
    assert any(m.get("buttons") for m in fallback)
    assert "don't understand" not in "\n".join(m.get("text", "") for m in fallback)
