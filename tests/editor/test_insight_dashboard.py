"""The insight dashboard: analysts and reviewers only, every count below 5 as "<5" in the page
and the CSV, charts drawn server-side with text alternatives and data tables, and in headless
Chromium: accessible, CSP-clean, nothing requested from elsewhere."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from directory import db, insight
from directory.editor.accounts import create_maintainer, start_session
from tests.editor.helpers import PASSWORD, signed_in
from tests.editor.test_editor_browser import Watched, chromium, served_editor  # noqa: F401

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ANALYST = "analyst@example.org"


@pytest.fixture
def counted(app, database_url):
    """An analyst, and counters for the last days: some cells big, some below 5."""
    with db.session_scope(database_url) as session:
        token = start_session(session, create_maintainer(session, ANALYST, PASSWORD, "analyst"))
    app.config["TEST_SESSION_TOKENS"] = {**app.config["TEST_SESSION_TOKENS"], ANALYST: token}
    today = insight.today()
    batch = {}
    for back in range(20):
        day = today - timedelta(days=back)
        key = (day, "search", "westminster", "domestic-abuse", "refuge", "women", "not-given")
        batch[(*key, "survivor", "-")] = 6 + back % 3
        batch[
            (
                day,
                "search",
                "hammersmith-and-fulham",
                "stalking",
                *["not-given"] * 3,
                "survivor",
                "-",
            )
        ] = 1
    batch[
        (today, "gap", "kensington-and-chelsea", "fgm", "fgm-clinic", "men", "-", "-", "widened")
    ] = 2
    batch[
        (
            today,
            "gap",
            "westminster",
            "not-given",
            "legal-advice",
            "not-given",
            "-",
            "-",
            "no-local",
        )
    ] = 7
    batch[(today, "danger", *["-"] * 5, "survivor", "-")] = 3
    batch[(today, "quick-exit", *["-"] * 7)] = 12
    insight.add_counts(batch, database_url)
    return app


def test_only_analysts_and_reviewers_see_it_and_analysts_see_nothing_else(
    counted, as_editor, as_reviewer
):
    assert as_editor.get("/editor/insight").status_code == 403
    assert as_reviewer.get("/editor/insight").status_code == 200
    analyst = signed_in(counted, ANALYST)
    assert analyst.get("/editor/insight").status_code == 200
    for path in ("/editor/", "/editor/changes", "/editor/transfer", "/editor/gaps"):
        assert analyst.get(path).status_code == 403, path
    assert counted.test_client().get("/editor/insight").status_code == 302  # sign in first


def _cells(html: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", html)


def test_every_number_below_5_is_shown_as_less_than_5(counted):
    page = signed_in(counted, ANALYST).get("/editor/insight?period=30").text
    assert "&lt;5" in page
    numbers = [int(c) for c in _cells(page) if c.strip().isdigit()]
    assert numbers and min(numbers) >= 5
    # The heat map's cells and the bars' titles say "<5" too, never 1 to 4.
    assert not re.search(r": [0-4]</title>", page)
    assert "Outside the partnership" in page and "Nothing local" in page


def test_the_csv_has_the_same_suppressed_figures(counted):
    response = signed_in(counted, ANALYST).get("/editor/insight.csv?period=30")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["table"] for r in rows} >= {"searches_by_day", "borough_strand", "gaps"}
    counts = [r["count"] for r in rows]
    assert "<5" in counts
    assert all(c == "<5" or int(c) >= 5 for c in counts)
    heat = {(r["borough"], r["strand"]): r["count"] for r in rows if r["table"] == "borough_strand"}
    assert heat[("hammersmith-and-fulham", "stalking")] == "20"  # 20 ones add up to 20
    assert heat[("westminster", "domestic-abuse")] == str(sum(6 + b % 3 for b in range(20)))


def test_the_charts_have_text_alternatives_and_data_tables(counted):
    page = signed_in(counted, ANALYST).get("/editor/insight?period=30").text
    assert page.count('<svg role="img"') == 2
    assert page.count("<title id=") == 2 and page.count("<desc id=") == 2
    assert 'id="over-time-table"' in page and 'id="heat-table"' in page
    assert "<script" not in page and "http" not in page.split("<main", 1)[1]


@pytest.mark.browser
def test_the_dashboard_in_chromium_is_accessible_and_self_contained(
    chromium,  # noqa: F811
    served_editor,  # noqa: F811
    counted,
):
    watched = Watched(chromium, {served_editor})
    page = watched.page
    try:
        watched.sign_in(served_editor, ANALYST)
        expect(
            page.get_by_role("heading", name="Insight: what people asked the assistant")
        ).to_be_visible()
        expect(page.get_by_role("img", name=re.compile("Heat map of searches"))).to_be_visible()
        page.get_by_label("Period").select_option("30")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#heat-table")).to_contain_text("Westminster")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / "insight-dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download these figures as a CSV spreadsheet").click()
        assert "<5" in Path(download.value.path()).read_text()
        assert not watched.problems, watched.problems
    finally:
        watched.close()
