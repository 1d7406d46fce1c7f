"""Tracker stores that forget: conversations live only while someone is talking.

Rasa's own InMemoryTrackerStore never evicts and its session expiry deletes nothing, so a
conversation would otherwise stay in memory until the server restarts. These stores keep a
conversation only while it is active (a sliding idle TTL), cap how many can be held, delete one
on request (quick exit), and never stream events to a broker.

- `EphemeralInMemoryTrackerStore`: one Rasa instance. Bounded: when the cap is reached, the
  longest idle conversation of one message goes first (the shape of a flood), and a
  conversation under way only when there are none of those.
- `EphemeralRedisTrackerStore`: several Rasa instances sharing one Redis. Keys carry an expiry;
  by default it refuses a Redis that snapshots or appends to disk. Calls are asynchronous, so a
  slow Redis never holds Rasa's event loop, and a Redis that cannot be reached raises
  `StoreUnavailable` (the chat channel answers with the helpline), never a fallback to memory.

A long conversation is compacted as it is saved: past `MAX_EVENTS` events, only the recent
turns are kept, behind the slots' values at the cut, so turn 300 costs what turn 30 does (the
whole tracker is serialised, sent to the action server and parsed again on every turn).

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
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import (
    DialogueStateTracker,
    get_trackers_for_conversation_sessions,
)

from directory import insight

logger = logging.getLogger(__name__)

# Either action in a tracker means the person used quick exit (rule: utter_quick_exit, then
# action_quick_exit). Both count, so the deletion does not depend on the action server.
QUICK_EXIT_ACTIONS = frozenset({"utter_quick_exit", "action_quick_exit"})
DEFAULT_TTL_S = 30 * 60
DEFAULT_MAX_CONVERSATIONS = 20_000
DEFAULT_REDIS_PREFIX = "vawg:"
# A turn is about ten events. Past MAX_EVENTS a tracker is cut back to about KEEP_EVENTS, so
# the work is done once every few dozen turns, not on each.
MAX_EVENTS = 120
KEEP_EVENTS = 60


class UnsafeConfiguration(RuntimeError):
    """The configured tracker store would keep conversations, or cannot be loaded."""


class StoreUnavailable(RuntimeError):
    """Conversations cannot be read or saved now (Redis is down or too slow)."""


def _ends_in_quick_exit(tracker: DialogueStateTracker) -> bool:
    return any(
        isinstance(event, ActionExecuted) and event.action_name in QUICK_EXIT_ACTIONS
        for event in tracker.events
    )


def _latest_session(tracker: DialogueStateTracker) -> DialogueStateTracker:
    # Splitting replays every event into new trackers, on every message. Only split when a
    # later session has started (after 30 minutes idle the store has forgotten it anyway).
    later_start = any(
        isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
        for event in itertools.islice(tracker.events, 1, None)
    )
    return get_trackers_for_conversation_sessions(tracker)[-1] if later_start else tracker


def _user_messages(tracker: DialogueStateTracker, at_least: int) -> bool:
    count = 0
    for event in tracker.events:
        if isinstance(event, UserUttered):
            count += 1
            if count >= at_least:
                return True
    return False


def compacted(tracker: DialogueStateTracker, slots: Iterable[Any]) -> DialogueStateTracker:
    """The tracker, or past MAX_EVENTS its last KEEP_EVENTS or so, cut at a user message and
    led by the slots' values at the cut: what the rules and actions read (slots and the
    recent turns) is the same; what no one reads (old turns) is gone."""
    events = list(tracker.events)
    if len(events) <= MAX_EVENTS:
        return tracker
    cut = len(events) - KEEP_EVENTS
    while cut < len(events) and not isinstance(events[cut], UserUttered):
        cut += 1
    if cut >= len(events):
        return tracker
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], slots=slots)
    moment = events[cut].timestamp
    lead = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=moment),
        SessionStarted(timestamp=moment),
        *(
            SlotSet(slot.name, slot.value, timestamp=moment)
            for slot in before.slots.values()
            if slot.value != slot.initial_value
        ),
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=moment),
    ]
    return DialogueStateTracker.from_events(tracker.sender_id, lead + events[cut:], slots=slots)


def _release_freed_memory() -> None:
    """Hand freed heap pages back to the OS, so memory falls after a sweep (glibc only)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class EphemeralTrackerStore(TrackerStore, SerializedTrackerAsText):
    """What every store of ours promises: expiry, deletion, no event broker.

    Deletion leaves a tombstone (conversation id and time, no content) for one TTL, and a
    conversation with a tombstone is never saved again: a message still queued or being
    processed when the person exits must not bring it back. The widget starts a new id after
    an exit, so nothing legitimate is lost.
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
            # The reply has been produced; nothing of the conversation is kept. An exit
            # through the model is counted here (a count for the day, no id); typed exits and
            # the beacon in bot.channels.
            if not await self.has_exited(tracker.sender_id):
                insight.record("quick-exit")
            await self.delete(tracker.sender_id)
            return
        if len(tracker.events) > MAX_EVENTS and self.domain is not None:
            tracker = compacted(tracker, self.domain.slots)
        established = _user_messages(tracker, at_least=2)
        await self._put(tracker.sender_id, self.serialise_tracker(tracker), established)

    async def has_exited(self, sender_id: str) -> bool:
        """True for a conversation closed by quick exit within the last TTL."""
        return await self._deleted_at(sender_id) is not None

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

    async def _put(self, sender_id: str, serialised: str, established: bool) -> None:
        """Stores the conversation unless it has a tombstone: one step, so an exit on another
        server between a check and the write cannot be undone by the write."""
        raise NotImplementedError

    async def _get(self, sender_id: str) -> str | None:
        raise NotImplementedError

    async def _deleted_at(self, sender_id: str) -> float | None:
        raise NotImplementedError


class EphemeralInMemoryTrackerStore(EphemeralTrackerStore):
    """Conversations in this process's memory, gone after `ttl_seconds` without a message.

    Two queues in order of last activity: conversations of one message so far, and those
    under way (two or more). Expiry pops the front of each; at the cap, the front of the first
    goes before any of the second, so a flood of one-message conversations cannot push out
    people who are mid-conversation. A background sweep (started with the first save, on
    Rasa's event loop) removes idle conversations even when no one else is talking.
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
        # sender_id -> (serialised tracker, monotonic time it expires), oldest activity first
        self._new: OrderedDict[str, tuple[str, float]] = OrderedDict()
        self._established: OrderedDict[str, tuple[str, float]] = OrderedDict()
        # sender_id -> (wall-clock deletion time, monotonic time the tombstone expires)
        self._tombstones: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.evicted_for_capacity = 0
        self.evicted_established = 0
        self._last_capacity_warning = 0.0
        self._sweeper: asyncio.Task | None = None

    def __len__(self) -> int:
        self.sweep()
        return len(self._new) + len(self._established)

    def sweep(self) -> int:
        """Drops expired conversations and tombstones; returns how many conversations went."""
        now = time.monotonic()
        removed = 0
        for queue in (self._new, self._established):
            while queue and next(iter(queue.values()))[1] <= now:
                queue.popitem(last=False)
                removed += 1
        while self._tombstones and next(iter(self._tombstones.values()))[1] <= now:
            self._tombstones.popitem(last=False)
        if removed >= 100 or (removed and not (self._new or self._established)):
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

    async def _put(self, sender_id: str, serialised: str, established: bool) -> None:
        self._ensure_sweeper()
        self.sweep()
        if sender_id in self._tombstones:
            return  # no await since the check: nothing else ran in between
        queue, other = (
            (self._established, self._new) if established else (self._new, self._established)
        )
        other.pop(sender_id, None)
        queue[sender_id] = (serialised, time.monotonic() + self.ttl_seconds)
        queue.move_to_end(sender_id)
        while len(self._new) + len(self._established) > self.max_conversations:
            if self._new:
                self._new.popitem(last=False)
            else:
                self._established.popitem(last=False)
                self.evicted_established += 1
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
        entry = self._established.get(sender_id) or self._new.get(sender_id)
        return entry[0] if entry else None

    async def _deleted_at(self, sender_id: str) -> float | None:
        self.sweep()
        entry = self._tombstones.get(sender_id)
        return entry[0] if entry else None

    async def exists(self, conversation_id: str) -> bool:
        self.sweep()
        return conversation_id in self._established or conversation_id in self._new

    async def delete(self, sender_id: str) -> None:
        self._new.pop(sender_id, None)
        self._established.pop(sender_id, None)
        self._tombstones[sender_id] = (time.time(), time.monotonic() + self.ttl_seconds)
        self._tombstones.move_to_end(sender_id)
        while len(self._tombstones) > self.max_conversations:
            self._tombstones.popitem(last=False)

    async def keys(self) -> Iterable[str]:
        self.sweep()
        return [*self._established, *self._new]


class EphemeralRedisTrackerStore(EphemeralTrackerStore):
    """Conversations in Redis with an expiry on every key, for several Rasa instances.

    Each save resets the key's expiry (a sliding idle TTL). Unlike Rasa's RedisTrackerStore it
    never merges old sessions back in. Redis itself must not write snapshots or an append-only
    file, or conversations would reach its disk: that is checked at start-up and refused unless
    `require_no_persistence: false` (only for a Redis where CONFIG is disabled and persistence
    is known to be off).

    `red` is a blocking client for those start-up checks only; every call while Rasa serves
    goes through an asyncio client (one per event loop), and a save is one Lua script that
    writes only if the conversation has no exit marker.
    """

    # KEYS: tracker, tombstone. ARGV: serialised tracker, TTL in ms. 1 if written.
    PUT_UNLESS_EXITED = """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
    """

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,  # the endpoint's `url`: redis://[:password@]host:port/db
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
        self.url = host
        self.socket_timeout = socket_timeout
        self.red = redis.Redis.from_url(host, decode_responses=True, **self._timeouts())
        self.key_prefix = key_prefix
        self._async = AsyncRedis(host, socket_timeout, {"put": self.PUT_UNLESS_EXITED})
        try:
            self.red.ping()
        except redis.exceptions.RedisError as error:
            raise UnsafeConfiguration(f"Cannot reach Redis at {host}: {error}") from error
        if require_no_persistence:
            self._refuse_persistence()

    def _timeouts(self) -> dict[str, float]:
        return {
            "socket_timeout": self.socket_timeout,
            "socket_connect_timeout": self.socket_timeout,
        }

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

    def _client(self):
        return self._async.client()

    def _key(self, sender_id: str) -> str:
        return f"{self.key_prefix}tracker:{sender_id}"

    def _tombstone(self, sender_id: str) -> str:
        return f"{self.key_prefix}exited:{sender_id}"

    def _ttl_ms(self) -> int:
        return max(1, int(self.ttl_seconds * 1000))

    async def _put(self, sender_id: str, serialised: str, established: bool) -> None:
        keys = [self._key(sender_id), self._tombstone(sender_id)]
        async with unavailable_on_redis_errors():
            await self._async.script("put")(keys=keys, args=[serialised, self._ttl_ms()])

    async def _get(self, sender_id: str) -> str | None:
        async with unavailable_on_redis_errors():
            return await self._client().get(self._key(sender_id))

    async def _deleted_at(self, sender_id: str) -> float | None:
        async with unavailable_on_redis_errors():
            value = await self._client().get(self._tombstone(sender_id))
        return float(value) if value is not None else None

    async def exists(self, conversation_id: str) -> bool:
        async with unavailable_on_redis_errors():
            return bool(await self._client().exists(self._key(conversation_id)))

    async def delete(self, sender_id: str) -> None:
        async with (
            unavailable_on_redis_errors(),
            self._client().pipeline(transaction=True) as pipe,
        ):
            pipe.delete(self._key(sender_id))
            pipe.set(self._tombstone(sender_id), repr(time.time()), px=self._ttl_ms())
            await pipe.execute()

    async def keys(self) -> Iterable[str]:
        prefix = self._key("")
        async with unavailable_on_redis_errors():
            return [
                key[len(prefix) :]
                async for key in self._client().scan_iter(match=f"{prefix}*", count=500)
            ]


class AsyncRedis:
    """The asyncio Redis client of the running event loop (a client cannot move between loops),
    with `scripts` (name -> Lua source) registered on it, shared by the tracker and lock stores.

    It tries once more on a new connection: after Redis restarts, every pooled connection is
    dead, and the first use of each would otherwise fail a message.
    """

    def __init__(self, url: str, socket_timeout: float, scripts: dict[str, str]) -> None:
        self.url = url
        self.socket_timeout = socket_timeout
        self.scripts_source = scripts
        self._loop_id: int | None = None
        self._client: Any = None
        self._scripts: dict[str, Any] = {}

    def client(self):
        loop_id = id(asyncio.get_running_loop())
        if loop_id != self._loop_id:  # the loop before this one is gone
            import redis.asyncio
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            self._client = redis.asyncio.Redis.from_url(
                self.url,
                decode_responses=True,
                socket_timeout=self.socket_timeout,
                socket_connect_timeout=self.socket_timeout,
                retry=Retry(NoBackoff(), 1),
                retry_on_error=[redis.exceptions.ConnectionError],
            )
            self._scripts = {
                name: self._client.register_script(source)
                for name, source in self.scripts_source.items()
            }
            self._loop_id = loop_id
        return self._client

    def script(self, name: str):
        self.client()
        return self._scripts[name]


@contextlib.asynccontextmanager
async def unavailable_on_redis_errors():
    """Redis errors as StoreUnavailable, the one failure the chat channel answers for."""
    import redis

    try:
        yield
    except redis.exceptions.RedisError as error:
        raise StoreUnavailable(f"Redis: {type(error).__name__}") from error


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
