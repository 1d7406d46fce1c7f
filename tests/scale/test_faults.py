"""Several servers surviving the loss of one (issue 21), on one scaled stack: two Rasa and two
action servers behind HAProxy, Redis tracker and lock stores, PostgreSQL directory.

The tests share the stack and run in this order, each leaving it as the next needs: both
servers (ordering, quick exit), then Redis stopped and started, then a Rasa server killed, then
the action servers killed one after the other.
"""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request

import pytest

from bot.channels import unavailable_text
from tests.scale.conftest import PREFIX, at_once, new_sender, slots, user_texts

pytestmark = pytest.mark.stack


def _helpline_only(replies: list) -> bool:
    return [m.get("text") for m in replies] == [unavailable_text()]


def test_two_messages_of_one_conversation_at_two_servers_at_once_are_handled_in_turn(scaled):
    (first, _), (second, _) = scaled.rasa
    for _ in range(5):
        sender = new_sender()
        results = at_once(
            [
                lambda s=sender: scaled.post(first, s, "I need a refuge"),
                lambda s=sender: scaled.post(second, s, "westminster"),
            ]
        )
        assert [status for status, _ in results] == [200, 200]
        events = scaled.events(sender)
        # Each was handled on the conversation as the other left it: both messages are kept
        # (handled at once, the last save would hold only its own), and the second began only
        # after the first turn had ended (listening again).
        assert sorted(user_texts(events)) == ["I need a refuge", "westminster"]
        later_user = [i for i, e in enumerate(events) if e["event"] == "user"][1]
        assert events[later_user - 1] == {**events[later_user - 1], "name": "action_listen"}


def test_one_persons_messages_count_against_one_limit_on_every_server(scaled):
    import redis

    person = "203.0.113.7"  # as HAProxy forwards it (SANIC_PROXIES_COUNT=1)
    for server, _ in scaled.rasa:
        request = urllib.request.Request(
            f"{server}/webhooks/rest/webhook",
            data=json.dumps({"sender": new_sender(), "message": "hi"}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": person},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 200
    client = redis.Redis.from_url(scaled.redis.url, decode_responses=True)
    counted = [int(client.get(k)) for k in client.scan_iter(f"{PREFIX}limit:*:msg:{person}")]
    assert sum(counted) == 2  # both servers counted in one place, not one each


def _exists(server: str, sender: str) -> bool:
    url = f"{server}/webhooks/rest/_test/tracker/{sender}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())["exists"]


def _exit_beacon(server: str, sender: str) -> int:
    request = urllib.request.Request(
        f"{server}/webhooks/rest/exit", data=json.dumps({"sender": sender}).encode()
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_quick_exit_on_one_server_deletes_the_conversation_on_every_server(scaled):
    (first, _), (second, _) = scaled.rasa
    beacon, typed = new_sender(), new_sender()
    for sender in (beacon, typed):
        scaled.texts(first, sender, "I need a refuge")
        scaled.texts(second, sender, "westminster")
        assert _exists(first, sender) and _exists(second, sender)

    assert _exit_beacon(second, beacon) == 204
    status, replies = scaled.post(second, typed, "exit")
    assert status == 200 and {"quick_exit": True} in [m.get("custom") for m in replies]

    for sender in (beacon, typed):
        assert scaled.events(sender) == []
        assert not _exists(first, sender) and not _exists(second, sender)
        # A message still on its way to the other server starts nothing again.
        status, replies = scaled.post(first, sender, "show more")
        assert {"quick_exit": True} in [m.get("custom") for m in replies]
        assert scaled.events(sender) == []


def test_redis_down_gives_the_helpline_never_memory_and_service_resumes(scaled):
    chat = scaled.stack.rasa_url
    talking = new_sender()
    assert unavailable_text() not in scaled.texts(chat, talking, "I need a refuge")

    scaled.redis.stop()
    try:
        # Every message, of a conversation under way or a new one, gets the helpline: none is
        # answered from a copy kept in some server's memory.
        for sender, text in (
            (talking, "westminster"),
            (talking, "show more"),
            (new_sender(), "hi"),
        ):
            status, replies = scaled.post(chat, sender, text)
            assert status == 200 and _helpline_only(replies), replies
    finally:
        scaled.redis.start()

    resumed = new_sender()
    reply = scaled.texts(chat, resumed, "I need a refuge in Westminster")
    assert reply and unavailable_text() not in reply
    assert user_texts(scaled.events(resumed)) == ["I need a refuge in Westminster"]
    # Nothing said during the outage was kept anywhere to come back now.
    assert scaled.events(talking) == []


def test_a_rasa_server_killed_under_20_conversations_loses_none(scaled):
    chat = scaled.stack.rasa_url
    senders = [new_sender() for _ in range(20)]
    firsts = at_once([lambda s=s: scaled.post(chat, s, "I need a refuge") for s in senders])
    assert [status for status, _ in firsts] == [200] * 20

    _, victim = scaled.rasa[0]

    def kill_soon():
        time.sleep(0.05)  # the second messages are on their way, some at the victim
        os.kill(victim, signal.SIGKILL)

    seconds = at_once(
        [kill_soon, *(lambda s=s: scaled.post(chat, s, "westminster", timeout=60) for s in senders)]
    )[1:]
    # A request the victim refused goes to the other server. One it died holding gets a 502:
    # it may have been saved already, so it is not handled a second time.
    statuses = [status for status, _ in seconds]
    assert set(statuses) <= {200, 502}, statuses
    assert statuses.count(200) >= len(senders) // 4, statuses  # the survivor took its share

    thirds = at_once([lambda s=s: scaled.post(chat, s, "counselling") for s in senders])
    assert [status for status, _ in thirds] == [200] * 20
    for sender, (second, _), (_, replies) in zip(senders, seconds, thirds, strict=True):
        assert not _helpline_only(replies)
        events = scaled.events(sender)
        said = user_texts(events)
        # The whole conversation, whichever server handled each message, each message once.
        if second == 200:
            assert said == ["I need a refuge", "westminster", "counselling"]
            assert slots(events)["borough"] == "westminster"
        else:
            assert said in (
                ["I need a refuge", "counselling"],
                ["I need a refuge", "westminster", "counselling"],
            )
    assert "warning: rasa-1 stopped (code -9)" in scaled.stack.output()


def test_action_servers_down_give_the_helpline_not_an_error(scaled):
    chat = scaled.stack.rasa_url
    (_, first), (_, second) = scaled.actions

    os.kill(first, signal.SIGKILL)
    reply = scaled.texts(chat, new_sender(), "I need a refuge in Westminster")
    assert reply and unavailable_text() not in reply  # the other action server answered

    os.kill(second, signal.SIGKILL)
    status, replies = scaled.post(chat, new_sender(), "I need a refuge in Westminster")
    assert status == 200
    assert unavailable_text() in [m.get("text") for m in replies]
