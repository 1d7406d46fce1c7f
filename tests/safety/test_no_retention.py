"""Proof against the real processes that nothing typed is kept, and that the chat endpoints
keep people apart. A random canary phrase goes through whole conversations; afterwards it is
searched for in every process's output, the project's files, the directory database and Redis.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, new_sender
from tests.safety.conftest import SHORT_TTL_S

pytestmark = pytest.mark.stack

QUICK_EXIT_REPLY = "Chat closed."
# The text, and the marker that makes the webchat widget leave the page.
QUICK_EXIT_ANSWER = [{"text": QUICK_EXIT_REPLY}, {"custom": {"quick_exit": True}}]
SKIPPED_DIRS = {".venv", "node_modules", ".git", "__pycache__", ".pytest_cache", ".ruff_cache"}
ALWAYS_SEARCHED_DIRS = ("var", "build", "models")


def new_canary() -> str:
    return f"canary-{uuid.uuid4().hex}"


def post(url: str, body: bytes, content_type: str = "application/json", origin: str | None = None):
    """(status, headers, parsed JSON or None) for a POST, whatever the status."""
    headers = {"Content-Type": content_type}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, header_map, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, header_map, raw = error.code, error.headers, error.read()
    return status, header_map, (json.loads(raw) if raw else None)


def send_json(stack, payload: dict, **kwargs):
    return post(f"{stack.rasa_url}/webhooks/rest/webhook", json.dumps(payload).encode(), **kwargs)


def exit_reply(stack, sender: str, text: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "recipient_id"} for r in stack.send(sender, text)]


def quick_exit_beacon(stack, sender: str):
    # navigator.sendBeacon(url, JSON.stringify({sender})) posts text/plain.
    body = json.dumps({"sender": sender}).encode()
    return post(f"{stack.rasa_url}/webhooks/rest/exit", body, "text/plain;charset=UTF-8")


def files_to_search(since: float) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(PROJECT_ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        top = Path(root).relative_to(PROJECT_ROOT).parts[:1]
        always = bool(top) and top[0] in ALWAYS_SEARCHED_DIRS
        for name in files:
            path = Path(root) / name
            try:
                if always or path.stat().st_mtime >= since:
                    found.append(path)
            except FileNotFoundError:
                continue
    return found


def assert_canary_nowhere_on_disk(canary: str, since: float, extra_paths=()) -> None:
    needle = canary.encode()
    rasa_config = Path.home() / ".config" / "rasa"
    paths = files_to_search(since) + [p for p in rasa_config.rglob("*") if p.is_file()]
    paths += list(extra_paths)
    assert paths, "something was searched"
    holding = [str(p) for p in paths if p.is_file() and needle in p.read_bytes()]
    assert holding == []


def assert_canary_not_in_directory(canary: str, database_url: str) -> None:
    path = Path(database_url.removeprefix("sqlite:///"))
    for candidate in path.parent.glob(path.name + "*"):  # the database, -wal, -journal
        assert canary.encode() not in candidate.read_bytes(), candidate
    with sqlite3.connect(path) as connection:
        dump = "\n".join(connection.iterdump())
    assert dump and canary not in dump


def insight_counters(database_url: str, wait_s: float = 10.0) -> list[tuple]:
    """Every insight counter row, once the stack's processes have flushed a quick exit."""
    path = Path(database_url.removeprefix("sqlite:///"))
    deadline = time.monotonic() + wait_s
    while True:
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT * FROM insight_count").fetchall()
        # (day, event, borough, strand, need, audience, language, asker, detail, count)
        if any(row[1] == "quick-exit" for row in rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def converse_with_canary(stack, sender: str, canary: str) -> None:
    for text in (
        f"hi, {canary}",
        f"I need a refuge in Westminster {canary}",
        f"my partner follows me everywhere {canary}",
        f"can someone call me on 07700 900123 {canary}",
        # "/" forms: Rasa would print these whole in a warning if it parsed them as intents.
        f"/nonexistent_intent {canary}",
        f'/search_services{{"need": "{canary}',
        f"/{canary}",
    ):
        stack.send(sender, text)


# --- The default stack: in-memory store, as `make run` starts it ----------------------------


def test_a_full_conversation_leaves_no_trace(stack):
    started = time.time() - 1
    canary, sender = new_canary(), new_sender()
    converse_with_canary(stack, sender, canary)
    assert stack.tracker_exists(sender)
    replies = stack.send(sender, "someone is coming")  # quick exit through the model and rule
    assert [r.get("text") for r in replies] == [QUICK_EXIT_REPLY, None]  # then the exit marker
    assert not stack.tracker_exists(sender)

    time.sleep(1)  # let every process flush its output
    counters = insight_counters(stack.database_url)  # flushed each second in the stack
    assert canary not in stack.output()
    assert_canary_nowhere_on_disk(canary, started, extra_paths=[stack.log_path])
    assert_canary_not_in_directory(canary, stack.database_url)
    # The insight counters counted this conversation, as ids only: the search, the exit.
    assert ("search", "westminster") in {(row[1], row[2]) for row in counters}
    assert "quick-exit" in {row[1] for row in counters}
    assert not [row for row in counters if canary in repr(row) or "07700" in repr(row)]


def test_only_our_own_button_payloads_set_an_intent(stack):
    sender = new_sender()
    # A payload one of our buttons sends: taken as the intent it names (no model involved).
    chosen = stack.send(sender, '/search_services{"need": "refuge"}')
    assert any("You can contact them yourself." in (m.get("text") or "") for m in chosen)
    # Anything else starting with "/" is read as what it says, through the danger check too.
    forged = stack.texts(new_sender(), '/immediate_danger{"x": 1} he has a knife')
    assert "999" in forged and "55" in forged
    skipped = stack.texts(new_sender(), "/search_services{broken json")
    assert skipped  # answered, not an error


@pytest.mark.parametrize(
    "typed",
    # English, then one in each other full language (issue 18): Spanish, Arabic, Polish,
    # Portuguese, French.
    ["EXIT", "exit", "Get me out!", "leave now", "close this",
     "¡Salir!", "اخرج", "Wyjdź", "Sair", "Quitter"],
)  # fmt: skip
def test_typed_exit_phrases_close_at_once(stack, typed):
    sender = new_sender()
    stack.send(sender, "I need a refuge in Westminster")
    assert stack.tracker_exists(sender)
    assert exit_reply(stack, sender, typed) == QUICK_EXIT_ANSWER
    assert not stack.tracker_exists(sender)


def test_a_request_to_leave_in_other_words_goes_through_the_model_and_closes_too(stack):
    sender = new_sender()
    stack.send(sender, "I need a refuge in Westminster")
    assert exit_reply(stack, sender, "I have to leave now") == QUICK_EXIT_ANSWER
    assert not stack.tracker_exists(sender)


def test_after_quick_exit_the_same_id_stays_closed(stack):
    sender = new_sender()
    stack.send(sender, "I need a refuge in Westminster")  # sets borough and need
    stack.send(sender, "get me out of here")
    assert not stack.tracker_exists(sender)
    # A message still queued when the person left (or replayed later) brings nothing back:
    # it gets the exit answer again, and no conversation is started (the widget uses a new id).
    assert exit_reply(stack, sender, "I need counselling") == QUICK_EXIT_ANSWER
    assert not stack.tracker_exists(sender)
    status, _, _ = quick_exit_beacon(stack, new_sender())
    replies = stack.send(new_sender(), "I need counselling")
    assert status == 204 and any(r.get("text") for r in replies)


def test_the_exit_beacon_deletes_the_conversation(stack):
    sender = new_sender()
    stack.send(sender, "hi")
    assert stack.tracker_exists(sender)
    status, headers, _ = quick_exit_beacon(stack, sender)
    assert status == 204
    assert headers["Cache-Control"] == "no-store"
    assert not stack.tracker_exists(sender)
    assert quick_exit_beacon(stack, new_sender())[0] == 204  # unknown: nothing to say


@pytest.mark.parametrize(
    "sender",
    [
        None,
        "",
        "default",
        "1",
        "alice",
        str(uuid.uuid1()),  # time-based: guessable
        "00000000-0000-0000-0000-000000000000",
        uuid.uuid4().hex,  # right bits, not the canonical form
        12345,
    ],
)
def test_senders_that_are_not_random_uuid4_are_refused(stack, sender):
    payload = {"message": "hi"} if sender is None else {"sender": sender, "message": "hi"}
    status, headers, body = send_json(stack, payload)
    assert status == 400
    assert set(body) == {"error"}
    assert headers["Cache-Control"] == "no-store"
    exit_status, _, _ = post(
        f"{stack.rasa_url}/webhooks/rest/exit", json.dumps(payload).encode(), "text/plain"
    )
    assert exit_status == 400


def test_malformed_bodies_are_refused(stack):
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    assert post(url, b"not json")[0] == 400
    assert post(url, b"[1, 2]")[0] == 400
    assert send_json(stack, {"sender": new_sender(), "message": ""})[0] == 400
    assert post(f"{stack.rasa_url}/webhooks/rest/exit", b"")[0] == 400


def test_chat_responses_are_never_cached(stack):
    status, headers, body = send_json(stack, {"sender": new_sender(), "message": "hi"})
    assert status == 200 and isinstance(body, list) and body
    assert headers["Cache-Control"] == "no-store"


def test_cors_allows_the_web_app_only(stack):
    allowed = stack.web_url
    status, headers, _ = send_json(stack, {"sender": new_sender(), "message": "hi"}, origin=allowed)
    assert status == 200 and headers["Access-Control-Allow-Origin"] == allowed
    # Another site's page is refused outright, not only denied the CORS header.
    sender = new_sender()
    status, headers, body = send_json(
        stack, {"sender": sender, "message": "hi"}, origin="https://attacker.example"
    )
    assert status == 403 and set(body) == {"error"}
    assert headers.get("Access-Control-Allow-Origin") in (None, "")
    assert not stack.tracker_exists(sender)


def test_the_webhook_takes_json_only_so_browsers_must_ask_first(stack):
    # text/plain and form posts are "simple" requests a browser sends from any page without a
    # CORS preflight; the chat refuses them, so every cross-site post needs a preflight.
    body = json.dumps({"sender": new_sender(), "message": "hi"}).encode()
    url = f"{stack.rasa_url}/webhooks/rest/webhook"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        status, _, answer = post(url, body, content_type)
        assert status == 415 and set(answer) == {"error"}
    assert post(url, body, "application/json; charset=utf-8")[0] == 200


def test_the_test_hook_reveals_existence_only(stack):
    sender = new_sender()
    stack.send(sender, "I need a refuge in Westminster")
    url = f"{stack.rasa_url}/webhooks/rest/_test/tracker/{sender}"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        assert json.loads(response.read()) == {"exists": True}


def test_web_pages_carry_the_security_headers(stack):
    with urllib.request.urlopen(f"{stack.web_url}/", timeout=10) as response:  # noqa: S310
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert f"connect-src 'self' {stack.rasa_url};" in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


# --- A tiny TTL, in memory ----------------------------------------------------------------


def test_an_idle_conversation_is_gone_after_the_ttl(short_ttl_stack):
    sender = new_sender()
    short_ttl_stack.send(sender, "I need a refuge in Westminster")
    assert short_ttl_stack.tracker_exists(sender)
    time.sleep(SHORT_TTL_S + 2)
    assert not short_ttl_stack.tracker_exists(sender)


# --- The Redis store, configured as production would run it --------------------------------


def _redis_values(client, key: bytes) -> list[bytes]:
    kind = client.type(key)
    if kind == b"string":
        return [client.get(key) or b""]
    if kind == b"hash":
        return list(client.hgetall(key).values())
    if kind == b"list":
        return client.lrange(key, 0, -1)
    if kind in (b"set", b"zset"):
        return list(client.smembers(key)) if kind == b"set" else client.zrange(key, 0, -1)
    return [client.dump(key) or b""]


def _redis_holds(client, needle: bytes) -> list[bytes]:
    """Keys in the whole Redis database whose name or value contains `needle`."""
    return [
        key
        for key in client.scan_iter(count=1000)
        if needle in key or any(needle in value for value in _redis_values(client, key))
    ]


def test_redis_keeps_a_conversation_only_until_exit(redis_stack):
    stack, client, prefix = redis_stack
    started = time.time() - 1
    canary, sender = new_canary(), new_sender()
    converse_with_canary(stack, sender, canary)
    key = f"{prefix}tracker:{sender}"
    assert 0 < client.pttl(key) <= SHORT_TTL_S * 1000  # the Redis store is the one in use
    assert _redis_holds(client, canary.encode()) == [key.encode()]

    assert stack.texts(sender, "get me out") == QUICK_EXIT_REPLY
    assert _redis_holds(client, canary.encode()) == []
    assert not client.exists(key)

    time.sleep(1)
    assert canary not in stack.output()
    assert_canary_nowhere_on_disk(canary, started, extra_paths=[stack.log_path])
    assert_canary_not_in_directory(canary, stack.database_url)


def test_redis_conversations_expire_after_the_ttl(redis_stack):
    stack, client, prefix = redis_stack
    sender = new_sender()
    stack.send(sender, "hi")
    assert client.exists(f"{prefix}tracker:{sender}")
    time.sleep(SHORT_TTL_S + 1)
    assert not client.exists(f"{prefix}tracker:{sender}")


def test_without_test_hooks_there_is_no_tracker_endpoint(redis_stack):
    stack, _, _ = redis_stack
    url = f"{stack.rasa_url}/webhooks/rest/_test/tracker/{new_sender()}"
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(url, timeout=10)  # noqa: S310
    assert error.value.code == 404
