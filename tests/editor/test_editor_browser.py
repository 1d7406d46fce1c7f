"""The editor in headless Chromium: accessibility of its pages under the real CSP, and the
whole journey against the real stack: sign in, edit a phone number, publish, ask the bot."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import new_sender
from tests.editor.helpers import PASSWORD, create_maintainer_with_cli
from tests.editor.test_editor_stack import QUESTION, restore_phone, shown_service_with_phone

HELPLINE = "national-domestic-abuse-helpline"  # in the test app's own directory

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (make test does it first).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page whose CSP violations, script errors and off-site requests are collected."""

    def __init__(self, browser, allowed_origins: set[str]):
        self.context = browser.new_context()
        self.problems: list[str] = []

        def guard(route):
            url = route.request.url
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
            if origin in allowed_origins:
                route.continue_()
            else:
                self.problems.append(f"request left the machine: {url}")
                route.abort()

        self.context.route("**/*", guard)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        # CSP violations are reported on the console ("Refused to ...").
        self.page.on(
            "console",
            lambda message: self.problems.append(f"console: {message.text}")
            if "Refused" in message.text or "Content Security Policy" in message.text
            else None,
        )

    def sign_in(self, base_url: str, email: str) -> None:
        self.page.goto(f"{base_url}/editor/login")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_text(f"Signed in as {email}")).to_be_visible()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def served_editor(app):
    """The test app (its own temp directory) on a real port, with the app-wide CSP."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_editor_pages_are_accessible_and_csp_clean(chromium, served_editor):
    watched = Watched(chromium, {served_editor})
    page = watched.page
    try:
        page.goto(f"{served_editor}/editor/login")
        assert Axe().run(page).violations_count == 0, Axe().run(page).generate_report()
        watched.sign_in(served_editor, "editor@example.org")
        for path in (
            "/editor/",
            "/editor/?needs_checking=y",
            f"/editor/services/{HELPLINE}",
            f"/editor/services/{HELPLINE}/edit",
            "/editor/changes",
            "/editor/transfer",
        ):
            page.goto(f"{served_editor}{path}")
            results = Axe().run(page)
            assert results.violations_count == 0, f"{path}\n{results.generate_report()}"
        # A form with errors: the summary links to the fields, each error sits by its field.
        page.goto(f"{served_editor}/editor/services/{HELPLINE}/edit")
        page.locator("#phones-0-number").fill("not a number")
        page.get_by_label("Website").fill("http://insecure.example")
        page.get_by_role("button", name="Save and send for review").click()
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("There is a problem")
        expect(page.locator("#phones-0-number-error")).to_be_visible()
        expect(page.locator("#url-error")).to_be_visible()
        assert page.locator("#url").get_attribute("aria-describedby").endswith("url-error")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert not watched.problems, watched.problems
    finally:
        watched.close()


@pytest.mark.stack
def test_edit_publish_and_the_bot_gives_the_new_number(chromium, stack):
    service_id, name, old_number = shown_service_with_phone(
        stack.database_url, stack.texts(new_sender(), QUESTION)
    )
    new_number = "020 7946 1" + str(uuid.uuid4().int % 1000).zfill(3)  # Ofcom drama range
    tag = uuid.uuid4().hex[:8]
    editor_email, reviewer_email = f"editor-{tag}@example.org", f"reviewer-{tag}@example.org"
    create_maintainer_with_cli(stack.database_url, editor_email, "editor")
    create_maintainer_with_cli(stack.database_url, reviewer_email, "reviewer")
    watched = Watched(chromium, {stack.web_url})
    page = watched.page
    try:
        watched.sign_in(stack.web_url, editor_email)
        page.get_by_label("Name").fill(name)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("link", name="Edit", exact=True).click()
        phone = page.locator("#phones-0-number")
        expect(phone).to_have_value(old_number)
        phone.fill(new_number)
        page.get_by_role("button", name="Save and send for review").click()
        expect(page.get_by_test_id("change-status")).to_have_text("in review")
        expect(page.get_by_test_id("bot-preview")).to_contain_text(f"Call {new_number}")
        watched.sign_out()

        watched.sign_in(stack.web_url, reviewer_email)
        page.get_by_role("link", name="Changes").click()
        page.get_by_role("link", name=name).first.click()
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_test_id("change-status")).to_have_text("published")
        assert not watched.problems, watched.problems

        reply = stack.texts(new_sender(), QUESTION)
        assert new_number in reply, reply
    finally:
        watched.close()
        restore_phone(stack.database_url, service_id, old_number)
