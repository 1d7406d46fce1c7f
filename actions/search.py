"""Search the directory with what the conversation has gathered, and page through results.

The introduction ("Here are services that can help in Westminster:") is the domain's, said by
a rule before this action; validate_search_form decides which one with the borough.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import service_text
from actions.forms import SKIPPED
from directory.matching import SearchQuery, search
from directory.places import partnership_boroughs

PAGE_SIZE = 3
MAX_RESULTS = 12  # four pages of "show more" at most
SEARCH_SLOTS = ("need", "strand", "borough", "search_outcome", "area_label")


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


class ActionShowResults(Action):
    """A page of results: the first for a new search, the next one for "show more" (the
    directory's order is deterministic, so searching again gives the same list)."""

    def name(self) -> str:
        return "action_show_results"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        paging = (tracker.latest_message.get("intent") or {}).get("name") == "show_more"
        offset = int(tracker.get_slot("results_shown") or 0) if paging else 0
        # The directory is synchronous (SQLAlchemy); keep it off the action server's loop.
        query = build_query(tracker)
        result = await asyncio.to_thread(search, query)
        matches = [m for m in result.matches if query.boroughs or _serves_anywhere(m.service)]
        matches = matches[:MAX_RESULTS]
        page = matches[offset : offset + PAGE_SIZE]
        if offset == 0 and result.widened:
            for note in result.notes:  # the directory's own words on how it broadened the search
                dispatcher.utter_message(text=note)
        for match in page:
            dispatcher.utter_message(text=service_text(match))
        shown = offset + len(page)
        more = shown < len(matches)
        return [SlotSet("results_shown", float(shown)), SlotSet("more_results", more)]


class ActionResetSearch(Action):
    """Forget the search so far, before asking again from the start."""

    def name(self) -> str:
        return "action_reset_search"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [SlotSet(slot, None) for slot in (*SEARCH_SLOTS, "results_shown", "more_results")]
