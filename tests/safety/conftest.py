"""Extra stacks for the privacy tests: the same launcher and processes as the lead's `stack`
fixture, with a different endpoints.yml (a tiny TTL, or the Redis store)."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import REDIS_URL, _service_missing, launch_stack

SHORT_TTL_S = 6


@pytest.fixture(scope="module")
def short_ttl_stack(tmp_path_factory):
    """The in-memory store as in production, but conversations expire after SHORT_TTL_S."""
    store = {
        "type": "bot.tracker_store.EphemeralInMemoryTrackerStore",
        "ttl_seconds": SHORT_TTL_S,
        "max_conversations": 1000,
    }
    with launch_stack(tmp_path_factory.mktemp("short-ttl"), store, test_hooks=True) as stack:
        yield stack


@pytest.fixture(scope="module")
def redis_stack(tmp_path_factory):
    """The Redis store, run as production would: no test hooks. Yields (stack, redis, prefix)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        _service_missing("Redis", error)
    prefix = f"vawgtest{uuid.uuid4().hex[:8]}:"
    store = {
        "type": "bot.tracker_store.EphemeralRedisTrackerStore",
        "url": REDIS_URL,
        "ttl_seconds": SHORT_TTL_S,
        "key_prefix": prefix,
    }
    with launch_stack(tmp_path_factory.mktemp("redis"), store, test_hooks=False) as stack:
        yield stack, client, prefix
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
