"""Fixtures for the chat widget's browser tests.

- `browser`: Debian's headless Chromium driven by Playwright (it cannot download its own).
- `fake_bot`: a stand-in for Rasa's REST channel, for the UI-only tests; the end-to-end
  test uses the real `stack` from tests/conftest.py.
- `web`: the real web app (`create_app`) on two free ports, the host site and the chat's own
  origin, talking to `fake_bot`; the host pages are under a strict Content Security Policy
  so any inline script or style, or a connection from the host page, would show up.
- `chat`: a fresh browser context and page with the watchers every test needs (no dialogs,
  no page errors, no CSP violations, no request leaving this machine's servers).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from webchat_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Chat,
    free_server_port,
    serve_web_app,
    start_fake_bot,
)


@pytest.fixture(scope="session")
def fake_bot():
    bot, server = start_fake_bot()
    yield bot
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def web(fake_bot):
    web_app, server = serve_web_app(fake_bot.url)
    yield web_app
    server.close()


@pytest.fixture(scope="session")
def web_without_bot():
    """The web app pointed at a port where nothing listens: the bot is down."""
    web_app, server = serve_web_app(f"http://127.0.0.1:{free_server_port()}")
    yield web_app
    server.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (make test does it first).")
    with sync_playwright() as playwright:
        # Playwright turns the back-forward cache off by default; the widget's
        # behaviour on a restored page is under test, so keep it on.
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            ignore_default_args=["--disable-back-forward-cache"],
        )
        yield browser
        browser.close()


@pytest.fixture
def make_chat(browser):
    """Factory: make_chat(web_app, **context_options) -> Chat; checked and closed after."""
    chats: list[Chat] = []

    def make(web_app, **options) -> Chat:
        chat = Chat(browser, web_app.origins, **options)
        chats.append(chat)
        return chat

    yield make
    for chat in chats:
        try:
            chat.check()
        finally:
            chat.close()


@pytest.fixture
def chat(make_chat, web) -> Chat:
    return make_chat(web)
