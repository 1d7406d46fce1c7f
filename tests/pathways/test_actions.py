"""Professionals' questions through the answer action, against a seeded directory."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer


def _run(text, intent, slots=None, entities=()):
    tracker = Tracker(
        sender_id="test",
        slots={"user_role": None, "pathways": None, "borough": None} | (slots or {}),
        latest_message={"text": text, "intent": {"name": intent}, "entities": list(entities)},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswer().run(dispatcher, tracker, {}))
    slots_set = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m.get("text") or "" for m in dispatcher.messages], dispatcher.messages, slots_set


def _responses(messages):
    return [m.get("response") for m in messages if m.get("response")]


def test_a_teacher_gets_both_pathways_steps_first_then_contacts(directory_url):
    texts, _, slots = _run(
        "I'm a teacher and a pupil disclosed that her dad hits her mum",
        "ask_pathway",
        {"borough": "kensington-and-chelsea"},
    )
    joined = "\n".join(texts)
    assert slots["user_role"] == "teacher"
    assert slots["pathways"][-1] == "children-at-risk"
    assert "Children at risk" in joined and "MARAC" in joined
    first_contacts = next(i for i, t in enumerate(texts) if t.startswith("Contacts"))
    last_steps = max(i for i, t in enumerate(texts) if "\nSteps:\n" in t)
    assert last_steps < first_contacts
    assert "Kensington & Chelsea MARAC" in joined
    assert "Kensington & Chelsea children's services front door (MASH)" in joined
    assert "Westminster MARAC" not in joined


def test_a_survivor_is_given_support_not_professional_routes(directory_url):
    texts, messages, slots = _run("my partner hits me", "ask_pathway")
    joined = "\n".join(texts)
    assert "MARAC" not in joined and "Steps:" not in joined
    assert slots.get("user_role") is None
    assert "You can contact them yourself." in joined  # services for her, at once


def test_a_professionals_question_without_a_role_is_answered_and_says_for_whom(directory_url):
    texts, messages, _ = _run("how do I make a MARAC referral?", "ask_pathway")
    assert _responses(messages)[0] == "utter_pathways_for_professionals"
    assert any(t.startswith("Domestic abuse, high risk") for t in texts)


def test_confirming_as_a_professional_gives_the_remembered_pathway(directory_url):
    texts, _, slots = _run(
        "/identify_professional", "identify_professional", {"pathways": ["stalking"]}
    )
    assert slots["user_role"] == "professional"
    assert texts[0].startswith("Stalking")
    assert any("National Stalking Helpline" in t for t in texts)


def test_a_professional_with_no_situation_is_offered_the_list(directory_url):
    texts, messages, _ = _run("I'm a GP", "identify_professional")
    assert _responses(messages) == ["utter_ask_situation"]
    assert "Steps:" not in "\n".join(texts)


def test_a_situation_described_in_other_words_gets_the_usual_pathway_and_the_list(directory_url):
    texts, messages, _ = _run(
        "A&E nurse. Woman came in with marks on her neck, says she fell, scared to go home",
        "ask_pathway",
    )
    assert any(t.startswith("Domestic abuse, high risk") for t in texts)
    assert _responses(messages)[-1] == "utter_ask_situation"


def test_a_situation_button_gives_its_pathway(directory_url):
    texts, _, _ = _run(
        '/ask_pathway{"situation": "forced-marriage"}',
        "ask_pathway",
        {"user_role": "gp"},
        [{"entity": "situation", "value": "forced-marriage"}],
    )
    assert texts[0].startswith("Forced marriage")
    assert "Forced Marriage Unit" in "\n".join(texts)


def test_without_a_borough_the_contacts_ask_for_one(directory_url):
    texts, messages, _ = _run("as a GP, a patient scored 15 on the DASH", "ask_pathway")
    assert "MARAC:" not in "\n".join(t for t in texts if t.startswith("Contacts"))
    assert messages[-1]["response"] == "utter_pathway_which_borough"  # with a button each


def test_which_boroughs_marac_follow_up(directory_url):
    remembered = {"user_role": "gp", "pathways": ["domestic-abuse-high-risk"]}
    _, messages, _ = _run("which borough's MARAC?", "ask_pathway_contacts", remembered)
    assert [m.get("response") for m in messages] == ["utter_pathway_contacts_which_borough"]
    texts, _, slots = _run(
        '/ask_pathway_contacts{"borough": "westminster"}',
        "ask_pathway_contacts",
        remembered,
        [{"entity": "borough", "value": "westminster"}],
    )
    assert slots["borough"] == "westminster"
    joined = "\n".join(texts)
    assert (
        "Westminster MARAC: no number listed. Via your organisation's safeguarding lead" in joined
    )


def test_what_counts_as_high_risk_follow_up(directory_url):
    texts, _, _ = _run("what counts as high risk?", "ask_pathway_threshold", {"user_role": "gp"})
    joined = "\n".join(texts)
    assert '14 or more "yes" answers' in joined
    assert "Repeat referral" in joined and "not only police call-outs" in joined
