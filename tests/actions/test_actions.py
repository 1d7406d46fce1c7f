"""The action server's code, called directly with rasa-sdk trackers against a seeded directory."""

from __future__ import annotations

import asyncio
import inspect
import logging

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.exit import ActionQuickExit
from actions.fallback import ActionFallbackButtons
from actions.search import area_outcome
from directory.cards import service_text, tel_uri
from directory.matching import SearchQuery, search
from tests.actions.helpers import run, tracker


def texts(messages: list[dict]) -> list[str]:
    """What the action wrote itself (service cards, the directory's notes), not domain responses."""
    return [m["text"] for m in messages if m.get("text")]


def responses(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages if m.get("response")]


def slot_values(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_every_action_is_async_so_it_never_blocks_the_event_loop():
    for action in (ActionAnswer, ActionFallbackButtons, ActionQuickExit):
        assert inspect.iscoroutinefunction(action.run), action


@pytest.mark.parametrize(
    ("borough", "outcome", "label"),
    [
        ("westminster", "local", "Westminster"),
        ("hammersmith-and-fulham", "local", "Hammersmith & Fulham"),
        ("any", "anywhere", None),
        (None, "anywhere", None),
        ("croydon", "out_of_area", "Croydon"),
        ("outside-london", "out_of_area", "your area"),
    ],
)
def test_the_borough_settles_the_kind_of_answer(borough, outcome, label):
    assert area_outcome(borough) == (outcome, label)


def test_need_and_area_in_one_message_are_answered_at_once():
    messages, events = run({}, entities=[("need", "refuge"), ("borough", "westminster")])
    cards = texts(messages)
    assert responses(messages)[0] == "utter_results_local"
    assert 1 <= len(cards) <= 3
    assert all("You can contact them yourself." in c or "referred" in c for c in cards)
    assert responses(messages)[-1] in ("utter_results_next", "utter_results_end")
    values = slot_values(events)
    assert values["needs"] == ["refuge"] and values["borough"] == "westminster"
    assert values["results_shown"] == float(len(cards))


def test_an_answer_comes_first_and_the_area_is_asked_after():
    messages, events = run({}, entities=[("strand", "domestic-abuse")])
    assert responses(messages)[0] == "utter_results_anywhere"
    assert texts(messages)  # services now, not a question first
    assert responses(messages)[-1] == "utter_narrow_area"
    assert slot_values(events)["asked"] == "borough"


def test_a_skipped_question_is_answered_with_what_is_known():
    slots = {"strands": ["domestic-abuse"], "asked": "borough"}
    messages, events = run(slots, intent="skip", text="skip")
    assert responses(messages)[0] == "utter_results_anywhere" and texts(messages)
    assert slot_values(events)["borough"] == "any"
    nothing_known, _ = run({"asked": "borough"}, intent="skip", text="rather not say")
    assert texts(nothing_known)  # helplines for anyone, then one more offer
    assert responses(nothing_known)[-1] == "utter_narrow_need"


def test_a_follow_up_narrows_the_last_answer():
    slots = {"strands": ["domestic-abuse"], "borough": "any"}
    first, _ = run(slots, entities=[])
    narrowed, _ = run(slots, entities=[("borough", "kensington-and-chelsea")], text="chelsea")
    assert responses(narrowed)[0] == "utter_results_local"
    assert texts(first) != texts(narrowed)


def test_show_more_pages_on_without_repeating():
    slots = {"strands": ["domestic-abuse"], "borough": "any"}
    first, events = run(slots)
    assert len(texts(first)) == 3 and slot_values(events)["more_results"] is True
    second, events = run({**slots, "results_shown": 3.0}, intent="show_more", text="more")
    assert texts(second) and not set(texts(first)) & set(texts(second))
    assert "utter_results_anywhere" not in responses(second)  # a later page: no introduction
    assert slot_values(events)["results_shown"] == 3.0 + len(texts(second))


def test_the_last_page_says_so():
    slots = {"strands": ["domestic-abuse"], "borough": "westminster"}
    _, events = run(slots)
    while slot_values(events)["more_results"]:
        shown = slot_values(events)["results_shown"]
        page, events = run({**slots, "results_shown": shown}, intent="show_more", text="more")
    assert responses(page)[-1] == "utter_results_end"


def test_out_of_area_still_offers_services():
    messages, _ = run({}, entities=[("need", "refuge"), ("borough", "croydon")])
    assert responses(messages)[0] == "utter_results_out_of_area"
    assert texts(messages)


def _first_card_id(messages) -> str:
    names = {m.service.name: m.service.id for m in search(SearchQuery(limit=None)).matches} | {
        m.service.name: m.service.id
        for m in search(SearchQuery(limit=None, audiences=("men",))).matches
    }
    return names[texts(messages)[0].split("\n")[0]]


def test_a_man_gets_a_service_for_men_first_and_never_a_womens_service():
    messages, _ = run(
        {},
        entities=[("audience", "men"), ("strand", "domestic-abuse"), ("borough", "westminster")],
        text="i'm a man and my boyfriend is violent",
    )
    cards = texts(messages)
    assert cards[0].startswith("Men's Advice Line") or cards[0].startswith("Galop")
    assert not any("Women" in card.split("\n")[0] for card in cards)


def test_a_young_person_gets_a_service_that_takes_their_age():
    messages, _ = run({}, entities=[("strand", "domestic-abuse")], text="im 14 and scared")
    first = texts(messages)[0]
    assert "aged 16 or over" not in first and "18 or over" not in first


def test_schools_work_is_never_offered_to_someone_seeking_help():
    for strand in ("stalking", "domestic-abuse", "sexual-violence"):
        slots = {"strands": [strand], "borough": "westminster"}
        _, events = run(slots)
        shown = []
        while True:
            page, events = run(
                {**slots, "results_shown": slot_values(events)["results_shown"]},
                intent="show_more",
                text="more",
            )
            shown += texts(page)
            if not slot_values(events)["more_results"]:
                break
        assert not any("schools" in card.split("\n")[0] for card in shown), strand


def test_danger_comes_first_and_the_answer_follows_in_the_same_reply():
    messages, _ = run({}, intent="immediate_danger", entities=[("need", "refuge")])
    assert responses(messages)[0] == "utter_immediate_danger"
    assert texts(messages)  # and the refuge services
    alone, _ = run({}, intent="immediate_danger", text="he's outside")
    assert responses(alone)[0] == "utter_immediate_danger"
    assert any("tel:" in card for card in texts(alone))  # never the danger lines alone


def test_a_professionals_question_is_answered_in_the_same_turn_as_the_role():
    messages, events = run(
        {},
        intent="ask_pathway",
        text="I'm a midwife and a woman I saw today disclosed domestic abuse",
    )
    assert not any(r in ("utter_ask_professional",) for r in responses(messages))
    assert any(t.startswith("Domestic abuse") for t in texts(messages))
    assert slot_values(events)["user_role"] == "health-visitor"


def test_a_professionals_question_without_a_role_is_still_answered():
    messages, _ = run({}, intent="ask_pathway", text="how do I refer a case of fgm in a girl of 12")
    assert responses(messages)[0] == "utter_pathways_for_professionals"
    assert any("FGM" in t for t in texts(messages))


def test_a_definition_is_answered_from_the_selected_response():
    dispatcher = CollectingDispatcher()
    state = tracker("wat is an idva", "faq")
    state.latest_message["response_selector"] = {
        "faq": {"response": {"utter_action": "utter_faq/what_is_idva"}}
    }
    asyncio.run(ActionAnswer().run(dispatcher, state, {}))
    assert [m["response"] for m in dispatcher.messages] == ["utter_faq/what_is_idva"]


def test_nothing_the_person_typed_is_repeated_or_logged(caplog):
    caplog.set_level(logging.DEBUG)
    messages, events = run({}, entities=[("need", "helpline"), ("borough", "westminster")])
    everything = "\n".join(m.get("text") or "" for m in messages) + caplog.text + repr(events)
    for private in ("Jane", "07700", "900123", "Acacia", "1990"):
        assert private not in everything


def test_start_again_forgets_the_search_but_not_the_role():
    slots = {"needs": ["refuge"], "borough": "westminster", "user_role": "gp"}
    messages, events = run(slots, intent="search_again", text="start again")
    values = slot_values(events)
    assert values["needs"] == [] and values["borough"] is None
    assert "user_role" not in values  # kept as it was: "gp"
    assert responses(messages) == ["utter_start_again"]


def test_fallback_offers_buttons_and_forgets_the_unclear_message():
    messages, events = run({}, action=ActionFallbackButtons())
    assert messages[0]["response"] == "utter_fallback"
    assert events == [{"event": "rewind", "timestamp": None}]


def test_the_card_names_the_service_and_its_exact_contact_line():
    match = next(
        m
        for m in search(SearchQuery(needs=("helpline",), strands=("domestic-abuse",))).matches
        if m.service.id == "national-domestic-abuse-helpline"
    )
    lines = service_text(match).split("\n")
    assert lines[0] == "National Domestic Abuse Helpline"
    assert f"Call {match.service.phones[0][0]} (tel:+448082000247), freephone, 24/7" in lines
    assert lines[-1] == "From their website, December 2026."  # sourced, not yet verified


def test_tel_uri():
    assert tel_uri("0808 2000 247") == "tel:+448082000247"
    assert tel_uri("+44 20 7008 0151") == "tel:+442070080151"
    assert tel_uri("+44 (0)20 7008 0151") == "tel:+442070080151"
    assert tel_uri("999") == "tel:999"
    assert tel_uri("116 123") == "tel:116123"
    assert tel_uri("18001 101") == "tel:18001101"


def test_without_an_area_only_services_that_serve_anywhere_are_shown():
    from actions.search import _serves_anywhere
    from directory.index import ServiceCard

    def card(scope, boroughs):
        return ServiceCard(
            id="x", name="x", organization="x", description="x", phones=(), url=None,
            hours=None, self_referral=True, scope=scope, boroughs=boroughs,
        )  # fmt: skip

    partnership = ("hammersmith-and-fulham", "kensington-and-chelsea", "westminster")
    assert _serves_anywhere(card("national", ()))
    assert _serves_anywhere(card("pan-london", ()))
    assert _serves_anywhere(card("local", partnership))
    assert not _serves_anywhere(card("local", ("hammersmith-and-fulham",)))


@pytest.mark.parametrize(
    "entities",
    [
        [("need", "refuge"), ("borough", "westminster")],
        [("strand", "domestic-abuse"), ("borough", "kensington-and-chelsea")],
        [("strand", "forced-marriage")],
        [("audience", "older-people"), ("borough", "hammersmith-and-fulham")],
    ],
)
def test_every_first_page_has_a_number_to_call(entities):
    messages, _ = run({}, entities=entities)
    assert any("tel:" in card for card in texts(messages)), texts(messages)
