"""Each quick exit is counted exactly once, as a count for the day with no conversation id:
typed or by the beacon (bot.channels), or through the model (bot.tracker_store)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from rasa.shared.core.events import ActionExecuted

from bot.channels import _count_exit
from bot.tracker_store import EphemeralInMemoryTrackerStore
from directory import insight
from tests.safety.test_tracker_store import DOMAIN, conversation


@pytest.fixture
def counter():
    counter = insight.Counter("sqlite://")
    insight.install(counter)
    yield counter
    insight.install(None)


def _exits(counter) -> list[tuple]:
    return [(key[1:], n) for key, n in counter.pending().items()]


def test_an_exit_through_the_model_is_counted_once(counter):
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = str(uuid.uuid4())
        exited = conversation(
            sender, "get me out of here please", ActionExecuted("utter_quick_exit")
        )
        await store.save(exited)
        await store.save(exited)  # saved again: still one exit
        await _count_exit(store, sender)  # the widget's beacon after it: still one
        assert not await store.exists(sender)

    asyncio.run(scenario())
    assert _exits(counter) == [(("quick-exit", *["-"] * 7), 1)]


def test_a_typed_exit_or_beacon_is_counted_once_per_conversation(counter):
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        await store.save(conversation(first, "I need a refuge"))
        for sender in (first, second):
            await _count_exit(store, sender)
            await store.delete(sender)
            await _count_exit(store, sender)  # the beacon after the typed exit
            await store.delete(sender)

    asyncio.run(scenario())
    assert _exits(counter) == [(("quick-exit", *["-"] * 7), 2)]
