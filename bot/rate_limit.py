"""Limits on the chat channel, so a flood cannot crowd out people who are already talking.

Four checks, in this order, before a message reaches the NLU:
- **per client** (the client's address): at most `messages_per_client` messages per window;
- **new conversations per client**: at most `new_conversations_per_client` per window;
- **new conversations in all**: at most `new_conversations_per_second`, from everyone together
  (a flood spread over many addresses gets no more than that);
- **new conversations when busy**: while this process already has `busy_in_flight` messages in
  hand, a message that would start a new conversation is turned away.
Messages of conversations under way are never refused for load, only by their own client's
limit: people already talking keep their answers when a flood arrives.

Counters are fixed windows keyed by client and window number: in this process's memory
(`MemoryCounters`, one Rasa process) or in Redis (`RedisCounters`, several processes sharing
one count, through the asyncio client so that a slow Redis never stalls other
conversations; `python -m bot --replicas` shares them in the conversations' Redis).
MemoryCounters is directory.counters', which the web app's read API counts with too. Keys
hold an address and a number, never anything a person typed, and expire with their window.

Configured under the channel in credentials.yml:

    bot.channels.PrivateRestInput:
      limits:
        window_seconds: 60
        messages_per_client: 60
        new_conversations_per_client: 10
        new_conversations_per_second: 10
        busy_in_flight: 8
        redis_url: redis://127.0.0.1:6379/0   # optional: share counts between processes

Behind a reverse proxy, set SANIC_PROXIES_COUNT (hops to trust in X-Forwarded-For) so the
client's address is the person's, not the proxy's; docs/ has an nginx `limit_req` recipe for a
first line of defence in front of all this.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from directory.counters import MemoryCounters

logger = logging.getLogger(__name__)

DEFAULT_WINDOW_S = 60


@dataclass(frozen=True)
class Limits:
    window_seconds: float = DEFAULT_WINDOW_S
    messages_per_client: int = 60
    new_conversations_per_client: int = 10
    new_conversations_per_second: float = 10
    busy_in_flight: int = 8
    redis_url: str | None = None

    @classmethod
    def from_config(cls, config: dict[str, Any] | None) -> Limits:
        """Builds limits from credentials.yml, refusing unknown or non-positive settings."""
        config = dict(config or {})
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(config) - known)
        if unknown:
            raise ValueError(f"Unknown chat limit setting(s): {', '.join(unknown)}.")
        limits = cls(**config)
        for name in (
            "window_seconds",
            "messages_per_client",
            "new_conversations_per_client",
            "new_conversations_per_second",
        ):
            value = getattr(limits, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Chat limit {name} must be a positive number, not {value!r}.")
        if not isinstance(limits.busy_in_flight, int) or limits.busy_in_flight < 1:
            raise ValueError("Chat limit busy_in_flight must be a whole number of at least 1.")
        return limits


class RedisCounters:
    """Fixed-window counts in Redis, shared by every process that uses the same prefix."""

    def __init__(
        self,
        url: str,
        prefix: str = "vawg:limit:",
        clock: Callable[[], float] = time.time,
        socket_timeout: float = 1.0,
    ) -> None:
        import redis

        from bot.tracker_store import AsyncRedis

        # Checked once, blocking, at start-up: a wrong URL is a start-up error.
        with redis.Redis.from_url(url, socket_connect_timeout=socket_timeout) as probe:
            probe.ping()
        self._red = AsyncRedis(url, socket_timeout, scripts={})
        self._prefix = prefix
        self._clock = clock

    async def add(self, keys: list[str], window_seconds: float) -> list[int]:
        window = int(self._clock() // window_seconds)
        expiry_ms = max(1000, int(window_seconds * 2000))  # outlives its window, then goes
        async with self._red.client().pipeline(transaction=False) as pipe:
            for key in keys:
                name = f"{self._prefix}{window_seconds:g}s:{window}:{key}"
                pipe.incr(name)
                pipe.pexpire(name, expiry_ms)
            replies = await pipe.execute()
        return [int(count) for count in replies[0::2]]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str = ""  # "client", "new_conversations" or "busy" when refused
    retry_after_s: int = 0


class ChatLimiter:
    """Decides, for each message, whether it may go on to the assistant."""

    def __init__(self, limits: Limits, counters: MemoryCounters | RedisCounters | None = None):
        self.limits = limits
        if counters is None:
            counters = RedisCounters(limits.redis_url) if limits.redis_url else MemoryCounters()
        self._counters = counters
        self.in_flight = 0
        self.counter_failures = 0
        self.refused: dict[str, int] = {
            "client": 0,
            "new_conversations": 0,
            "all_new_conversations": 0,
            "busy": 0,
        }

    async def check(self, client: str, new_conversation: bool) -> Verdict:
        keys = [f"msg:{client}"] + ([f"new:{client}"] if new_conversation else [])
        try:
            counts = await self._add(keys, self.limits.window_seconds)
        except Exception as error:  # noqa: BLE001 (Redis down: keep answering, say so)
            self.counter_failures += 1
            if self.counter_failures % 100 == 1:
                logger.warning("Chat limits not counted (%s).", type(error).__name__)
            counts = [0, 0]
        if counts[0] > self.limits.messages_per_client:
            return self._refuse("client")
        if not new_conversation:
            return Verdict(True)
        if counts[1] > self.limits.new_conversations_per_client:
            return self._refuse("new_conversations")
        if await self._count_all_new() > self.limits.new_conversations_per_second:
            return self._refuse("all_new_conversations", retry_after_s=5)
        if self.in_flight >= self.limits.busy_in_flight:
            return self._refuse("busy", retry_after_s=5)
        return Verdict(True)

    async def _count_all_new(self) -> int:
        try:
            return (await self._add(["new:all"], 1.0))[0]
        except Exception:  # noqa: BLE001 (counted as a failure above when Redis is down)
            return 0

    async def _add(self, keys: list[str], window_seconds: float) -> list[int]:
        counts = self._counters.add(keys, window_seconds)  # in memory: at once; Redis: awaited
        return await counts if inspect.isawaitable(counts) else counts

    def _refuse(self, reason: str, retry_after_s: int | None = None) -> Verdict:
        self.refused[reason] += 1
        wait = retry_after_s if retry_after_s is not None else int(self.limits.window_seconds)
        return Verdict(False, reason, max(1, wait))
