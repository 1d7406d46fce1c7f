"""Search the directory with what the conversation has gathered."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.formatting import service_text
from directory.matching import SearchQuery, search

MAX_RESULTS = 3


def _values(tracker: Tracker, slot: str) -> tuple[str, ...]:
    value = tracker.get_slot(slot)
    return (value,) if isinstance(value, str) and value else ()


class ActionSearchServices(Action):
    def name(self) -> str:
        return "action_search_services"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        query = SearchQuery(
            boroughs=_values(tracker, "borough"),
            strands=_values(tracker, "strand"),
            needs=_values(tracker, "need"),
        )
        # The directory is synchronous (SQLAlchemy); keep it off the action server's event loop.
        result = await asyncio.to_thread(search, query)
        for match in result.matches[:MAX_RESULTS]:
            dispatcher.utter_message(text=service_text(match))
        return []
