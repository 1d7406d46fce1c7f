"""Search the directory with what the conversation has gathered, and page through results.

A page is the whole answer: on the first page the introduction ("Here are services that can
help in Westminster:") and any note on how the directory widened the search, then up to three
services, then the offer of more or of something else. The words are the domain's responses.
The first page is shown by validate_search_form as the form completes (actions/forms.py);
"show more" comes here.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import service_text
from directory.matching import SearchQuery, search
from directory.places import partnership_boroughs

SKIPPED = "any"  # a question the person skipped: search without that criterion
PAGE_SIZE = 3
MAX_RESULTS = 12  # four pages of "show more" at most
SEARCH_SLOTS = ("need", "strand", "borough", "search_outcome", "area_label")
INTRODUCTIONS = {
    "local": "utter_results_local",
    "anywhere": "utter_results_anywhere",
    "out_of_area": "utter_results_out_of_area",
}


def _values(tracker: Tracker, slot: str) -> tuple[str, ...]:
    value = tracker.get_slot(slot)
    return (value,) if isinstance(value, str) and value and value != SKIPPED else ()


def build_query(tracker: Tracker) -> SearchQuery:
    return SearchQuery(
        boroughs=_values(tracker, "borough"),
        strands=_values(tracker, "strand"),
        needs=_values(tracker, "need"),
        limit=None,  # we filter and page ourselves
    )


def _serves_anywhere(card) -> bool:
    """With no area given: London-wide and national services, and local ones that cover the
    whole partnership (this chat lives on the partnership's website)."""
    return card.scope != "local" or set(partnership_boroughs()) <= set(card.boroughs)


async def results_page(
    dispatcher: CollectingDispatcher, tracker: Tracker, offset: int
) -> list[dict[str, Any]]:
    """Say the page of results that starts at `offset`; return the paging slots."""
    query = build_query(tracker)
    # The directory is synchronous (SQLAlchemy); keep it off the action server's loop.
    result = await asyncio.to_thread(search, query)
    matches = [m for m in result.matches if query.boroughs or _serves_anywhere(m.service)]
    matches = matches[:MAX_RESULTS]
    page = matches[offset : offset + PAGE_SIZE]
    if offset == 0:
        introduction = INTRODUCTIONS.get(tracker.get_slot("search_outcome"))
        if introduction:
            # Given explicitly: when the form has just set it, Rasa's copy of the slot is not
            # updated until this action's events are applied.
            dispatcher.utter_message(
                response=introduction, area_label=tracker.get_slot("area_label")
            )
        if result.widened:
            for note in result.notes:  # the directory's own words on how it broadened
                dispatcher.utter_message(text=note)
    for match in page:
        dispatcher.utter_message(text=service_text(match))
    shown = offset + len(page)
    more = shown < len(matches)
    dispatcher.utter_message(response="utter_results_next" if more else "utter_results_end")
    return [SlotSet("results_shown", float(shown)), SlotSet("more_results", more)]


class ActionShowResults(Action):
    """The next page of results, for "show more" (the directory's order is deterministic, so
    searching again gives the same list)."""

    def name(self) -> str:
        return "action_show_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        paging = (tracker.latest_message.get("intent") or {}).get("name") == "show_more"
        offset = int(tracker.get_slot("results_shown") or 0) if paging else 0
        return await results_page(dispatcher, tracker, offset)


class ActionResetSearch(Action):
    """Forget the search so far, before asking again from the start."""

    def name(self) -> str:
        return "action_reset_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet(slot, None) for slot in (*SEARCH_SLOTS, "results_shown", "more_results")]
