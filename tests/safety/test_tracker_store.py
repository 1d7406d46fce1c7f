"""The ephemeral tracker stores: expiry, cap, deletion, quick exit, and refusing to fall back."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import (
    KEEP_EVENTS,
    EphemeralInMemoryTrackerStore,
    EphemeralRedisTrackerStore,
    UnsafeConfiguration,
    check_endpoints,
)

DOMAIN = Domain.from_dict(
    {"slots": {"borough": {"type": "text", "mappings": [{"type": "custom"}]}}}
)


def conversation(sender: str, text: str, *extra) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": "search_services", "confidence": 1.0}),
        SlotSet("borough", "westminster"),
        ActionExecuted("utter_greet"),
        BotUttered("Hello."),
        *extra,
    ]
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def run(coroutine):
    return asyncio.run(coroutine)


def new_id() -> str:
    return str(uuid.uuid4())


def test_saves_and_retrieves_a_conversation():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = new_id()
        await store.save(conversation(sender, "I need a refuge"))
        tracker = await store.retrieve(sender)
        assert tracker.latest_message.text == "I need a refuge"
        assert tracker.get_slot("borough") == "westminster"
        assert await store.exists(sender)
        assert list(await store.keys()) == [sender]

    run(scenario())


def test_retrieve_gives_the_latest_session_only():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = new_id()
        later = conversation(sender, "second session").events
        await store.save(conversation(sender, "first session", *later))
        tracker = await store.retrieve(sender)
        assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["second session"]
        full = await store.retrieve_full_tracker(sender)
        assert len([e for e in full.events if isinstance(e, UserUttered)]) == 2

    run(scenario())


def test_idle_ttl_slides_with_each_save_and_then_forgets():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=0.6)
        sender = new_id()
        for _ in range(3):  # 1.2 s in all, longer than the TTL, but never 0.6 s idle
            await store.save(conversation(sender, "hello"))
            await asyncio.sleep(0.4)
        assert await store.exists(sender)
        await asyncio.sleep(0.7)
        assert not await store.exists(sender)
        assert await store.retrieve(sender) is None

    run(scenario())


def test_background_sweep_frees_idle_conversations_without_any_traffic():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=0.4)
        for _ in range(50):
            await store.save(conversation(new_id(), "hello"))
        assert len(store._new) == 50
        await asyncio.sleep(1.0)  # no call into the store: only the sweeper can have run
        assert len(store._new) == 0

    run(scenario())


def test_the_cap_evicts_the_longest_idle_conversation_first():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60, max_conversations=3)
        first, second, third, fourth = (new_id() for _ in range(4))
        for sender in (first, second, third):
            await store.save(conversation(sender, "hello"))
        await store.save(conversation(first, "again"))  # first is now the most recent
        await store.save(conversation(fourth, "hello"))
        assert set(await store.keys()) == {third, first, fourth}
        assert store.evicted_for_capacity == 1

    run(scenario())


def test_delete_forgets_at_once():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = new_id()
        await store.save(conversation(sender, "hello"))
        await store.delete(sender)
        assert not await store.exists(sender)
        await store.delete(new_id())  # unknown ids are fine

    run(scenario())


def test_a_reply_finishing_after_the_exit_does_not_bring_the_conversation_back():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = new_id()
        in_flight = conversation(sender, "hello")  # retrieved before the exit
        await store.save(in_flight)
        await store.delete(sender)  # POST /exit while the bot is busy
        await store.save(in_flight)  # the busy request now saves
        assert not await store.exists(sender)
        assert await store.has_exited(sender)

    run(scenario())


def test_a_message_queued_behind_the_exit_does_not_start_it_again():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = new_id()
        await store.save(conversation(sender, "hello"))
        await store.delete(sender)
        # A message sent before the exit, handled after it: Rasa finds no tracker and builds a
        # new one, all of whose events are later than the deletion.
        await asyncio.sleep(0.01)
        await store.save(conversation(sender, "queued"))
        assert not await store.exists(sender)
        assert not await store.has_exited(new_id())

    run(scenario())


def test_a_flood_of_one_message_conversations_never_evicts_one_under_way():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60, max_conversations=10)
        talking = [new_id() for _ in range(4)]
        for sender in talking:  # two messages each: under way
            await store.save(conversation(sender, "hello", UserUttered("westminster")))
        flood = [new_id() for _ in range(200)]
        for sender in flood:
            await store.save(conversation(sender, "x"))
        for sender in talking:
            assert await store.exists(sender)
        assert store.evicted_established == 0
        assert store.evicted_for_capacity == 200 - 6
        assert set(await store.keys()) == {*talking, *flood[-6:]}

    run(scenario())


def test_only_when_all_are_under_way_does_the_longest_idle_one_go():
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60, max_conversations=2)
        first, second, third = (new_id() for _ in range(3))
        for sender in (first, second, third):
            await store.save(conversation(sender, "hello", UserUttered("again")))
        assert set(await store.keys()) == {second, third}
        assert store.evicted_established == 1

    run(scenario())


def test_a_long_conversation_is_compacted_with_its_slots_and_recent_turns():
    async def scenario():
        domain = Domain.from_dict(
            {
                "slots": {
                    "borough": {"type": "text", "mappings": [{"type": "custom"}]},
                    "needs": {"type": "list", "mappings": [{"type": "custom"}]},
                }
            }
        )
        store = EphemeralInMemoryTrackerStore(domain, ttl_seconds=60)
        sender = new_id()
        events = [ActionExecuted("action_session_start"), SessionStarted()]
        events += [SlotSet("borough", "westminster"), SlotSet("needs", ["refuge"])]
        for turn in range(300):
            events += [
                ActionExecuted("action_listen"),
                UserUttered(f"message {turn}", {"name": "search_services", "confidence": 1.0}),
                ActionExecuted("action_answer"),
                BotUttered(f"reply {turn}"),
            ]
        events.append(ActionExecuted("action_listen"))
        long = DialogueStateTracker.from_events(sender, events, domain.slots)
        await store.save(long)
        kept = await store.retrieve(sender)
        assert len(kept.events) <= KEEP_EVENTS + 10
        assert kept.get_slot("borough") == "westminster"
        assert kept.get_slot("needs") == ["refuge"]
        assert kept.latest_message.text == "message 299"
        assert kept.latest_action_name == "action_listen"
        texts = [e.text for e in kept.events if isinstance(e, UserUttered)]
        assert texts == [f"message {turn}" for turn in range(300 - len(texts), 300)]
        # A later slot change survives the next compaction too.
        kept.update(SlotSet("borough", "kensington-and-chelsea"))
        for turn in range(300, 500):
            kept.update(UserUttered(f"message {turn}"))
            kept.update(ActionExecuted("action_listen"))
        await store.save(kept)
        again = await store.retrieve(sender)
        assert len(again.events) <= KEEP_EVENTS + 10
        assert again.get_slot("borough") == "kensington-and-chelsea"
        assert again.latest_message.text == "message 499"

    run(scenario())


@pytest.mark.parametrize("exit_action", ["utter_quick_exit", "action_quick_exit"])
def test_quick_exit_in_the_tracker_deletes_instead_of_saving(exit_action):
    async def scenario():
        store = EphemeralInMemoryTrackerStore(DOMAIN, ttl_seconds=60)
        sender = new_id()
        await store.save(conversation(sender, "hello"))
        await store.save(conversation(sender, "hello", ActionExecuted(exit_action)))
        assert not await store.exists(sender)

    run(scenario())


def test_an_event_broker_is_refused():
    with pytest.raises(UnsafeConfiguration, match="event broker"):
        EphemeralInMemoryTrackerStore(event_broker=object())


def test_a_misspelt_setting_is_an_error_not_ignored():
    with pytest.raises(UnsafeConfiguration, match="Invalid tracker_store settings"):
        check_endpoints(
            {"tracker_store": {"type": "bot.tracker_store.EphemeralInMemoryTrackerStore", "ttl": 5}}
        )


@pytest.mark.parametrize(
    ("endpoints", "message"),
    [
        ({}, "no tracker_store"),
        ({"tracker_store": {"type": "sql"}}, "built-in stores"),
        ({"tracker_store": {"type": "redis", "url": "localhost"}}, "built-in stores"),
        ({"tracker_store": {"type": "bot.no_such_module.Store"}}, "cannot be loaded"),
        ({"tracker_store": {"type": "bot.tracker_store.NoSuchStore"}}, "cannot be loaded"),
        (
            {"tracker_store": {"type": "rasa.core.tracker_store.InMemoryTrackerStore"}},
            "does not expire or delete",
        ),
        (
            {
                "tracker_store": {"type": "bot.tracker_store.EphemeralInMemoryTrackerStore"},
                "event_broker": {"type": "pika"},
            },
            "event_broker",
        ),
    ],
)
def test_unsafe_endpoint_configurations_are_refused(endpoints, message):
    with pytest.raises(UnsafeConfiguration, match=message):
        check_endpoints(endpoints)


def test_the_project_endpoints_use_the_ephemeral_store():
    import yaml

    from tests.conftest import PROJECT_ROOT

    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    store = check_endpoints(endpoints)
    assert isinstance(store, EphemeralInMemoryTrackerStore)
    assert store.ttl_seconds == 30 * 60
    assert "event_broker" not in endpoints


# --- Redis ---------------------------------------------------------------------------------


@pytest.fixture
def redis_store(redis_url):
    prefix = f"vawgtest{uuid.uuid4().hex[:8]}:"
    store = EphemeralRedisTrackerStore(DOMAIN, host=redis_url, ttl_seconds=1.5, key_prefix=prefix)
    yield store
    for key in store.red.scan_iter(match=f"{prefix}*"):
        store.red.delete(key)


def test_redis_keys_expire_and_the_expiry_slides(redis_store):
    async def scenario():
        sender = new_id()
        await redis_store.save(conversation(sender, "hello"))
        key = redis_store._key(sender)
        assert 0 < redis_store.red.pttl(key) <= 1500
        await asyncio.sleep(1.0)
        await redis_store.save(conversation(sender, "hello again"))
        assert redis_store.red.pttl(key) > 1000  # reset by the save
        assert (await redis_store.retrieve(sender)).latest_message.text == "hello again"
        await asyncio.sleep(1.7)
        assert not await redis_store.exists(sender)
        assert redis_store.red.get(key) is None

    run(scenario())


def test_redis_delete_quick_exit_and_late_save(redis_store):
    async def scenario():
        sender, other = new_id(), new_id()
        in_flight = conversation(sender, "hello")
        await redis_store.save(in_flight)
        await redis_store.save(conversation(other, "hello"))
        assert set(await redis_store.keys()) == {sender, other}
        await redis_store.delete(sender)
        await redis_store.save(in_flight)
        assert not await redis_store.exists(sender)
        await redis_store.save(conversation(other, "bye", ActionExecuted("action_quick_exit")))
        assert not await redis_store.exists(other)
        assert list(await redis_store.keys()) == []

    run(scenario())


@pytest.mark.parametrize(
    "settings", [{"save": "3600 1 300 100", "appendonly": "no"}, {"save": "", "appendonly": "yes"}]
)
def test_redis_is_refused_when_it_would_write_to_disk(redis_url, settings):
    class PersistentRedis:  # what CONFIG GET answers on a Redis that snapshots or logs to disk
        def config_get(self, name):
            return {name: settings[name]}

    store = EphemeralRedisTrackerStore(DOMAIN, host=redis_url, ttl_seconds=5)
    store.red = PersistentRedis()
    with pytest.raises(UnsafeConfiguration, match="write conversations to disk"):
        store._refuse_persistence()


def test_redis_unreachable_is_an_error():
    started = time.monotonic()
    with pytest.raises(UnsafeConfiguration, match="Cannot reach Redis"):
        EphemeralRedisTrackerStore(host="redis://127.0.0.1:1/0", ttl_seconds=5)
    assert time.monotonic() - started < 10
