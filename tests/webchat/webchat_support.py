"""What the chat widget's browser tests share: a fake Rasa REST channel, the web app
on a free port, and `Chat`, one browser tab with watchers and helpers. conftest.py turns
these into fixtures."""

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

from playwright.sync_api import Browser, Page, expect
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
STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self' {bot}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
LAUNCHER = "Chat to find support"

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
    url: str
    app: object
    bot_url: str

    @property
    def exit_url(self) -> str:
        return self.app.config["EXIT_URL"]


def _serve(app) -> tuple[str, object]:
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}", server


def serve_web_app(bot_url: str) -> tuple[WebApp, object]:
    """The real app under a strict CSP, on a free port; returns it and its server."""
    app = create_app({"TESTING": True, "BOT_URL": bot_url})

    @app.after_request
    def strict_csp(response):
        response.headers["Content-Security-Policy"] = STRICT_CSP.format(bot=bot_url)
        return response

    url, server = _serve(app)
    # A page of this app, so exiting never leaves the machine (production: BBC Weather).
    app.config["EXIT_URL"] = f"{url}/cover-your-tracks"
    return WebApp(url=url, app=app, bot_url=bot_url), server


class Chat:
    """One browser tab on the demo site, with helpers that act as a person would."""

    def __init__(self, browser: Browser, allowed_origins: set[str], **context_options):
        self.context = browser.new_context(**context_options)
        self.page: Page = self.context.new_page()
        self.allowed_origins = set(allowed_origins)
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.context.add_init_script(INIT_SCRIPT)
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
    def panel(self):
        return self.page.get_by_role("dialog", name="Find support")

    @property
    def input(self):
        return self.page.get_by_role("textbox", name="Your message")

    @property
    def exit_button(self):
        return self.panel.get_by_role("button", name="Exit", exact=False)

    @property
    def bot_messages(self):
        return self.page.locator(".msg--bot, .msg--error")

    @property
    def user_messages(self):
        return self.page.locator(".msg--user")

    @property
    def replies(self):
        return self.page.locator("button.reply")

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

    def storage(self) -> dict:
        """Everything a device could keep: web storage, cookies, databases, caches, workers."""
        in_page = self.page.evaluate(
            """async () => ({
                local: localStorage.length,
                session: sessionStorage.length,
                cookie: document.cookie,
                indexedDB: (await indexedDB.databases()).map((d) => d.name),
                caches: self.caches ? await caches.keys() : [],
                workers: (await navigator.serviceWorker.getRegistrations()).length,
            })"""
        )
        in_page["context_cookies"] = self.context.cookies()
        return in_page

    def assert_nothing_stored(self):
        assert self.storage() == {
            "local": 0,
            "session": 0,
            "cookie": "",
            "indexedDB": [],
            "caches": [],
            "workers": 0,
            "context_cookies": [],
        }

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
