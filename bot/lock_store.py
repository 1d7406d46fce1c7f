"""A conversation's messages one at a time, across every Rasa server sharing one Redis.

Rasa takes `async with lock_store.lock(sender_id)` around each message. Its own RedisLockStore
reads the ticket queue, changes it in Python and writes it back, with blocking calls: two
servers taking a ticket at the same moment can both read an empty queue and both go ahead, and
each call holds the server's event loop. Here each step is one Lua script, so issuing,
checking and returning a ticket are atomic in Redis, and every call is asynchronous.

A ticket expires after `lifetime_seconds`: the ticket of a server killed mid-message is not
returned, so the next message of that conversation waits at most that long. Keys hold a
conversation id and ticket numbers, nothing of what was said, and expire with the tickets.

Configured in endpoints.yml:

    lock_store:
      type: bot.lock_store.EphemeralRedisLockStore
      url: redis://127.0.0.1:6379/0
      key_prefix: "vawg:"
      lifetime_seconds: 10
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from rasa.core.lock_store import LockError, LockStore

from bot.tracker_store import (
    DEFAULT_REDIS_PREFIX,
    AsyncRedis,
    UnsafeConfiguration,
    unavailable_on_redis_errors,
)

DEFAULT_LIFETIME_S = 10.0
DEFAULT_POLL_S = 0.02

# The queue is a sorted set of ticket numbers (zero-padded, so equal scores sort by number)
# scored by their expiry in Redis's own clock; the counter gives the numbers.
# KEYS: queue, counter. ARGV: lifetime in ms. Returns the ticket.
ISSUE = """
    local now = redis.call('TIME')
    local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
    local ticket = string.format('%012d', redis.call('INCR', KEYS[2]))
    redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[1]), ticket)
    redis.call('PEXPIRE', KEYS[1], ARGV[1])
    redis.call('PEXPIRE', KEYS[2], ARGV[1])
    return ticket
"""
# KEYS: queue. ARGV: ticket. 1: its turn; 0: wait; -1: it expired (the message took too long).
TURN = """
    local now = redis.call('TIME')
    local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
    if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
    local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
    if first == ARGV[1] then return 1 end
    return 0
"""
# KEYS: queue, counter. ARGV: ticket. The last ticket out removes both keys.
RELEASE = """
    redis.call('ZREM', KEYS[1], ARGV[1])
    if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
    return 1
"""


class EphemeralRedisLockStore(LockStore):
    def __init__(
        self,
        endpoint_config: Any = None,  # how Rasa builds a custom lock store
        url: str | None = None,
        key_prefix: str = DEFAULT_REDIS_PREFIX,
        lifetime_seconds: float = DEFAULT_LIFETIME_S,
        poll_seconds: float = DEFAULT_POLL_S,
        socket_timeout: float = 2.0,
    ) -> None:
        if endpoint_config is not None:
            url = endpoint_config.url
            options = dict(endpoint_config.kwargs)
            key_prefix = options.pop("key_prefix", key_prefix)
            lifetime_seconds = float(options.pop("lifetime_seconds", lifetime_seconds))
            poll_seconds = float(options.pop("poll_seconds", poll_seconds))
            if options:
                raise UnsafeConfiguration(f"Unknown lock_store setting(s): {sorted(options)}.")
        if not url:
            raise UnsafeConfiguration("The Redis lock store needs `url: redis://host:port/db`.")
        if lifetime_seconds <= 0 or poll_seconds <= 0:
            raise UnsafeConfiguration("lifetime_seconds and poll_seconds must be positive.")
        super().__init__()
        self.url = url
        self.key_prefix = key_prefix
        self.lifetime_ms = int(lifetime_seconds * 1000)
        self.poll_seconds = poll_seconds
        self._async = AsyncRedis(
            url, socket_timeout, {"issue": ISSUE, "turn": TURN, "release": RELEASE}
        )

    def _keys(self, conversation_id: str) -> list[str]:
        queue = f"{self.key_prefix}lock:{conversation_id}"
        return [queue, f"{queue}:issued"]

    @contextlib.asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float | None = None, wait_time_in_seconds=None
    ) -> AsyncIterator[None]:
        """Waits for this message's turn; Rasa's arguments are ignored for our own settings."""
        issue, turn, release = (self._async.script(n) for n in ("issue", "turn", "release"))
        keys = self._keys(conversation_id)
        async with unavailable_on_redis_errors():
            ticket = await issue(keys=keys, args=[self.lifetime_ms])
        try:
            while True:
                async with unavailable_on_redis_errors():
                    state = await turn(keys=keys[:1], args=[ticket])
                if state == 1:
                    break
                if state == -1:
                    raise LockError("A ticket expired while waiting for its turn.")
                await asyncio.sleep(self.poll_seconds)
            yield None
        finally:
            with contextlib.suppress(Exception):  # an unreturned ticket expires on its own
                await release(keys=keys, args=[ticket])
