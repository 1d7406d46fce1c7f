"""The widget in a real browser against a fake bot: what a person sees and can do.

The host pages come from one origin, the chat (loader, frame, exit page) from another, as
on the partnership's website. The end-to-end run against the real stack is in
test_webchat_stack.py; what the host page can and cannot see is in test_webchat_isolation.py.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from webchat_support import ARTIFACTS, FRAME, LAUNCHER, PROJECT_ROOT, UUID4

pytestmark = pytest.mark.browser

EXIT_BUDGET_MS = 100
INJECTION = "<img src=x onerror=alert(1)>"


def wait_for(predicate, timeout_s: float = 3.0):
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def start_conversation(chat, web, text: str = "hello") -> str:
    """Open the demo page (after /embed, so there is a page to go Back to), chat once.

    Returns the sender id the widget used.
    """
    chat.goto(f"{web.url}/embed")
    chat.goto(f"{web.url}/")
    chat.open()
    with chat.page.expect_request("**/webhooks/rest/webhook") as request:
        chat.send(text)
    expect(chat.bot_messages.last).to_contain_text(f"You said: {text}")
    return json.loads(request.value.post_data)["sender"]


def assert_exited(chat, web, fake_bot, sender: str):
    """Landed on the exit page; the server was told; Back does not return to the chat."""
    chat.page.wait_for_url(web.exit_url)
    wait_for(lambda: sender in fake_bot.deleted_senders())
    chat.assert_nothing_stored()
    chat.page.go_back(wait_until="commit")
    assert chat.page.url == f"{web.url}/embed"
    expect(chat.launcher).to_be_visible()
    state = chat.frame_state()
    assert state["messages"] == 0
    assert "You said" not in state["text"]
    assert "You said" not in chat.page.content()
    chat.assert_nothing_stored()


# --- Opening, the safety notice, focus ---------------------------------------------


def test_safety_notice_shows_before_the_first_message_and_focus_is_managed(chat, web):
    chat.goto(f"{web.url}/")
    chat.assert_nothing_stored()
    expect(chat.page.locator(FRAME)).to_be_hidden()
    expect(chat.frame.locator(".notice")).to_be_attached()  # loaded, ready to open at once
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")

    chat.open()
    expect(chat.input).to_be_focused()
    notice = chat.panel.locator(".notice")
    expect(notice).to_contain_text("press the Shift key 3 times")
    expect(notice).to_contain_text("It does not erase your browsing history")
    # The advice is on the chat's server, like the script.
    link = notice.get_by_role("link", name="How to cover your tracks")
    expect(link).to_have_attribute("href", f"{web.chat_url}/cover-your-tracks")
    assert chat.messages.count() == 0
    expect(chat.exit_button).to_be_visible()

    chat.panel.get_by_role("button", name="Close chat").click()
    expect(chat.panel).to_be_hidden()
    expect(chat.page.locator(FRAME)).to_be_hidden()
    expect(chat.launcher).to_be_focused()
    expect(chat.launcher).to_have_attribute("aria-expanded", "false")

    chat.launcher.press("Enter")
    expect(chat.input).to_be_focused()
    chat.input.press("Escape")
    expect(chat.panel).to_be_hidden()
    expect(chat.launcher).to_be_focused()


# --- Talking to the bot ------------------------------------------------------------


def test_conversation_with_typing_indicator_and_quick_replies(chat, web, fake_bot):
    chat.goto(f"{web.url}/")
    chat.open()
    with chat.page.expect_request("**/webhooks/rest/webhook") as first:
        chat.send("slow: I need a refuge")
    expect(chat.user_messages.last).to_contain_text("slow: I need a refuge")
    typing = chat.frame.locator(".typing")
    expect(typing).to_be_visible()
    expect(chat.bot_messages.last).to_contain_text("You said: slow: I need a refuge")
    expect(typing).to_be_hidden()
    chat.assert_nothing_stored()

    request = first.value
    body = json.loads(request.post_data)
    assert UUID4.match(body["sender"])
    assert request.headers["content-type"] == "application/json"
    received = next(m["headers"] for m in fake_bot.messages if m["sender"] == body["sender"])
    print(received)
    # fetch(..., {cache: "no-store"}) is what makes the browser send this header.
    assert received.get("Cache-Control") == "no-cache"
    assert "Cookie" not in received
    # The frame calls the bot, from the chat's origin, and says nothing of the host page.
    assert received.get("Origin") == web.chat_url
    assert "Referer" not in received

    expect(chat.replies).to_have_count(2)
    with chat.page.expect_request("**/webhooks/rest/webhook") as second:
        chat.replies.filter(has_text="Westminster").click()
    assert json.loads(second.value.post_data) == {
        "sender": body["sender"],
        "message": '/choose{"borough": "westminster"}',
    }
    expect(chat.user_messages.last).to_have_text("You said: Westminster")
    expect(chat.bot_messages.last).to_contain_text("National Domestic Abuse Helpline")
    expect(chat.replies).to_have_count(0)
    chat.assert_nothing_stored()


def test_links_and_phone_numbers_are_clickable_only_when_safe(chat, web):
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send("links")
    message = chat.bot_messages.last
    expect(message).to_contain_text("Call 0808 2000 247")
    links = message.locator("a")
    expect(links).to_have_count(3)
    expect(message.get_by_role("link", name="0808 2000 247")).to_have_attribute(
        "href", "tel:+448082000247"
    )
    expect(message.get_by_role("link", name="+44 20 7946 0000")).to_have_attribute(
        "href", "tel:+442079460000"
    )
    web_link = message.get_by_role("link", name="https://www.refuge.org.uk/")
    expect(web_link).to_have_attribute("href", "https://www.refuge.org.uk/")
    expect(web_link).to_have_attribute("target", "_blank")
    expect(web_link).to_have_attribute("rel", "noopener noreferrer")
    # http and javascript: stay plain text.
    expect(message).to_contain_text("Not http://example.com/ or javascript:alert(1).")


def test_html_in_messages_is_shown_as_text_and_never_runs(chat, web):
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send(INJECTION)
    expect(chat.user_messages.last).to_have_text(f"You said: {INJECTION}")
    # The fake bot echoes it back, so bot rendering is covered too.
    expect(chat.bot_messages.last).to_have_text(f"Assistant said: You said: {INJECTION}")
    chat.page.wait_for_timeout(300)  # time for an injected onerror to fire, if any
    assert chat.page.locator("img").count() == 0
    assert chat.frame.locator("img").count() == 0
    assert not [u for u in chat.requests if u.endswith("/x")]
    # chat.check() after the test asserts no dialog opened and no script error.


def test_each_message_takes_the_direction_of_its_own_script(chat, web):
    """Arabic, Farsi and Urdu read right to left, in the box as typed and in the log."""
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send("أحتاج مساعدة")
    expect(chat.user_messages.last).to_contain_text("أحتاج مساعدة")
    chat.send("I need help")
    expect(chat.user_messages.last).to_contain_text("I need help")

    def direction(message):
        return message.locator("div[dir=auto]").evaluate("e => getComputedStyle(e).direction")

    assert direction(chat.user_messages.nth(-2)) == "rtl"
    assert direction(chat.user_messages.last) == "ltr"
    assert chat.frame.locator("#angelou-input").get_attribute("dir") == "auto"
    # A number to dial keeps its order inside right-to-left text.
    chat.send("اتصلي على 116 123")
    number = chat.bot_messages.last.locator("a[href='tel:116123']")
    expect(number).to_have_text("116 123")
    assert number.evaluate("e => getComputedStyle(e).direction") == "ltr"


def test_a_language_chosen_in_the_header_changes_the_words_and_goes_with_each_message(chat, web):
    """Kept in page memory only (assert_nothing_stored); the bot is told with each message."""
    words = json.loads((PROJECT_ROOT / "webchat" / "src" / "translations.json").read_text())
    chat.goto(f"{web.url}/")
    chat.open()
    choice = chat.frame.locator("#angelou-language")
    expect(chat.frame.locator(".send")).to_have_text("Send")
    with chat.page.expect_request("**/webhooks/rest/webhook") as first:
        chat.send("hello")
    assert "language" not in json.loads(first.value.post_data)  # not chosen: typed decides
    choice.select_option("es")
    expect(chat.frame.locator(".send")).to_have_text(words["es"]["words"]["SEND_BUTTON"])
    expect(chat.frame.locator(".notice h2")).to_have_text(words["es"]["words"]["NOTICE_HEADING"])
    # The message box is named in Spanish now.
    expect(
        chat.frame.get_by_role("textbox", name=words["es"]["words"]["MESSAGE_LABEL"])
    ).to_be_visible()
    box = chat.frame.locator("#angelou-input")
    with chat.page.expect_request("**/webhooks/rest/webhook") as second:
        box.fill("hola")
        box.press("Enter")
    assert json.loads(second.value.post_data)["language"] == "es"
    choice.select_option("ar")
    assert chat.frame.locator("html").get_attribute("dir") == "rtl"
    expect(chat.frame.locator(".exit")).to_contain_text(words["ar"]["words"]["EXIT_BUTTON"])
    choice.select_option("en")
    expect(chat.frame.locator(".send")).to_have_text("Send")
    chat.assert_nothing_stored()


def test_server_down_shows_the_helpline(make_chat, web_without_bot):
    chat = make_chat(web_without_bot)
    chat.goto(f"{web_without_bot.url}/")
    chat.open()
    chat.send("hello")
    error = chat.frame.locator(".msg--error")
    expect(error).to_contain_text("can't reach the service")
    expect(error.get_by_role("link", name="0808 2000 247")).to_have_attribute(
        "href", "tel:+448082000247"
    )
    expect(chat.frame.locator(".typing")).to_be_hidden()
    chat.assert_nothing_stored()


def test_an_empty_answer_is_not_left_as_silence(chat, web, fake_bot):
    start_conversation(chat, web)
    before = chat.bot_messages.count()
    chat.send("silence")
    expect(chat.bot_messages).to_have_count(before + 1)
    expect(chat.bot_messages.last).to_contain_text("I don't have an answer to that")
    expect(chat.bot_messages.last.get_by_role("link", name="0808 2000 247")).to_be_visible()
    expect(chat.frame.locator(".typing")).to_be_hidden()


def test_every_page_load_gets_a_new_sender_and_leaving_deletes_the_conversation(
    chat, web, fake_bot
):
    first = start_conversation(chat, web)
    chat.page.reload()
    wait_for(lambda: first in fake_bot.deleted_senders())
    expect(chat.launcher).to_be_visible()
    expect(chat.frame.locator(".notice")).to_be_attached()
    assert chat.messages.count() == 0
    chat.open()
    with chat.page.expect_request("**/webhooks/rest/webhook") as request:
        chat.send("again")
    second = json.loads(request.value.post_data)["sender"]
    assert UUID4.match(second) and second != first


# --- Quick exit --------------------------------------------------------------------


def test_quick_exit_with_shift_three_times_in_the_chat(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.input.press("Shift")
    chat.input.press("Shift")
    expect(chat.panel).to_be_visible()  # two presses are not enough
    chat.page.keyboard.press("Shift")
    chat.page.wait_for_url(web.exit_url)
    # Measured in the browser: third key-up (in the frame) to the exit page's navigation start.
    elapsed = chat.exit_time_ms()
    print(f"quick exit (Shift x3 in the chat): {elapsed:.1f} ms")
    assert 0 <= elapsed < EXIT_BUDGET_MS
    assert_exited(chat, web, fake_bot, sender)


def test_quick_exit_with_shift_three_times_on_the_host_page(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    # Focus back on the host page, the chat still open: the loader counts these presses.
    chat.page.get_by_role("link", name="Skip to main content").focus()
    for _ in range(2):
        chat.page.keyboard.press("Shift")
    expect(chat.panel).to_be_visible()
    chat.page.keyboard.press("Shift")
    chat.page.wait_for_url(web.exit_url)
    elapsed = chat.exit_time_ms()
    print(f"quick exit (Shift x3 on the host page): {elapsed:.1f} ms")
    assert 0 <= elapsed < EXIT_BUDGET_MS
    assert_exited(chat, web, fake_bot, sender)


# GOV.UK's timing, on a fake clock (one for the page and its frames): each press waits up
# to 5 s for the next, and the end of a count is announced.
SHIFT_RESET = "Shift count reset. To exit this page, press Shift 3 times"


def test_each_shift_press_gives_the_next_one_5_seconds(chat, web, fake_bot):
    chat.page.clock.install()
    sender = start_conversation(chat, web)
    live = chat.frame.locator("[aria-live=polite]")
    chat.input.press("Shift")
    expect(live).to_have_text("Shift pressed 1 of 3 times. Press it 2 more to exit this page.")
    chat.page.clock.run_for(4000)
    chat.input.press("Shift")
    expect(live).to_have_text("Shift pressed 2 of 3 times. Press it 1 more to exit this page.")
    chat.page.clock.run_for(4000)  # 8 s after the first press, 4 s after the last
    expect(chat.panel).to_be_visible()
    chat.page.keyboard.press("Shift")
    assert_exited(chat, web, fake_bot, sender)


def test_a_pause_of_5_seconds_resets_the_shift_count_and_says_so(chat, web):
    chat.page.clock.install()
    start_conversation(chat, web)
    live = chat.frame.locator("[aria-live=polite]")
    chat.input.press("Shift")
    chat.input.press("Shift")
    chat.page.clock.run_for(4900)
    expect(live).to_contain_text("Shift pressed 2 of 3 times")
    chat.page.clock.run_for(200)
    expect(live).to_contain_text(SHIFT_RESET)
    chat.input.press("Shift")  # counts as the first again
    expect(live).to_contain_text("Shift pressed 1 of 3 times")
    chat.input.press("Shift")
    expect(live).to_contain_text("Shift pressed 2 of 3 times")
    expect(chat.panel).to_be_visible()
    assert chat.page.url == f"{web.url}/"


def test_another_key_resets_the_shift_count_on_the_host_page_and_says_so(chat, web):
    chat.page.clock.install()
    start_conversation(chat, web)
    chat.page.get_by_role("link", name="Skip to main content").focus()
    live = chat.page.locator("[data-angelou-chat] [aria-live=polite]")  # the loader's
    chat.page.keyboard.press("Shift")
    chat.page.keyboard.press("Shift")
    expect(live).to_contain_text("Shift pressed 2 of 3 times")
    chat.page.keyboard.press("a")
    expect(live).to_contain_text(SHIFT_RESET)
    chat.page.keyboard.press("Shift")
    expect(live).to_contain_text("Shift pressed 1 of 3 times")
    chat.page.clock.run_for(5100)
    expect(live).to_contain_text(SHIFT_RESET)
    assert chat.page.url == f"{web.url}/"


def test_quick_exit_with_the_exit_button_within_100_ms(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.exit_button.click()
    chat.page.wait_for_url(web.exit_url)
    elapsed = chat.exit_time_ms()
    print(f"quick exit (Exit button): {elapsed:.1f} ms")
    assert 0 <= elapsed < EXIT_BUDGET_MS
    assert_exited(chat, web, fake_bot, sender)


def test_quick_exit_by_typing_exit_is_not_sent_to_the_bot(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.send("Exit")
    assert_exited(chat, web, fake_bot, sender)
    assert "Exit" not in [m["message"] for m in fake_bot.messages if m["sender"] == sender]


def test_quick_exit_when_the_bot_understood_a_request_to_leave(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.send("please get me out of here")
    chat.page.wait_for_url(web.exit_url)
    assert_exited(chat, web, fake_bot, sender)


def test_quick_exit_from_the_host_pages_own_button(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.page.get_by_role("link", name="Exit this page").click()
    chat.page.wait_for_url(web.exit_url)
    elapsed = chat.exit_time_ms()
    print(f"quick exit (host page's Exit this page): {elapsed:.1f} ms")
    assert 0 <= elapsed < EXIT_BUDGET_MS
    assert_exited(chat, web, fake_bot, sender)


def test_quick_exit_from_the_javascript_api(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.page.evaluate("window.AngelouChat.exit()")
    assert_exited(chat, web, fake_bot, sender)


def test_shift_used_with_other_keys_does_not_exit(chat, web):
    start_conversation(chat, web)
    for _ in range(3):
        chat.input.press("Shift+A")
    for _ in range(3):
        chat.page.keyboard.press("Shift+Tab")
    chat.page.wait_for_timeout(200)
    assert chat.page.url == f"{web.url}/"
    expect(chat.panel).to_be_visible()
    expect(chat.input).to_have_value("AAA")


def test_a_page_restored_from_the_back_forward_cache_has_no_conversation(chat, web, fake_bot):
    sender = start_conversation(chat, web)
    chat.page.get_by_role("link", name="Embed the chat", exact=True).click()
    chat.page.wait_for_url(f"{web.url}/embed")
    # Times out unless the page really comes back from the back-forward cache.
    with chat.page.expect_console_message(lambda m: m.text == "webchat-test:pageshow:true"):
        chat.page.go_back(wait_until="commit")
    assert chat.page.url == f"{web.url}/"
    state = chat.frame_state()
    assert state["built"] and state["panel_hidden"] is True
    assert state["messages"] == 0
    assert "You said" not in state["text"]
    expect(chat.page.locator(FRAME)).to_be_hidden()
    expect(chat.launcher).to_be_visible()
    wait_for(lambda: sender in fake_bot.deleted_senders())
    chat.assert_nothing_stored()

    # The restored chat still works, as a new conversation. (Playwright loses track of a
    # restored page's frames, so this goes by keyboard and the bot's records.)
    chat.launcher.click()
    wait_for(lambda: chat.frame_state()["panel_hidden"] is False)
    text = f"again after the back-forward cache {uuid.uuid4()}"
    chat.page.keyboard.type(text)
    chat.page.keyboard.press("Enter")
    wait_for(lambda: any(m["message"] == text for m in fake_bot.messages))
    again = next(m["sender"] for m in fake_bot.messages if m["message"] == text)
    assert UUID4.match(again) and again != sender


# --- Keyboard, accessibility, small screens ----------------------------------------


def test_keyboard_only(chat, web, fake_bot):
    chat.goto(f"{web.url}/")
    page = chat.page
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.shadowRoot?.activeElement?.textContent") == (
            LAUNCHER
        ):
            break
    expect(chat.launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    page.keyboard.type("I need a refuge")
    page.keyboard.press("Enter")
    expect(chat.replies).to_have_count(2)

    # Back from the message box to the last quick reply, and choose it.
    page.keyboard.press("Shift+Tab")
    expect(chat.replies.last).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.bot_messages.last).to_contain_text("National Domestic Abuse Helpline")
    expect(chat.input).to_be_focused()

    page.keyboard.press("Escape")
    expect(chat.launcher).to_be_focused()
    page.keyboard.press("Enter")
    expect(chat.user_messages).to_have_count(2)  # closing is not leaving

    # Back from the message box to the Exit button at the top of the panel (Shift+Tab
    # must not count towards the Shift x3 exit).
    frame = chat.chat_frame()
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if frame.evaluate("document.activeElement.className") == "exit":
            break
    expect(chat.exit_button).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(web.exit_url)
    assert chat.exit_time_ms() < EXIT_BUDGET_MS


def test_no_accessibility_violations_with_the_widget_open(chat, web):
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send("hello")
    expect(chat.replies).to_have_count(2)
    chat.send("links")
    expect(chat.bot_messages).to_have_count(2)
    # The host page with the launcher and the frame element, then the chat in the frame:
    # axe cannot reach across origins into a frame it was not injected into.
    host = Axe().run(chat.page, options={"resultTypes": ["violations"], "iframes": False})
    assert host.violations_count == 0, host.generate_report()
    in_frame = Axe().run(chat.chat_frame())
    assert in_frame.violations_count == 0, in_frame.generate_report()


@pytest.mark.parametrize("path", ["/embed", "/cover-your-tracks"])
def test_no_accessibility_violations_on_the_other_pages(chat, web, path):
    chat.goto(f"{web.url}{path}")
    results = Axe().run(chat.page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [
        ("320px", {"width": 320, "height": 640}, 1),
        # 1280 x 720 at 200 % zoom is a 640 x 360 CSS-pixel viewport.
        ("200pct-zoom", {"width": 640, "height": 360}, 2),
    ],
)
def test_small_screens_and_zoom(make_chat, web, name, viewport, scale):
    chat = make_chat(web, viewport=viewport, device_scale_factor=scale)
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send("hello")
    expect(chat.replies).to_have_count(2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chat.page.screenshot(path=ARTIFACTS / f"webchat-{name}.png")

    width = viewport["width"]
    assert chat.page.evaluate("document.documentElement.scrollWidth") <= width
    for element in (chat.panel, chat.exit_button, chat.input, chat.replies.first):
        expect(element).to_be_in_viewport()
        box = element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, element
    for bubble in chat.bot_messages.all():
        box = bubble.bounding_box()
        assert box["x"] + box["width"] <= width


@pytest.mark.parametrize(("motion", "animation"), [("reduce", "none"), ("no-preference", "blink")])
def test_typing_indicator_honours_reduced_motion(make_chat, web, motion, animation):
    chat = make_chat(web, reduced_motion=motion)
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send("slow")
    dot = chat.frame.locator(".typing span").first
    expect(dot).to_be_visible()
    assert dot.evaluate("(el) => getComputedStyle(el).animationName") == animation
    expect(chat.bot_messages.last).to_contain_text("You said: slow")


def test_announces_bot_messages_in_a_live_region(chat, web):
    chat.goto(f"{web.url}/")
    chat.open()
    chat.send("hello")
    live = chat.frame.locator("[aria-live=polite]")
    expect(live).to_have_text("You said: hello")
