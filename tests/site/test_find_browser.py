"""The professionals' directory site in headless Chromium, against the real web app on a real
port with the app's own CSP: axe finds nothing on any page type, the form works without
JavaScript, quick exit leaves every page, and a pathway prints without the site's chrome.

The browser, its flags and the page watcher (no CSP violation, no script error, no request
leaving this machine) are the editor's browser tests' (tests/editor/test_editor_browser.py).
"""

from __future__ import annotations

import re
import threading

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from directory.matching import SearchQuery, search
from directory.web.public import DEFAULT_BUNDLE
from tests.editor.test_editor_browser import Watched, chromium  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser

HELPLINE = "national-domestic-abuse-helpline"
MARAC_PATHWAY = "domestic-abuse-high-risk"
PAGE_TYPES = {
    "find form": "/find/",
    "results": "/find/?place=W6&strand=domestic-abuse&audience=women&language=ar",
    "service page": f"/find/service/{HELPLINE}",
    "pathway list": "/find/pathways",
    "pathway page": f"/find/pathways/{MARAC_PATHWAY}",
    "400 page": "/find/?place=Atlantis&strand=nope",
}
# WCAG 2.2 AA (target-size is a 2.2 rule) and axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


class Site:
    def __init__(self, url: str, app):
        self.url, self.app = url, app

    @property
    def exit_url(self) -> str:
        return self.app.config["EXIT_URL"]


@pytest.fixture(scope="module")
def site(site_url, make_site_app):
    """The web app on a free port, on the seeded directory. Quick exit goes to a page of this
    server, and the chat's frame talks to it too, so nothing leaves the machine."""
    holder = {}
    server = make_server(
        "127.0.0.1", 0, lambda environ, start: holder["app"](environ, start), threaded=True
    )
    base = f"http://127.0.0.1:{server.server_port}"
    holder["app"] = make_site_app(site_url, BOT_URL=base, EXIT_URL=f"{base}/cover-your-tracks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(base, holder["app"])
    server.shutdown()


@pytest.fixture
def watched(chromium, site):  # noqa: F811 (the imported fixture)
    page = Watched(chromium, {site.url})
    yield page
    try:
        assert not page.problems, page.problems
    finally:
        page.close()


def test_every_page_type_has_no_axe_violations(watched, site):
    figures = {}
    reports = []
    for kind, path in PAGE_TYPES.items():
        response = watched.page.goto(f"{site.url}{path}")
        assert response.status == (400 if kind == "400 page" else 200), path
        results = Axe().run(watched.page, options=AXE_OPTIONS)
        figures[kind] = results.violations_count
        if results.violations_count:
            reports.append(f"{kind} ({path}):\n{results.generate_report()}")
    print(f"axe violations per page type: {figures}")
    assert not reports, "\n".join(reports)


def test_the_form_works_without_javascript(chromium, site, site_url):  # noqa: F811
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site.url}/find/")
        page.get_by_label("Where the person lives").fill("W6")
        page.get_by_label("Form of abuse").select_option("domestic-abuse")
        page.get_by_label("Men", exact=True).check()
        page.get_by_label("Open now").uncheck()
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"/find/\?place=W6&strand=domestic-abuse&.*audience=men"))
        expect(
            page.get_by_role("heading", level=2, name=re.compile("services for W6"))
        ).to_be_visible()
        expected = search(
            SearchQuery(
                place="W6",
                strands=("domestic-abuse",),
                audiences=("men",),
                for_professional=True,
                limit=None,
            ),
            site_url,
        )
        first = page.locator(".result").first
        assert first.get_attribute("data-service-id") == expected.matches[0].service.id
        # The form keeps what was asked, and a result opens its page.
        expect(page.get_by_label("Where the person lives")).to_have_value("W6")
        expect(page.get_by_label("Men", exact=True)).to_be_checked()
        name = expected.matches[0].service.name
        first.get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()

        # A place nobody knows: the error summary, and the error by its field.
        page.goto(f"{site.url}/find/")
        page.get_by_label("Where the person lives").fill("Atlantis")
        page.get_by_role("button", name="Search").click()
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("There is a problem")
        expect(summary.get_by_role("link")).to_have_attribute("href", "#place")
        expect(page.locator("#place-error")).to_be_visible()
        assert "place-error" in page.locator("#place").get_attribute("aria-describedby")
    finally:
        context.close()


@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_exit_this_page_leaves_without_javascript(chromium, site, kind):  # noqa: F811
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site.url}{PAGE_TYPES[kind]}")
        page.get_by_role("link", name="Exit this page").click()
        page.wait_for_url(site.exit_url)
    finally:
        context.close()


@pytest.mark.parametrize("kind", ["results", "service page", "pathway page"])
def test_quick_exit_with_the_widget_leaves_and_back_does_not_return(watched, site, kind):
    if not DEFAULT_BUNDLE.is_file():
        pytest.fail(f"{DEFAULT_BUNDLE} is missing: run `make webchat` (make test does it first).")
    page = watched.page
    page.goto(f"{site.url}/find/")  # a page before, to go back to
    page.goto(f"{site.url}{PAGE_TYPES[kind]}")
    # The loader has drawn the chat (its launcher is in a closed shadow root, out of reach).
    expect(page.locator("[data-angelou-chat]")).to_be_attached()
    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url(site.exit_url)
    # The exit replaced the page in the history: Back goes to the page before it.
    page.go_back()
    page.wait_for_url(f"{site.url}/find/")


def test_a_pathway_prints_without_the_sites_chrome(watched, site):
    page = watched.page
    page.goto(f"{site.url}/find/pathways/{MARAC_PATHWAY}")
    page.emulate_media(media="print")
    for chrome in (".exit-bar", ".site-header nav", ".site-footer", ".skip-link"):
        expect(page.locator(chrome)).to_be_hidden()
    steps = page.locator("li.step")
    assert steps.count() >= 5
    expect(steps.first).to_be_visible()
    assert steps.first.evaluate("e => getComputedStyle(e).breakInside") == "avoid"
    # Each link's address is printed after it.
    source = page.locator("ul.sources a").first
    after = source.evaluate("e => getComputedStyle(e, '::after').content")
    assert source.get_attribute("href") in after
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    print(f"pathway PDF: {len(pdf)} bytes, {pages} pages")
    assert 2 <= pages <= 12, pages
    # On screen the chrome is back.
    page.emulate_media(media="screen")
    expect(page.locator(".exit-bar")).to_be_visible()


def test_the_filters_are_not_printed(watched, site):
    page = watched.page
    page.goto(f"{site.url}{PAGE_TYPES['results']}")
    page.emulate_media(media="print")
    expect(page.locator("form.find-filters")).to_be_hidden()
    expect(page.locator(".result").first).to_be_visible()
