"""The action server's code, called directly with rasa-sdk trackers against a seeded directory."""

from __future__ import annotations

import asyncio
import inspect
import logging

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallbackButtons
from actions.formatting import tel_uri
from actions.forms import ValidateSearchForm
from actions.search import ActionResetSearch, ActionShowResults
from directory.db import session_scope, upgrade
from directory.seed import load_seed

PRIVATE_TEXT = "my name is Jane Doe, 07700 900123, 12 Acacia Avenue, born 1/2/1990"


@pytest.fixture(scope="module")
def directory_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'directory.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        load_seed(session)
    return url


@pytest.fixture(autouse=True)
def _directory(directory_url, monkeypatch):
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", directory_url)


def tracker(intent: str = "search_services", **slots) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={"text": PRIVATE_TEXT, "intent": {"name": intent}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action, slots: dict, intent: str = "search_services") -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(intent, **slots), {}))
    return dispatcher.messages, events


def texts(messages: list[dict]) -> list[str]:
    """What the action wrote itself (service cards, the directory's notes), not domain responses."""
    return [m["text"] for m in messages if m.get("text")]


def responses(messages: list[dict]) -> list[str]:
    return [m["response"] for m in messages if m.get("response")]


def slot_values(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_every_action_is_async_so_it_never_blocks_the_event_loop():
    for action in (
        ValidateSearchForm,
        ActionShowResults,
        ActionResetSearch,
        ActionFallbackButtons,
    ):
        assert inspect.iscoroutinefunction(action.run), action


@pytest.mark.parametrize(
    ("borough", "outcome", "label"),
    [
        ("westminster", "local", "Westminster"),
        ("hammersmith-and-fulham", "local", "Hammersmith & Fulham"),
        ("any", "anywhere", None),
        ("croydon", "out_of_area", "Croydon"),
        ("outside-london", "out_of_area", "your area"),
    ],
)
def test_the_borough_settles_the_kind_of_answer(borough, outcome, label):
    result = ValidateSearchForm().validate_borough(borough, CollectingDispatcher(), tracker(), {})
    assert result == {"borough": borough, "search_outcome": outcome, "area_label": label}


def test_results_are_three_cards_with_contact_details_and_referral():
    messages, events = run(
        ActionShowResults(), {"need": "refuge", "borough": "westminster", "results_shown": 0.0}
    )
    cards = texts(messages)
    assert 1 <= len(cards) <= 3
    assert any("tel:" in card for card in cards)
    assert all("You can contact them yourself." in c or "referred" in c for c in cards)
    assert all("\n" in card for card in cards)  # name, then what they do, then contact
    assert slot_values(events)["results_shown"] == float(len(cards))


def test_show_more_pages_on_without_repeating():
    first, events = run(ActionShowResults(), {"strand": "domestic-abuse", "borough": "any"})
    assert len(texts(first)) == 3 and slot_values(events)["more_results"] is True
    slots = {"strand": "domestic-abuse", "borough": "any", "results_shown": 3.0}
    second, events = run(ActionShowResults(), slots, intent="show_more")
    assert texts(second)
    assert not set(texts(first)) & set(texts(second))
    shown = slot_values(events)["results_shown"]
    assert shown == 3.0 + len(texts(second))


def test_a_new_search_starts_from_the_first_page():
    slots = {"strand": "domestic-abuse", "borough": "any", "results_shown": 3.0}
    again, events = run(ActionShowResults(), slots, intent="search_services")
    first, _ = run(ActionShowResults(), {"strand": "domestic-abuse", "borough": "any"})
    assert again == first and slot_values(events)["results_shown"] == 3.0


def test_out_of_area_search_still_offers_services():
    messages, _ = run(
        ActionShowResults(),
        {"need": "refuge", "borough": "croydon", "search_outcome": "out_of_area"},
    )
    assert responses(messages)[0] == "utter_results_out_of_area"
    assert texts(messages)


@pytest.mark.parametrize(
    ("outcome", "introduction"),
    [
        ("local", "utter_results_local"),
        ("anywhere", "utter_results_anywhere"),
        ("out_of_area", "utter_results_out_of_area"),
    ],
)
def test_a_first_page_is_introduced_then_followed_by_what_next(outcome, introduction):
    borough = {"local": "westminster", "anywhere": "any", "out_of_area": "croydon"}[outcome]
    slots = {"strand": "domestic-abuse", "borough": borough, "search_outcome": outcome}
    messages, events = run(ActionShowResults(), slots)
    assert messages[0] == {**messages[0], "response": introduction}
    assert texts(messages)
    more = slot_values(events)["more_results"]
    assert messages[-1]["response"] == ("utter_results_next" if more else "utter_results_end")


def test_a_later_page_has_no_introduction_and_the_last_says_so():
    slots = {"strand": "domestic-abuse", "borough": "westminster", "search_outcome": "local"}
    _, events = run(ActionShowResults(), slots)
    assert slot_values(events)["more_results"] is True
    pages = []
    while slot_values(events)["more_results"]:
        shown = slot_values(events)["results_shown"]
        page, events = run(ActionShowResults(), {**slots, "results_shown": shown}, "show_more")
        pages.append(responses(page))
    assert pages[-1] == ["utter_results_end"]
    assert all(later == ["utter_results_next"] for later in pages[:-1])


def test_nothing_the_person_typed_is_repeated_or_logged(caplog):
    caplog.set_level(logging.DEBUG)
    messages, _ = run(ActionShowResults(), {"need": "helpline", "borough": "westminster"})
    everything = "\n".join(m.get("text") or "" for m in messages) + caplog.text
    for private in ("Jane", "07700", "900123", "Acacia", "1990"):
        assert private not in everything


def test_reset_forgets_the_search():
    _, events = run(ActionResetSearch(), {"need": "refuge", "borough": "westminster"})
    values = slot_values(events)
    assert values["need"] is None and values["borough"] is None and values["strand"] is None


def test_fallback_offers_buttons_and_forgets_the_unclear_message():
    messages, events = run(ActionFallbackButtons(), {})
    assert messages[0]["response"] == "utter_fallback"
    assert events == [{"event": "rewind", "timestamp": None}]


@pytest.mark.parametrize(
    ("slots", "required"),
    [
        ({}, ["need", "borough"]),
        ({"strand": "stalking"}, ["strand", "borough"]),
        ({"strand": "stalking", "need": "refuge"}, ["need", "borough"]),
        ({"need": "any"}, ["need", "borough"]),
    ],
)
def test_the_form_asks_for_a_need_or_accepts_a_strand(slots, required):
    form = ValidateSearchForm()
    got = asyncio.run(
        form.required_slots(
            ["need", "strand", "borough"], CollectingDispatcher(), tracker(**slots), {}
        )
    )
    assert got == required


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("westminster", "westminster"),
        ("croydon", "croydon"),
        ("outside-london", "outside-london"),
        ("any", "any"),
        (["kensington-and-chelsea", "westminster"], "kensington-and-chelsea"),
        ("Jane Doe", None),
    ],
)
def test_borough_validation_keeps_canonical_ids_only(value, expected):
    result = ValidateSearchForm().validate_borough(value, CollectingDispatcher(), tracker(), {})
    assert result["borough"] == expected


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [("need", "refuge", "refuge"), ("need", "any", "any"), ("need", "pizza", None),
     ("strand", "fgm", "fgm"), ("strand", ["stalking", "fgm"], "stalking")],
)  # fmt: skip
def test_need_and_strand_validation(slot, value, expected):
    validate = getattr(ValidateSearchForm(), f"validate_{slot}")
    assert validate(value, CollectingDispatcher(), tracker(), {}) == {slot: expected}


def test_tel_uri():
    assert tel_uri("0808 2000 247") == "tel:08082000247"
    assert tel_uri("+44 20 7008 0151") == "tel:+442070080151"


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
