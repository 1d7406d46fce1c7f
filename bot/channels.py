"""The REST channel the widget talks to, named "rest" so its URLs are Rasa's usual ones.

- `POST /webhooks/rest/webhook` `{"sender": "<uuid4>", "message": "..."}` -> Rasa's REST reply
  list. A message starting with "/" is taken as an intent only when it is exactly the payload
  of one of the domain's buttons; anything else is read as ordinary text. The sender must be
  a random UUID4: Rasa would put a missing sender into one shared conversation ("default"),
  and a guessable id would let one person read into another's.
  - The body must be sent as `Content-Type: application/json` (415 otherwise), so a browser
    on another site must ask first (a CORS preflight); a request whose `Origin` is not one of
    the configured origins is refused (403). Requests without an Origin (not from a browser)
    are not affected.
  - A conversation closed by quick exit stays closed: a message for it (one still queued
    when the person left) gets the exit reply and starts nothing.
  - Limits (bot/rate_limit.py): too many messages from one client, or new conversations
    while the server is busy, get 429 or 503 with Retry-After, before any model runs.
  - When conversations cannot be read or saved (Redis down), the reply is the helpline
    (`unavailable_reply`): a person is never left with an error, and nothing is kept instead.
- `POST /webhooks/rest/exit` `{"sender": "<uuid4>"}` (any Content-Type: sendBeacon sends
  text/plain) deletes the conversation at once, even while a reply is being worked out.
- `GET /webhooks/rest/_test/tracker/<sender>` -> `{"exists": bool}`, only when
  VAWG_TEST_HOOKS=1 (the test stack); it never reveals content.

Every response says `Cache-Control: no-store`. Nothing here logs what was sent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import settings
from bot.rate_limit import ChatLimiter, Limits
from bot.tracker_store import StoreUnavailable
from directory import insight
from directory.wording import ENGLISH, full_languages, say, speaking

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
QUICK_EXIT_RESPONSE = "utter_quick_exit"
FALLBACK_EXIT_TEXT = "Chat closed."
QUICK_EXIT_MARKER = {"quick_exit": True}  # makes the webchat widget leave the page
# Typed alone, these always close the chat, whatever state the dialogue is in and whatever the
# model would have predicted. Other wordings go through the quick_exit intent and its rule.
# The widget's own list, which it also acts on before sending: one file for both.
EXIT_PHRASES_FILE = Path(__file__).resolve().parents[1] / "webchat" / "src" / "exit-phrases.json"
EXIT_PHRASES = frozenset(
    phrase
    for phrases in json.loads(EXIT_PHRASES_FILE.read_text(encoding="utf-8")).values()
    for phrase in phrases
)
NO_STORE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
}


def is_uuid4(value: Any) -> bool:
    """True for a canonical UUID4 string: 122 random bits, so not guessable or shared."""
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.version == 4 and str(parsed) == value.lower()


# Control characters and lone surrogates (valid as JSON escapes, not as text): nothing a person
# types, and a lone surrogate cannot even be encoded to store the conversation.
_UNTYPEABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def without_untypeable(text: str) -> str:
    return _UNTYPEABLE.sub("", text)


def normalise_exit_phrase(text: str) -> str:
    """As the widget's normaliseExitPhrase: NFKC, lower case, one space, only letters (of any
    script) and spaces."""
    spaced = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return "".join(c for c in spaced if c == " " or unicodedata.category(c)[0] == "L").strip()


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def _json_body(request: Request) -> dict | None:
    # Parsed by hand: sendBeacon posts text/plain, and Sanic's errors would echo the body.
    # RecursionError: a body of 100,000 "[" is valid-looking JSON too deep to parse.
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _is_json(request: Request) -> bool:
    media_type = (request.headers.get("content-type") or "").split(";", 1)[0]
    return media_type.strip().lower() == "application/json"


def allowed_origins(environ: dict[str, str] | None = None) -> frozenset[str] | None:
    return settings.chat_origins(environ)


def _origin_allowed(request: Request, origins: frozenset[str] | None) -> bool:
    origin = request.headers.get("origin")
    return origin is None or origins is None or origin in origins


def client_address(request: Request) -> str:
    """The client's address: Sanic's remote_addr honours SANIC_PROXIES_COUNT behind a proxy."""
    return request.remote_addr or request.ip or "unknown"


def tracker_store_of(request: Request):
    """The conversation store, under any wrapper Rasa put around it."""
    store = request.app.ctx.agent.tracker_store
    while not hasattr(store, "delete") and hasattr(store, "_tracker_store"):
        store = store._tracker_store
    if not hasattr(store, "delete"):
        raise RuntimeError(f"{type(store).__name__} cannot delete conversations")
    return store


def _button_payloads(domain) -> frozenset[str]:
    """Every "/intent{...}" payload a button of the domain's responses sends, as sent (the
    domain doubles the braces of a payload; the rendered button has single ones)."""
    cached = getattr(domain, "_vawg_button_payloads", None)
    if cached is None:
        cached = frozenset(
            str(button.get("payload", "")).replace("{{", "{").replace("}}", "}")
            for variations in (domain.responses or {}).values()
            for variation in variations
            for button in variation.get("buttons") or []
            if str(button.get("payload", "")).startswith("/")
        )
        domain._vawg_button_payloads = cached
    return cached


def as_ordinary_text(request: Request, text: str) -> str:
    """A message that starts with "/" sets an intent and entities directly in Rasa, skipping
    the NLU and the danger check, and Rasa prints the whole message in a warning when it cannot
    parse it. Only a payload of one of our own buttons may do that; anything else is read as
    ordinary text, without its slashes."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    domain = getattr(request.app.ctx.agent, "domain", None)
    if domain is not None and stripped in _button_payloads(domain):
        return stripped
    return stripped.lstrip("/").strip()


def _exit_response(request: Request, sender: str) -> HTTPResponse:
    # As the domain's utter_quick_exit: the text, then the widget's exit marker.
    return response.json(
        [
            {"recipient_id": sender, "text": _exit_text(request)},
            {"recipient_id": sender, "custom": QUICK_EXIT_MARKER},
        ]
    )


# What a client is told when a limit turns a message away (the widget shows its own words,
# with the helpline and 999).
LIMITED_MESSAGES = {
    "client": "Too many messages from this connection. Please wait a minute.",
    "new_conversations": "Too many new conversations from this connection. Please wait a minute.",
    "all_new_conversations": "The chat is very busy. Please try again in a few seconds.",
    "busy": "The chat is very busy. Please try again in a few seconds.",
}


async def _count_exit(store, sender: str) -> None:
    """One quick exit, counted once: not again when the widget's beacon follows a typed exit or
    an exit through the model (bot.tracker_store counts those), which marked it exited."""
    if not await store.has_exited(sender):
        insight.record("quick-exit")


def _limited(verdict) -> HTTPResponse:
    status = 503 if verdict.reason in ("busy", "all_new_conversations") else 429
    resp = _error(status, LIMITED_MESSAGES[verdict.reason])
    resp.headers["Retry-After"] = str(verdict.retry_after_s)
    return resp


def _exit_text(request: Request) -> str:
    domain = getattr(request.app.ctx.agent, "domain", None)
    variations = (domain.responses.get(QUICK_EXIT_RESPONSE) if domain else None) or []
    return next((v["text"] for v in variations if v.get("text")), FALLBACK_EXIT_TEXT)


def chat_languages() -> list[str]:
    """The languages the widget may ask for: English and the full languages."""
    return sorted({ENGLISH, *full_languages()})


def unavailable_text() -> str:
    """What people read when the assistant cannot answer: the helpline, and 999."""
    return say("chat_unavailable")


def unavailable_reply(sender: str, language: str | None = None) -> HTTPResponse:
    with speaking(language):
        return response.json([{"recipient_id": sender, "text": unavailable_text()}])


class PrivateRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> PrivateRestInput:
        credentials = dict(credentials or {})
        limits = Limits.from_config(credentials.pop("limits", None))
        if credentials:
            raise ValueError(f"Unknown chat channel setting(s): {', '.join(sorted(credentials))}.")
        return cls(limits)

    def __init__(self, limits: Limits | None = None) -> None:
        self.limiter = ChatLimiter(limits or Limits())
        self.origins = allowed_origins()
        self.unavailable = 0  # messages answered with the helpline because Redis was down

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("vawg_private_rest", __name__)

        @bp.middleware("response")
        async def no_store(_request: Request, resp: HTTPResponse) -> None:
            resp.headers.update(NO_STORE_HEADERS)

        @bp.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not _origin_allowed(request, self.origins):
                return _error(403, "This site may not use the chat.")
            if not _is_json(request):
                return _error(415, "Send the message as Content-Type: application/json.")
            body = _json_body(request)
            if body is None:
                return _error(400, "The body must be a JSON object.")
            sender = body.get("sender")
            if not is_uuid4(sender):
                return _error(400, "sender must be a random UUID (version 4).")
            text = body.get("message")
            if not isinstance(text, str) or not text.strip():
                return _error(400, "message must be non-empty text.")
            if len(text) > MAX_MESSAGE_CHARS:
                return _error(413, f"message is longer than {MAX_MESSAGE_CHARS} characters.")

            language = body.get("language")
            if language is not None and language not in chat_languages():
                return _error(400, "language must be one of: " + ", ".join(chat_languages()))
            text = as_ordinary_text(request, without_untypeable(text))
            if not text.strip():
                return _error(400, "message must be non-empty text.")

            store = tracker_store_of(request)
            if normalise_exit_phrase(text) in EXIT_PHRASES:
                # Leaving works even when Redis is down: the conversation then expires there.
                with contextlib.suppress(StoreUnavailable):
                    await _count_exit(store, sender)
                    await store.delete(sender)
                return _exit_response(request, sender)
            try:
                if await store.has_exited(sender):
                    return _exit_response(request, sender)
                new_conversation = not await store.exists(sender)
            except StoreUnavailable as error:
                return self._unavailable(sender, error, language)

            verdict = await self.limiter.check(client_address(request), new_conversation)
            if not verdict.allowed:
                return _limited(verdict)

            collector = CollectingOutputChannel()
            self.limiter.in_flight += 1
            try:
                # No client metadata but the checked language code: it is stored in the tracker.
                metadata = {"language": language} if language else None
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel="rest", metadata=metadata)
                )
            except StoreUnavailable as error:
                return self._unavailable(sender, error, language)
            except Exception as error:  # noqa: BLE001 (any failure: reply without logging text)
                logger.error("A message could not be handled (%s).", type(error).__name__)
                return _error(500, "Something went wrong. Please try again.")
            finally:
                self.limiter.in_flight -= 1
            return response.json(collector.messages)

        @bp.route("/exit", methods=["POST"])
        async def quick_exit(request: Request) -> HTTPResponse:
            # Any Content-Type (sendBeacon sends text/plain) and any Origin: leaving must
            # always work, and all it can do is forget a conversation whose id you hold.
            body = _json_body(request)
            sender = body.get("sender") if body else None
            if not is_uuid4(sender):
                return _error(400, "sender must be a random UUID (version 4).")
            store = tracker_store_of(request)
            try:
                await _count_exit(store, sender)
                await store.delete(sender)
            except StoreUnavailable as error:
                logger.error("A quick exit could not delete its conversation (%s).", error)
                return _error(503, "The chat cannot be reached now; the conversation expires.")
            return response.empty(status=204)

        if settings.test_hooks():

            @bp.route("/_test/tracker/<sender>", methods=["GET"])
            async def tracker_exists(request: Request, sender: str) -> HTTPResponse:
                exists = await tracker_store_of(request).exists(sender)
                return response.json({"exists": bool(exists)})

        return bp

    def _unavailable(
        self, sender: str, error: StoreUnavailable, language: str | None = None
    ) -> HTTPResponse:
        self.unavailable += 1
        if self.unavailable % 100 == 1:  # one line per hundred, not one per message
            logger.error(
                "Conversations cannot be reached (%s): answering with the helpline.", error
            )
        return unavailable_reply(sender, language)
