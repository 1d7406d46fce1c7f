"""What the chat widget's browser tests share: a fake Rasa REST channel, the web app
on two free ports (the partnership's site, and the chat's own origin), and `Chat`, one
browser tab with watchers and helpers. conftest.py turns these into fixtures."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from flask import request
from playwright.sync_api import Browser, Frame, Page, expect
from waitress import create_server

from directory.web import create_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]
# The host pages' policy: the loader's script and its frame from the chat's origin, and
# nothing else; no connect-src at all, since only the frame talks to the bot.
STRICT_CSP = (
    "default-src 'none'; script-src {chat}; frame-src {chat}; style-src 'self'; "
    "img-src 'self'; connect-src 'none'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
LAUNCHER = "Chat to find support"
FRAME = "#angelou-frame"

# Runs in every document before its own scripts: timestamps for the exit-time measurement
# (epoch ms, comparable with the exit page's performance.timeOrigin) and CSP reports.
INIT_SCRIPT = """
(() => {
  const log = (what) => console.log('webchat-test:' + what);
  const now = () => performance.timeOrigin + performance.now();
  addEventListener('keyup', (e) => e.key === 'Shift' && log('input:' + now()), true);
  addEventListener('click', () => log('input:' + now()), true);
  addEventListener('pageshow', (e) => log('pageshow:' + e.persisted));
  document.addEventListener('securitypolicyviolation',
    (e) => log('csp:' + e.violatedDirective + ' ' + e.blockedURI));
})();
"""

# The loader's shadow root is closed, which Playwright cannot look into; this makes it
# open, for the tests that click the launcher. Nothing else changes: the conversation is in
# the frame either way. The isolation tests (test_webchat_isolation.py) run without it.
OPEN_SHADOW_SCRIPT = """
(() => {
  if (window !== window.top) return;
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    return attach.call(this, { ...init, mode: 'open' });
  };
})();
"""

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def free_server_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- A fake Rasa REST channel ------------------------------------------------------


@dataclass
class FakeBot:
    """Answers like Rasa's REST channel and records what the widget sent.

    Replies: a message containing "slow" is answered after a pause; "links" gets text
    with links and phone numbers; "silence" gets no reply at all; "get me out..." gets
    the quick-exit marker; a "/choose{...}" payload names a service; anything else is
    echoed back with two quick replies.
    """

    url: str = ""
    messages: list[dict] = field(default_factory=list)
    deleted: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reply(self, message: str) -> list[dict]:
        if "slow" in message:
            time.sleep(1.5)
        if message == "links":
            return [
                {
                    "text": "Call 0808 2000 247 or +44 20 7946 0000, see "
                    "https://www.refuge.org.uk/. Not http://example.com/ or javascript:alert(1)."
                }
            ]
        if message == "silence":
            return []
        if "get me out" in message:  # as Rasa answers the quick_exit intent
            return [{"text": "Chat closed."}, {"custom": {"quick_exit": True}}]
        if message.startswith("/choose"):
            return [{"text": "In Westminster: National Domestic Abuse Helpline, 0808 2000 247."}]
        return [
            {
                "text": f"You said: {message}",
                "buttons": [
                    {"title": "Westminster", "payload": '/choose{"borough": "westminster"}'},
                    {"title": "Hammersmith & Fulham", "payload": '/choose{"borough": "hf"}'},
                ],
            }
        ]

    def senders(self) -> set[str]:
        with self.lock:
            return {m["sender"] for m in self.messages}

    def deleted_senders(self) -> list[str]:
        with self.lock:
            return [d["sender"] for d in self.deleted]


def _handler_for(bot: FakeBot):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _cors(self):
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", "*"))
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            self.send_header("Cache-Control", "no-store")

        def _reply(self, status: int, payload) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self._cors()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # A beacon's page may already be gone and not wait for the answer.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def do_OPTIONS(self):
            self.send_response(204)
            self._cors()
            self.end_headers()

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            # Like the real server: JSON whatever the content type (sendBeacon sends text/plain).
            data = json.loads(self.rfile.read(length) or b"{}")
            sender = data.get("sender", "")
            if not UUID4.match(sender):
                return self._reply(400, {"error": "sender must be a random UUID4"})
            record = {**data, "headers": dict(self.headers), "at": time.monotonic()}
            if self.path == "/webhooks/rest/exit":
                with bot.lock:
                    bot.deleted.append(record)
                return self._reply(200, {"deleted": True})
            if self.path == "/webhooks/rest/webhook":
                with bot.lock:
                    bot.messages.append(record)
                replies = bot.reply(data.get("message", ""))
                return self._reply(200, [{"recipient_id": sender, **r} for r in replies])
            return self._reply(404, {"error": "not found"})

    return Handler


def start_fake_bot() -> tuple[FakeBot, ThreadingHTTPServer]:
    bot = FakeBot()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(bot))
    server.daemon_threads = True
    bot.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return bot, server


# --- The web app -------------------------------------------------------------------


@dataclass
class WebApp:
    url: str  # the host site: the demo pages, as the partnership's website would be
    chat_url: str  # the chat's own origin: the loader, the frame, the exit page
    app: object
    bot_url: str

    @property
    def exit_url(self) -> str:
        return self.app.config["EXIT_URL"]

    @property
    def origins(self) -> set[str]:
        return {self.url, self.chat_url, self.bot_url}


class _Servers:
    def __init__(self, servers):
        self.servers = servers

    def close(self):
        for server in self.servers:
            server.close()


def serve_web_app(bot_url: str) -> tuple[WebApp, _Servers]:
    """The real app on two free ports: one the host site, one the chat's origin.

    The host pages are served under a strict CSP, so any inline script or style, or a
    connection from the host page, would show up; the frame keeps the policy the app gives it.
    """
    app_of_servers = {}

    def wsgi(environ, start_response):  # the app is made once the ports are known
        return app_of_servers["app"](environ, start_response)

    servers = [create_server(wsgi, host="127.0.0.1", port=0, threads=4) for _ in range(2)]
    site, chat = (f"http://127.0.0.1:{s.effective_port}" for s in servers)
    app = create_app(
        {
            "TESTING": True,
            "BOT_URL": bot_url,
            "CHAT_URL": chat,
            "CHAT_HOST_ORIGINS": [site],
            # A page of this app, so exiting never leaves the machine (production: BBC Weather).
            "EXIT_URL": f"{chat}/cover-your-tracks",
        }
    )

    @app.get("/_test/by-hand")
    def framed_by_hand():
        # A partner page that writes the chat's iframe itself, without the loader.
        return (
            "<!doctype html><html lang=en><title>By hand</title>"
            f'<iframe src="{chat}/chat" title="Chat"></iframe></html>'
        )

    @app.after_request
    def strict_csp(response):
        if request.path != "/chat":
            response.headers["Content-Security-Policy"] = STRICT_CSP.format(chat=chat)
        return response

    app_of_servers["app"] = app
    for server in servers:
        threading.Thread(target=server.run, daemon=True).start()
    return WebApp(url=site, chat_url=chat, app=app, bot_url=bot_url), _Servers(servers)


class Chat:
    """One browser tab on the demo site, with helpers that act as a person would.

    The launcher is on the host page; everything else (the panel, the conversation) is in
    the chat's frame, reached through `frame`.
    """

    def __init__(
        self,
        browser: Browser,
        allowed_origins: set[str],
        open_shadow: bool = True,
        **context_options,
    ):
        self.context = browser.new_context(**context_options)
        self.page: Page = self.context.new_page()
        self.allowed_origins = set(allowed_origins)
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.context.add_init_script(INIT_SCRIPT)
        if open_shadow:
            self.context.add_init_script(OPEN_SHADOW_SCRIPT)
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._on_dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.console.append(m.text))

    def _on_dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    # Finding things
    @property
    def launcher(self):
        return self.page.get_by_role("button", name=LAUNCHER)

    @property
    def frame(self):
        """The chat's frame, as a locator scope."""
        return self.page.frame_locator(FRAME)

    def chat_frame(self) -> Frame | None:
        """The chat's frame, to run script in as the chat's own origin (found through the
        page's frame tree, so even with the loader's shadow root closed)."""
        frames = [f for f in self.page.main_frame.child_frames if urlsplit(f.url).path == "/chat"]
        return frames[0] if frames else None

    def in_frame(self, expression: str):
        """Evaluates `expression` (awaited) in the chat's frame, through the DevTools
        protocol: Playwright loses track of child frames of a page restored from the
        back-forward cache, and cannot look past the loader's closed shadow root; the
        browser's frame tree has the frame either way. Runs in an isolated world: the
        frame's DOM and storage, not its scripts' variables."""
        cdp = self.context.new_cdp_session(self.page)
        try:
            frame_id = self._chat_frame_id(cdp)
            deadline = time.monotonic() + 5
            while frame_id is None and time.monotonic() < deadline:
                self.page.wait_for_timeout(50)
                frame_id = self._chat_frame_id(cdp)
            assert frame_id, "the page has no chat frame"
            world = cdp.send("Page.createIsolatedWorld", {"frameId": frame_id})
            result = cdp.send(
                "Runtime.evaluate",
                {
                    "expression": expression,
                    "contextId": world["executionContextId"],
                    "awaitPromise": True,
                    "returnByValue": True,
                },
            )
        finally:
            cdp.detach()
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    @staticmethod
    def _chat_frame_id(cdp) -> str | None:
        children = cdp.send("Page.getFrameTree")["frameTree"].get("childFrames", [])
        ids = [c["frame"]["id"] for c in children if urlsplit(c["frame"]["url"]).path == "/chat"]
        assert len(ids) <= 1, "more than one chat frame"
        return ids[0] if ids else None

    def frame_state(self) -> dict:
        """What the chat's frame shows: messages, whether the panel is open, its text."""
        return self.in_frame(
            """(() => ({
                built: !!document.querySelector('.notice'),
                messages: document.querySelectorAll('.msg').length,
                panel_hidden: document.querySelector('.panel')?.hidden,
                text: document.body.textContent,
            }))()"""
        )

    @property
    def panel(self):
        return self.frame.get_by_role("dialog", name="Find support")

    @property
    def input(self):
        return self.frame.get_by_role("textbox", name="Your message")

    @property
    def exit_button(self):
        return self.panel.get_by_role("button", name="Exit", exact=False)

    @property
    def bot_messages(self):
        return self.frame.locator(".msg--bot, .msg--error")

    @property
    def user_messages(self):
        return self.frame.locator(".msg--user")

    @property
    def messages(self):
        return self.frame.locator(".msg")

    @property
    def replies(self):
        return self.frame.locator("button.reply")

    # Doing things
    def goto(self, url: str):
        self.page.goto(url)
        expect(self.launcher).to_be_visible()

    def open(self):
        self.launcher.click()
        expect(self.panel).to_be_visible()

    def send(self, text: str):
        self.input.fill(text)
        self.input.press("Enter")

    def storage(self, frame: bool = True) -> dict:
        """Everything a device could keep: web storage, cookies, databases, caches, workers,
        for the host page's origin and (unless `frame` is false: a page without the chat,
        such as a stand-in exit page) the chat frame's."""
        script = """(async () => ({
            local: localStorage.length,
            session: sessionStorage.length,
            cookie: document.cookie,
            indexedDB: (await indexedDB.databases()).map((d) => d.name),
            caches: self.caches ? await caches.keys() : [],
            workers: (await navigator.serviceWorker.getRegistrations()).length,
        }))()"""
        found = {"page": self.page.evaluate(script)}
        if frame:
            found["frame"] = self.in_frame(script)
        found["context_cookies"] = self.context.cookies()
        return found

    def assert_nothing_stored(self, frame: bool = True):
        nothing = {
            "local": 0,
            "session": 0,
            "cookie": "",
            "indexedDB": [],
            "caches": [],
            "workers": 0,
        }
        expected = {"page": nothing, "frame": nothing} if frame else {"page": nothing}
        assert self.storage(frame) == {**expected, "context_cookies": []}

    def input_times(self) -> list[float]:
        return [
            float(m.split(":")[-1]) for m in self.console if m.startswith("webchat-test:input:")
        ]

    def exit_time_ms(self) -> float:
        """From the last key-up or click to the start of the navigation to the exit page."""
        navigation_start = self.page.evaluate("performance.timeOrigin")
        return navigation_start - self.input_times()[-1]

    def check(self):
        csp = [m for m in self.console if m.startswith("webchat-test:csp:")]
        elsewhere = [
            u
            for u in self.requests
            if urlsplit(u).scheme in ("http", "https")
            and f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" not in self.allowed_origins
        ]
        assert not self.dialogs, f"a dialog opened (script ran): {self.dialogs}"
        assert not self.errors, f"JavaScript errors: {self.errors}"
        assert not csp, f"CSP violations: {csp}"
        assert not elsewhere, f"requests left the web app and the bot: {elsewhere}"

    def close(self):
        self.context.close()


def new_uuid() -> str:
    return str(uuid.uuid4())
