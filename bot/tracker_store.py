"""Tracker stores that forget: conversations live only while someone is talking.

Rasa's own InMemoryTrackerStore never evicts and its session expiry deletes nothing, so a
conversation would otherwise stay in memory until the server restarts. These stores keep a
conversation only while it is active (a sliding idle TTL), cap how many can be held, delete one
on request (quick exit), and never stream events to a broker.

- `EphemeralInMemoryTrackerStore`: one Rasa instance. Bounded: oldest idle conversation evicted
  first when the cap is reached.
- `EphemeralRedisTrackerStore`: several Rasa instances sharing one Redis. Keys carry an expiry;
  by default it refuses a Redis that snapshots or appends to disk.

Configured in endpoints.yml as `tracker_store: {type: bot.tracker_store.<Class>, ...}`.
`check_endpoints()` is what the launcher and bot.rasa_server call before Rasa starts, because
Rasa 3.6 silently falls back to its never-evicting store when a custom store fails to import.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import itertools
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import (
    DialogueStateTracker,
    get_trackers_for_conversation_sessions,
)

logger = logging.getLogger(__name__)

# Either action in a tracker means the person used quick exit (rule: utter_quick_exit, then
# action_quick_exit). Both count, so the deletion does not depend on the action server.
QUICK_EXIT_ACTIONS = frozenset({"utter_quick_exit", "action_quick_exit"})
DEFAULT_TTL_S = 30 * 60
DEFAULT_MAX_CONVERSATIONS = 20_000
DEFAULT_REDIS_PREFIX = "vawg:"


class UnsafeConfiguration(RuntimeError):
    """The configured tracker store would keep conversations, or cannot be loaded."""


def _ends_in_quick_exit(tracker: DialogueStateTracker) -> bool:
    return any(
        isinstance(event, ActionExecuted) and event.action_name in QUICK_EXIT_ACTIONS
        for event in tracker.events
    )


def _started_before(tracker: DialogueStateTracker, moment: float) -> bool:
    # An empty tracker is a conversation being created now, never a stale one.
    return bool(tracker.events) and tracker.events[0].timestamp < moment


def _latest_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
    # Splitting replays every event into new trackers, on every message. Only split when a
    # later session has started (after 30 minutes idle the store has forgotten it anyway).
    later_start = any(
        isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
        for event in itertools.islice(tracker.events, 1, None)
    )
    return get_trackers_for_conversation_sessions(tracker)[-1] if later_start else tracker


def _release_freed_memory() -> None:
    """Hand freed heap pages back to the OS, so memory falls after a sweep (glibc only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class EphemeralTrackerStore(TrackerStore, SerializedTrackerAsText):
    """What every store of ours promises: expiry, deletion, no event broker.

    Deletion leaves a tombstone (conversation id and time, no content) for one TTL: a message
    still being processed when the person exits must not save its tracker back afterwards.
    Any tracker that began before the deletion is dropped instead of saved.
    """

    def __init__(self, domain: Any = None, event_broker: Any = None, ttl_seconds: float = 0):
        if event_broker is not None:
            raise UnsafeConfiguration(
                "An event broker would copy every message out of Rasa; none may be configured."
            )
        if not ttl_seconds or ttl_seconds <= 0:
            raise UnsafeConfiguration("ttl_seconds must be a positive number of seconds.")
        super().__init__(domain, None)
        self.ttl_seconds = float(ttl_seconds)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if _ends_in_quick_exit(tracker):
            # The reply has been produced; nothing of the conversation is kept.
            await self.delete(tracker.sender_id)
            return
        deleted_at = await self._deleted_at(tracker.sender_id)
        if deleted_at is not None and _started_before(tracker, deleted_at):
            return
        await self._put(tracker.sender_id, self.serialise_tracker(tracker))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await self.retrieve_full_tracker(sender_id)
        return _latest_session(tracker) if tracker is not None else None

    async def retrieve_full_tracker(self, sender_id: str) -> DialogueStateTracker | None:
        serialised = await self._get(sender_id)
        if serialised is None:
            return None
        return self.deserialise_tracker(sender_id, serialised)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        return None  # never: there is no broker

    # Implemented by each store.
    async def exists(self, conversation_id: str) -> bool:
        raise NotImplementedError

    async def delete(self, sender_id: str) -> None:
        raise NotImplementedError

    async def keys(self) -> Iterable[str]:
        raise NotImplementedError

    async def _put(self, sender_id: str, serialised: str) -> None:
        raise NotImplementedError

    async def _get(self, sender_id: str) -> str | None:
        raise NotImplementedError

    async def _deleted_at(self, sender_id: str) -> float | None:
        raise NotImplementedError


class EphemeralInMemoryTrackerStore(EphemeralTrackerStore):
    """Conversations in this process's memory, gone after `ttl_seconds` without a message.

    Entries are kept in order of last activity, so expiry and eviction both pop from the front.
    A background sweep (started with the first save, on Rasa's event loop) removes idle
    conversations even when no one else is talking.
    """

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,  # Rasa passes the endpoint's `url`; unused here
        event_broker: Any = None,
        ttl_seconds: float = DEFAULT_TTL_S,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
    ) -> None:
        super().__init__(domain, event_broker, ttl_seconds)
        if max_conversations < 1:
            raise UnsafeConfiguration("max_conversations must be at least 1.")
        self.max_conversations = int(max_conversations)
        # sender_id -> (serialised tracker, monotonic time it expires)
        self._live: OrderedDict[str, tuple[str, float]] = OrderedDict()
        # sender_id -> (wall-clock deletion time, monotonic time the tombstone expires)
        self._tombstones: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.evicted_for_capacity = 0
        self._last_capacity_warning = 0.0
        self._sweeper: asyncio.Task | None = None

    def __len__(self) -> int:
        self.sweep()
        return len(self._live)

    def sweep(self) -> int:
        """Drops expired conversations and tombstones; returns how many conversations went."""
        now = time.monotonic()
        removed = 0
        while self._live:
            sender_id, (_, expires) = next(iter(self._live.items()))
            if expires > now:
                break
            del self._live[sender_id]
            removed += 1
        while self._tombstones and next(iter(self._tombstones.values()))[1] <= now:
            self._tombstones.popitem(last=False)
        if removed >= 100 or (removed and not self._live):
            _release_freed_memory()
        return removed

    def _sweep_interval(self) -> float:
        return max(0.2, min(30.0, self.ttl_seconds / 4))

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self._sweep_interval())
            self.sweep()

    def _ensure_sweeper(self) -> None:
        if self._sweeper is not None and not self._sweeper.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._sweeper = loop.create_task(self._sweep_forever())

    async def _put(self, sender_id: str, serialised: str) -> None:
        self._ensure_sweeper()
        self.sweep()
        self._live[sender_id] = (serialised, time.monotonic() + self.ttl_seconds)
        self._live.move_to_end(sender_id)
        while len(self._live) > self.max_conversations:
            self._live.popitem(last=False)
            self.evicted_for_capacity += 1
            self._warn_capacity()

    def _warn_capacity(self) -> None:
        now = time.monotonic()
        if now - self._last_capacity_warning > 60:
            self._last_capacity_warning = now
            logger.warning(
                "The conversation cap (%d) is reached: the longest idle conversations are "
                "being dropped. Raise max_conversations or use the Redis store.",
                self.max_conversations,
            )

    async def _get(self, sender_id: str) -> str | None:
        self.sweep()
        entry = self._live.get(sender_id)
        return entry[0] if entry else None

    async def _deleted_at(self, sender_id: str) -> float | None:
        self.sweep()
        entry = self._tombstones.get(sender_id)
        return entry[0] if entry else None

    async def exists(self, conversation_id: str) -> bool:
        self.sweep()
        return conversation_id in self._live

    async def delete(self, sender_id: str) -> None:
        self._live.pop(sender_id, None)
        self._tombstones[sender_id] = (time.time(), time.monotonic() + self.ttl_seconds)
        self._tombstones.move_to_end(sender_id)
        while len(self._tombstones) > self.max_conversations:
            self._tombstones.popitem(last=False)

    async def keys(self) -> Iterable[str]:
        self.sweep()
        return list(self._live)


class EphemeralRedisTrackerStore(EphemeralTrackerStore):
    """Conversations in Redis with an expiry on every key, for several Rasa instances.

    Each save resets the key's expiry (a sliding idle TTL). Unlike Rasa's RedisTrackerStore it
    never merges old sessions back in. Redis itself must not write snapshots or an append-only
    file, or conversations would reach its disk: that is checked at start-up and refused unless
    `require_no_persistence: false` (only for a Redis where CONFIG is disabled and persistence
    is known to be off).
    """

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,  # the endpoint's `url`: redis://host:port/db
        event_broker: Any = None,
        ttl_seconds: float = DEFAULT_TTL_S,
        key_prefix: str = DEFAULT_REDIS_PREFIX,
        require_no_persistence: bool = True,
        socket_timeout: float = 2.0,
    ) -> None:
        import redis

        super().__init__(domain, event_broker, ttl_seconds)
        if not host:
            raise UnsafeConfiguration("The Redis tracker store needs `url: redis://host:port/db`.")
        self.red = redis.Redis.from_url(
            host,
            decode_responses=True,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
        )
        self.key_prefix = key_prefix
        try:
            self.red.ping()
        except redis.exceptions.RedisError as error:
            raise UnsafeConfiguration(f"Cannot reach Redis at {host}: {error}") from error
        if require_no_persistence:
            self._refuse_persistence()

    def _refuse_persistence(self) -> None:
        import redis

        try:
            snapshots = self.red.config_get("save").get("save", "")
            append_only = self.red.config_get("appendonly").get("appendonly", "no")
        except redis.exceptions.ResponseError as error:
            raise UnsafeConfiguration(
                "Cannot check that Redis keeps nothing on disk (CONFIG is unavailable: "
                f"{error}). Confirm persistence is off, then set require_no_persistence: false."
            ) from error
        if snapshots.strip() or append_only != "no":
            raise UnsafeConfiguration(
                "Redis would write conversations to disk "
                f"(save={snapshots!r}, appendonly={append_only!r}). "
                'Run it with `save ""` and `appendonly no`.'
            )

    def _key(self, sender_id: str) -> str:
        return f"{self.key_prefix}tracker:{sender_id}"

    def _tombstone(self, sender_id: str) -> str:
        return f"{self.key_prefix}exited:{sender_id}"

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl_seconds * 1000))

    async def _put(self, sender_id: str, serialised: str) -> None:
        self.red.set(self._key(sender_id), serialised, px=self._ttl_ms())

    async def _get(self, sender_id: str) -> str | None:
        return self.red.get(self._key(sender_id))

    async def _deleted_at(self, sender_id: str) -> float | None:
        value = self.red.get(self._tombstone(sender_id))
        return float(value) if value is not None else None

    async def exists(self, conversation_id: str) -> bool:
        return bool(self.red.exists(self._key(conversation_id)))

    async def delete(self, sender_id: str) -> None:
        with self.red.pipeline(transaction=True) as pipe:
            pipe.delete(self._key(sender_id))
            pipe.set(self._tombstone(sender_id), repr(time.time()), px=self._ttl_ms())
            pipe.execute()

    async def keys(self) -> Iterable[str]:
        prefix = self._key("")
        return [key[len(prefix) :] for key in self.red.scan_iter(match=f"{prefix}*", count=500)]


def _endpoint_kwargs(tracker_store: dict) -> tuple[str | None, dict]:
    """Splits an endpoints.yml tracker_store section the way Rasa's EndpointConfig does."""
    options = dict(tracker_store)
    options.pop("type", None)
    options.pop("store_type", None)
    url = options.pop("url", None)
    for ignored in ("params", "headers", "basic_auth", "token", "token_name", "cafile"):
        options.pop(ignored, None)
    return url, options


def load_store_class(type_name: str) -> type[EphemeralTrackerStore]:
    """Imports the configured class; every failure is an error, never a fallback."""
    module_name, _, class_name = type_name.rpartition(".")
    if not module_name:
        raise UnsafeConfiguration(
            f"tracker_store type {type_name!r} is one of Rasa's built-in stores, which keep "
            "conversations (in memory forever, or on disk). Use bot.tracker_store."
            "EphemeralInMemoryTrackerStore or bot.tracker_store.EphemeralRedisTrackerStore."
        )
    try:
        store_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise UnsafeConfiguration(
            f"The tracker store {type_name!r} cannot be loaded ({error}). Refusing to start: "
            "Rasa would silently fall back to its in-memory store, which keeps every "
            "conversation."
        ) from error
    if not (isinstance(store_class, type) and issubclass(store_class, EphemeralTrackerStore)):
        raise UnsafeConfiguration(
            f"The tracker store {type_name!r} does not expire or delete conversations; "
            "use a store from bot.tracker_store."
        )
    return store_class


def check_endpoints(endpoints: dict) -> EphemeralTrackerStore:
    """Validates an endpoints.yml mapping and builds its tracker store once, to prove it works.

    Raises UnsafeConfiguration with a message meant for the person starting the server.
    """
    if endpoints.get("event_broker"):
        raise UnsafeConfiguration(
            "endpoints.yml configures an event_broker: it would copy every message out of "
            "Rasa. Remove it."
        )
    section = endpoints.get("tracker_store")
    if not isinstance(section, dict) or not section.get("type"):
        raise UnsafeConfiguration(
            "endpoints.yml has no tracker_store: Rasa's default keeps every conversation in "
            "memory until it restarts. Configure bot.tracker_store.EphemeralInMemoryTrackerStore."
        )
    store_class = load_store_class(str(section["type"]))
    url, options = _endpoint_kwargs(section)
    try:
        return store_class(domain=None, host=url, event_broker=None, **options)
    except UnsafeConfiguration:
        raise
    except (TypeError, ValueError) as error:
        raise UnsafeConfiguration(f"Invalid tracker_store settings: {error}") from error
