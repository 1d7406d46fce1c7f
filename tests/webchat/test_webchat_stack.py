"""End to end: the demo page, the real Rasa and action server, quick exit, and afterwards
nothing on the device and nothing on the server."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from playwright.sync_api import expect
from webchat_support import Chat

pytestmark = [pytest.mark.browser, pytest.mark.stack]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEARCH = "I need a refuge in Westminster"
REPLY_TIMEOUT_MS = 60_000
EXIT_PAGE = "<!doctype html><title>Weather</title><h1>Weather</h1>"


def service_names() -> set[str]:
    seed = yaml.safe_load((PROJECT_ROOT / "directory" / "seed" / "services.yml").read_text())
    return {s["name"] for org in seed["organizations"] for s in org.get("services", [])}


def wait_for_reply(chat: Chat) -> None:
    """Until the typing indicator goes; the first reply can be slow while Rasa warms up."""
    expect(chat.frame.locator(".typing")).to_be_hidden(timeout=REPLY_TIMEOUT_MS)
    expect(chat.frame.locator(".msg--error"), "the widget could not reach the bot").to_have_count(0)


def test_search_quick_reply_quick_exit_and_nothing_left(stack, browser):
    chat = Chat(browser, {stack.web_url, stack.rasa_url})
    page = chat.page
    try:
        chat.goto(f"{stack.web_url}/embed")  # a page to go Back to
        chat.goto(f"{stack.web_url}/")
        exit_url = page.locator("script[data-exit-url]").get_attribute("data-exit-url")
        exit_origin = "{0.scheme}://{0.netloc}".format(urlsplit(exit_url))
        if exit_origin != stack.web_url:
            # The production default (BBC Weather) is answered here: tests stay offline.
            page.route(exit_url, lambda r: r.fulfill(body=EXIT_PAGE, content_type="text/html"))
            chat.allowed_origins.add(exit_origin)
        chat.assert_nothing_stored()

        chat.open()
        with page.expect_request("**/webhooks/rest/webhook") as search:
            chat.send(SEARCH)
        sender = json.loads(search.value.post_data)["sender"]
        wait_for_reply(chat)
        answer = " ".join(chat.bot_messages.all_inner_texts())
        named = {name for name in service_names() if name in answer}
        assert named, f"the answer names no service: {answer!r}"
        chat.assert_nothing_stored()

        # A button reply, as a person would choose it.
        expect(chat.replies.first, "the bot offered no button reply").to_be_visible()
        before = chat.bot_messages.count()
        with page.expect_request("**/webhooks/rest/webhook") as choice:
            chat.replies.first.click()
        assert json.loads(choice.value.post_data)["sender"] == sender
        wait_for_reply(chat)
        assert chat.bot_messages.count() > before, "no answer to the button reply"
        chat.assert_nothing_stored()
        assert stack.tracker_exists(sender)

        # Quick exit: Shift three times.
        for _ in range(3):
            page.keyboard.press("Shift")
        page.wait_for_url(exit_url)
        elapsed = chat.exit_time_ms()
        print(f"quick exit against the stack: {elapsed:.1f} ms")
        assert 0 <= elapsed < 100
        # The exit page may be a stand-in with no chat: its origin's storage, and cookies.
        chat.assert_nothing_stored(frame=exit_origin == stack.web_url)

        page.go_back(wait_until="commit")
        assert page.url == f"{stack.web_url}/embed"
        expect(chat.launcher).to_be_visible()
        state = chat.frame_state()
        assert state["built"] and state["messages"] == 0
        assert SEARCH not in state["text"]
        assert SEARCH not in page.content()
        chat.assert_nothing_stored()

        # The beacon is asynchronous; give the server a moment to act on it.
        for _ in range(40):
            if not stack.tracker_exists(sender):
                break
            page.wait_for_timeout(100)
        assert not stack.tracker_exists(sender), "the server still has the conversation"
        chat.check()
    finally:
        chat.close()
