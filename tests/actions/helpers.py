"""One way to build what the action server receives, for the tests of actions/."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer

# Identifying details a person might type: they must never reach a log or a counter.
PRIVATE_TEXT = "my name is Jane Doe, 07700 900123, 12 Acacia Avenue, born 1/2/1990"


def tracker(
    text: str, intent: str = "search_services", entities=(), parsed=None, metadata=None, **slots
) -> Tracker:
    """`parsed`: more of the message's parse data (e.g. message_language); `metadata`: what the
    channel sent with it (the widget's language)."""
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={
            "text": text,
            "intent": {"name": intent},
            "entities": [{"entity": e, "value": v} for e, v in entities],
            **(parsed or {}),
        },
        events=[{"event": "user", "text": text, "metadata": metadata or {}}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(
    slots: dict,
    intent: str = "search_services",
    entities=(),
    text=PRIVATE_TEXT,
    action=None,
    parsed=None,
    metadata=None,
) -> tuple[list[dict], list[dict]]:
    """Run an action (action_answer by default) on one message; its messages and events."""
    dispatcher = CollectingDispatcher()
    state = tracker(text, intent, entities, parsed, metadata, **slots)
    events = asyncio.run((action or ActionAnswer()).run(dispatcher, state, {}))
    return dispatcher.messages, events
