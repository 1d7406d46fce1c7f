"""The survivors' assistant end to end: real Rasa, action server and seeded directory."""

from __future__ import annotations

import pytest

from tests.conftest import new_sender

pytestmark = pytest.mark.stack

SILENT_SOLUTION = "55"


def test_need_and_borough_in_one_message_answer_with_services_at_once(stack):
    reply = stack.send(new_sender(), "I need a refuge in Westminster")
    texts = "\n".join(m.get("text", "") for m in reply)
    # Introduction first (its {area_label} filled in the same turn the borough was set),
    # then the services, then what next.
    assert reply[0]["text"] == "Here are services that can help in Westminster:"
    assert reply[-1]["text"].startswith("Would you like to see more")
    cards = [m["text"] for m in reply if "You can contact them yourself." in m.get("text", "")
             or "referred" in m.get("text", "")]  # fmt: skip
    assert 1 <= len(cards) <= 3
    assert "tel:" in texts
    assert any(b["payload"] == "/show_more" for m in reply for b in m.get("buttons", []))


def test_form_with_skips_shows_london_wide_services(stack):
    sender = new_sender()
    asked = stack.send(sender, "can you help me")
    assert "What kind of support" in asked[0]["text"]
    payloads = [b["payload"] for b in asked[0]["buttons"]]
    assert '/search_services{"need": "refuge"}' in payloads and "/skip" in payloads
    assert "Which area" in stack.texts(sender, "not sure")
    results = stack.texts(sender, "I'd rather not say")
    assert "London-wide and national" in results and "tel:" in results


def test_danger_mid_form_answers_at_once_then_offers_to_carry_on(stack):
    sender = new_sender()
    assert "Which area" in stack.texts(sender, "I need counselling")
    danger = stack.texts(sender, "he's coming back and i'm scared he'll kill me")
    assert "999" in danger and SILENT_SOLUTION in danger
    assert "carry on" in danger
    assert "Which area" in stack.texts(sender, "yes")
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
