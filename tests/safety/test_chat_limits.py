"""The chat channel's limits (bot/rate_limit.py): per client, for new conversations, when busy;
counted in one process or shared through Redis; and through the real channel."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
import uuid

import pytest

from bot.channels import PrivateRestInput
from bot.rate_limit import ChatLimiter, Limits, MemoryCounters, RedisCounters
from tests.conftest import launch_stack, new_sender


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(check):
    """A check is a coroutine (the Redis counters are asyncio): run it to its verdict."""
    return asyncio.run(check)


def limiter(clock=None, **settings) -> ChatLimiter:
    return ChatLimiter(Limits(**settings), MemoryCounters(clock or Clock()))


def test_each_client_has_its_own_budget_per_window():
    clock = Clock()
    chat = limiter(clock, window_seconds=60, messages_per_client=3)
    assert [run(chat.check("a", new_conversation=False)).allowed for _ in range(4)] == [
        True, True, True, False,
    ]  # fmt: skip
    refused = run(chat.check("a", new_conversation=False))
    assert refused.reason == "client" and refused.retry_after_s == 60
    assert run(chat.check("b", new_conversation=False)).allowed
    clock.now += 60  # the next window
    assert run(chat.check("a", new_conversation=False)).allowed
    assert chat.refused["client"] == 2


def test_new_conversations_have_a_smaller_budget_than_messages():
    chat = limiter(messages_per_client=100, new_conversations_per_client=2)
    assert run(chat.check("a", new_conversation=True)).allowed
    assert run(chat.check("a", new_conversation=True)).allowed
    third = run(chat.check("a", new_conversation=True))
    assert not third.allowed and third.reason == "new_conversations"
    # Someone already talking from the same address goes on.
    assert run(chat.check("a", new_conversation=False)).allowed


def test_new_conversations_from_everyone_together_have_a_rate():
    clock = Clock()
    chat = limiter(clock, new_conversations_per_second=3)
    # A flood spread over many addresses: each address is new, the total is not.
    verdicts = [run(chat.check(f"10.0.0.{n}", new_conversation=True)) for n in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[-1].reason == "all_new_conversations"
    assert run(chat.check("10.0.0.9", new_conversation=False)).allowed  # someone already talking
    clock.now += 1
    assert run(chat.check("10.0.0.10", new_conversation=True)).allowed  # the next second


def test_when_busy_only_new_conversations_wait():
    chat = limiter(busy_in_flight=2)
    chat.in_flight = 2
    busy = run(chat.check("a", new_conversation=True))
    assert not busy.allowed and busy.reason == "busy" and busy.retry_after_s == 5
    assert run(chat.check("b", new_conversation=False)).allowed
    chat.in_flight = 1
    assert run(chat.check("c", new_conversation=True)).allowed


def test_counts_are_shared_through_redis_by_every_process(redis_url):
    prefix = f"vawgtest{uuid.uuid4().hex[:8]}:limit:"
    limits = Limits(window_seconds=60, messages_per_client=3)
    first = ChatLimiter(limits, RedisCounters(redis_url, prefix=prefix))
    second = ChatLimiter(limits, RedisCounters(redis_url, prefix=prefix))
    assert run(first.check("a", False)).allowed and run(second.check("a", False)).allowed
    assert run(first.check("a", False)).allowed
    assert not run(second.check("a", False)).allowed  # the fourth, counted across both
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    assert keys and all(0 < client.pttl(key) <= 120_000 for key in keys)
    client.delete(*keys)


def test_a_counter_failure_lets_messages_through():
    class Broken:
        async def add(self, keys, window_seconds):
            raise ConnectionError("down")

    chat = ChatLimiter(Limits(busy_in_flight=1), Broken())
    assert run(chat.check("a", new_conversation=True)).allowed
    chat.in_flight = 1
    assert not run(chat.check("a", new_conversation=True)).allowed  # the busy check still holds
    assert chat.counter_failures == 2


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"messages_per_clinet": 5}, "Unknown chat limit"),
        ({"messages_per_client": 0}, "positive"),
        ({"window_seconds": -1}, "positive"),
        ({"busy_in_flight": 0}, "at least 1"),
    ],
)
def test_bad_limit_settings_are_errors(settings, message):
    with pytest.raises(ValueError, match=message):
        Limits.from_config(settings)


def test_the_channel_reads_its_limits_from_credentials():
    channel = PrivateRestInput.from_credentials({"limits": {"messages_per_client": 7}})
    assert channel.limiter.limits.messages_per_client == 7
    with pytest.raises(ValueError, match="Unknown chat channel setting"):
        PrivateRestInput.from_credentials({"limit": {}})


# --- Through the real channel -------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_stack(tmp_path_factory):
    """The stack behind one trusted proxy hop, with small limits to reach quickly."""
    limits = {"messages_per_client": 5, "new_conversations_per_client": 2, "busy_in_flight": 16}
    with launch_stack(
        tmp_path_factory.mktemp("limited"),
        limits=limits,
        extra_env={"SANIC_PROXIES_COUNT": "1"},
    ) as stack:
        yield stack


def send_from(stack, client: str, sender: str, text: str):
    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": client},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


@pytest.mark.stack
def test_limits_hold_through_the_channel_per_client(limited_stack):
    talking = new_sender()
    statuses = [send_from(limited_stack, "203.0.113.1", talking, "hi")[0] for _ in range(5)]
    assert statuses == [200] * 5
    status, headers, body = send_from(limited_stack, "203.0.113.1", talking, "hi")
    assert status == 429 and headers["Retry-After"] == "60" and set(body) == {"error"}
    # Leaving is never limited, and another address is not affected.
    assert send_from(limited_stack, "203.0.113.1", talking, "exit")[0] == 200
    assert not limited_stack.tracker_exists(talking)
    assert send_from(limited_stack, "203.0.113.2", new_sender(), "hi")[0] == 200


@pytest.mark.stack
def test_new_conversations_per_client_are_limited_through_the_channel(limited_stack):
    client = "198.51.100.7"
    first, second, third = new_sender(), new_sender(), new_sender()
    assert send_from(limited_stack, client, first, "hi")[0] == 200
    assert send_from(limited_stack, client, second, "hi")[0] == 200
    status, _, _ = send_from(limited_stack, client, third, "hi")
    assert status == 429 and not limited_stack.tracker_exists(third)
    assert send_from(limited_stack, client, first, "I need a refuge")[0] == 200  # goes on
