"""What the host page can and cannot see of the chat, in a real browser.

The host page's scripts (analytics, tag managers, session replay) must not be able to
read the conversation: it happens in a frame from the chat's own origin, and the
loader's shadow root is closed. The frame refuses to be shown by sites not allowed to,
and quick exit works without the loader too.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CONTROLS = {"hello", "open", "close", "exit"}

# A host-page script at its most determined: it runs before the widget, listens to every
# key and message on the page, and keeps hold of every shadow root made, even closed ones.
SPY = """
(() => {
  if (window !== window.top) return;
  const spy = (window.__spy = { keys: [], messages: [], roots: [] });
  for (const type of ['keydown', 'keyup', 'input', 'beforeinput'])
    addEventListener(type, (e) => spy.keys.push(type + ':' + (e.key || e.data || '')), true);
  addEventListener('message', (e) => spy.messages.push(JSON.stringify(e.data)), true);
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    spy.roots.push(root);
    return root;
  };
})();
"""

# Everything that script then tries, from the host page.
PEEK = """
() => {
  const attempt = (read) => { try { return String(read()); } catch (e) { return e.name; } };
  const host = document.querySelector('[data-angelou-chat]');
  const iframe = window.__spy.roots.map((r) => r.querySelector('iframe')).find(Boolean);
  return {
    shadowRoot: host.shadowRoot === null ? null : 'open',
    inShadow: host.querySelector('*') === null,
    iframesInDocument: document.querySelectorAll('iframe').length,
    pageText: document.documentElement.outerHTML + document.body.innerText,
    keptIframe: Boolean(iframe),
    contentDocument: iframe.contentDocument === null ? null : 'readable',
    viaContentWindow: attempt(() => iframe.contentWindow.document.body.innerText),
    // A frame in a shadow tree is not even among window.frames.
    frameCount: window.length,
    viaLocation: attempt(() => iframe.contentWindow.location.href),
    keys: window.__spy.keys,
    messages: window.__spy.messages,
    resources: performance.getEntriesByType('resource').map((e) => e.name),
  };
}
"""


def wait_for(predicate, timeout_s: float = 5.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_the_host_page_cannot_read_the_conversation(make_chat, web, fake_bot):
    # The real loader: its shadow root closed, as in production.
    chat = make_chat(web, open_shadow=False)
    chat.context.add_init_script(SPY)
    chat.page.goto(f"{web.url}/")
    wait_for(lambda: chat.frame_state()["built"])
    chat.page.evaluate("window.AngelouChat.open()")
    wait_for(lambda: chat.frame_state()["panel_hidden"] is False)

    secret = f"my secret {uuid.uuid4().hex[:8]}"
    chat.page.keyboard.type(secret)  # focus is in the chat's message box
    chat.page.keyboard.press("Enter")
    wait_for(lambda: f"Assistant said: You said: {secret}" in chat.frame_state()["text"])
    # It really was said, in the frame, to the bot.
    assert secret in [m["message"] for m in fake_bot.messages]

    seen = chat.page.evaluate(PEEK)
    assert seen["shadowRoot"] is None  # closed
    assert seen["inShadow"]  # nothing of the widget in the light DOM
    assert seen["iframesInDocument"] == 0
    assert secret not in seen["pageText"]
    # Even holding the closed root, the frame is another origin's: nothing to read.
    assert seen["keptIframe"]
    assert seen["contentDocument"] is None
    assert seen["viaContentWindow"] == "SecurityError"
    assert seen["frameCount"] == 0
    assert seen["viaLocation"] == "SecurityError"
    # Keys typed in the chat never reach the host page's listeners.
    assert seen["keys"] == []
    # Nothing of it crosses to the host page's window (controls only: see the next test).
    assert not [m for m in seen["messages"] if secret in m]
    # The host page's own timeline does not list the chat's calls to the bot.
    assert not [r for r in seen["resources"] if "/webhooks/" in r]
    assert [r for r in seen["resources"] if urlsplit(r).path == "/chat"]


def test_only_controls_cross_to_the_host_page(make_chat, web, fake_bot):
    chat = make_chat(web, open_shadow=False)
    chat.context.add_init_script(SPY)
    chat.page.goto(f"{web.url}/")
    wait_for(lambda: chat.frame_state()["built"])
    chat.page.evaluate("window.AngelouChat.open()")
    wait_for(lambda: chat.frame_state()["panel_hidden"] is False)
    secret = f"another secret {uuid.uuid4().hex[:8]}"
    chat.page.keyboard.type(secret)
    chat.page.keyboard.press("Enter")
    wait_for(lambda: f"Assistant said: You said: {secret}" in chat.frame_state()["text"])
    chat.page.keyboard.press("Escape")  # closes the chat: the frame tells the loader
    wait_for(lambda: chat.frame_state()["panel_hidden"] is True)

    messages = [json.loads(m) for m in chat.page.evaluate("window.__spy.messages")]
    assert {"angelou": "close"} in messages
    assert all(m.keys() == {"angelou"} and m["angelou"] in CONTROLS for m in messages)
    assert not [m for m in messages if secret in json.dumps(m)]
    # The conversation is still there when it is opened again: closing is not leaving.
    chat.page.evaluate("window.AngelouChat.open()")
    wait_for(lambda: chat.frame_state()["panel_hidden"] is False)
    assert chat.frame_state()["messages"] == 2


def test_a_site_not_allowed_cannot_show_the_chat(make_chat, web, fake_bot):
    # The same demo page from another origin (localhost is not 127.0.0.1), not in
    # CHAT_HOST_ORIGINS: the browser refuses to show the frame (frame-ancestors).
    port = urlsplit(web.url).port
    elsewhere = f"http://localhost:{port}"
    chat = make_chat(web)
    chat.allowed_origins.add(elsewhere)
    with chat.page.expect_response(lambda r: urlsplit(r.url).path == "/chat") as frame_response:
        chat.page.goto(f"{elsewhere}/")
    policy = frame_response.value.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {web.url};" in policy and elsewhere not in policy
    expect(chat.launcher).to_be_visible()
    chat.launcher.click()
    chat.page.wait_for_timeout(500)
    frames = [f for f in chat.page.frames if f != chat.page.main_frame]
    assert len(frames) == 1
    assert urlsplit(frames[0].url).path != "/chat"  # an error page, not the chat
    assert chat.frame.get_by_role("textbox").count() == 0
    before = len(fake_bot.messages)
    chat.page.keyboard.type("hello")
    chat.page.keyboard.press("Enter")
    chat.page.wait_for_timeout(300)
    assert len(fake_bot.messages) == before


def test_quick_exit_works_in_the_chat_page_without_the_loader(make_chat, web, fake_bot):
    # Someone opens the frame page itself: no loader to ask, so the chat leaves itself.
    chat = make_chat(web)
    chat.goto(f"{web.url}/embed")
    chat.page.goto(f"{web.chat_url}/chat")
    panel = chat.page.get_by_role("dialog", name="Find support")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("button", name="Close chat")).to_be_hidden()  # nothing to go back to
    with chat.page.expect_request("**/webhooks/rest/webhook") as request:
        panel.get_by_role("textbox", name="Your message").fill("hello")
        panel.get_by_role("textbox", name="Your message").press("Enter")
    sender = json.loads(request.value.post_data)["sender"]
    expect(chat.page.locator(".msg--bot").last).to_contain_text("You said: hello")
    panel.get_by_role("button", name="Exit", exact=False).click()
    chat.page.wait_for_url(web.exit_url)
    elapsed = chat.exit_time_ms()
    print(f"quick exit (the chat page on its own): {elapsed:.1f} ms")
    assert 0 <= elapsed < 100
    wait_for(lambda: sender in fake_bot.deleted_senders())
    chat.page.go_back(wait_until="commit")
    assert chat.page.url == f"{web.url}/embed"


def test_quick_exit_works_in_a_frame_embedded_without_the_loader(make_chat, web, fake_bot):
    # A partner who writes the iframe by hand: no loader answers the frame, so the frame
    # navigates the top window itself, which Chromium allows a cross-origin frame on a click.
    chat = make_chat(web)
    chat.goto(f"{web.url}/embed")
    chat.page.goto(f"{web.url}/_test/by-hand")
    frame = chat.page.frame_locator("iframe")
    with chat.page.expect_request("**/webhooks/rest/webhook") as request:
        frame.get_by_role("textbox", name="Your message").fill("hello")
        frame.get_by_role("textbox", name="Your message").press("Enter")
    sender = json.loads(request.value.post_data)["sender"]
    expect(frame.locator(".msg--bot").last).to_contain_text("You said: hello")
    frame.get_by_role("button", name="Exit", exact=False).click()
    chat.page.wait_for_url(web.exit_url)
    print(f"quick exit (a frame embedded by hand): {chat.exit_time_ms():.1f} ms")
    assert chat.exit_time_ms() < 100
    wait_for(lambda: sender in fake_bot.deleted_senders())
    chat.page.go_back(wait_until="commit")
    assert chat.page.url == f"{web.url}/embed"  # replaced, not pushed
