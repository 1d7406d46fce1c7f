"""The editor's reports on the seeded directory: gaps in provision (the same rows as
`python -m directory gaps`) and the entries whose source is due to be read again."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import date
from html import unescape

import pytest

from directory.db import get_engine, session_scope, upgrade
from directory.editor.accounts import start_session
from directory.editor.models import Maintainer
from directory.gaps import gaps, gaps_csv
from directory.models import Service
from directory.seed import load_seed
from directory.store import apply_service_change
from directory.web import create_app
from directory.web.auth import SESSION_KEY

TODAY = date(2026, 12, 1)  # the seed's sources were all read on this day
STALE = "national-domestic-abuse-helpline"
NEVER = "wgn-advice-line"


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("reports") / "directory.sqlite3"
    upgrade(f"sqlite:///{path}")
    with session_scope(f"sqlite:///{path}") as session:
        load_seed(session)
    get_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def seeded_url(seeded_template, tmp_path):
    path = tmp_path / "directory.sqlite3"
    shutil.copyfile(seeded_template, path)
    yield f"sqlite:///{path}"
    get_engine(f"sqlite:///{path}").dispose()


@pytest.fixture
def editor(seeded_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-key",
            "DIRECTORY_DATABASE_URL": seeded_url,
            "REVIEW_TODAY": TODAY,
        }
    )
    with session_scope(seeded_url) as session:
        maintainer = Maintainer(email="editor@example.org", password_hash="-", role="editor")
        session.add(maintainer)
        session.flush()
        token = start_session(session, maintainer)
    client = app.test_client()
    cookie = app.session_interface.get_signing_serializer(app).dumps({SESSION_KEY: token})
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
    return client


def listed_gaps(html: str) -> set[str]:
    return set(re.findall(r'data-gap="([^"]+)"', html))


def test_both_reports_need_signing_in(seeded_url):
    client = create_app({"TESTING": True, "DIRECTORY_DATABASE_URL": seeded_url}).test_client()
    for path in ("/editor/gaps", "/editor/gaps.csv", "/editor/sources"):
        response = client.get(path)
        assert response.status_code == 302 and "/editor/login" in response.headers["Location"]


def test_the_gaps_page_shows_the_reports_gaps_and_closes_one(editor, seeded_url):
    rows = gaps(seeded_url)
    expected = {f"{r.borough}/{r.strand}/{r.audience}" for r in rows if r.is_gap}
    page = editor.get("/editor/gaps")
    assert page.status_code == 200
    text = unescape(page.text)
    assert listed_gaps(page.text) == expected
    assert "westminster/stalking/men" in expected  # a gap the seed is known to have
    assert "westminster/domestic-abuse/anyone" not in expected
    assert f"{len(expected)} of {len(rows)} borough × strand × audience" in text
    assert 'href="/editor/gaps"' in page.text and 'href="/editor/sources"' in page.text  # nav

    with session_scope(seeded_url) as session:
        apply_service_change(
            session,
            "test-mens-stalking-advocacy",
            {
                "organization_id": "hestia",
                "name": "Test men's stalking advocacy",
                "scope": "local",
                "boroughs": ["westminster"],
                "strands": ["stalking"],
                "audiences": ["men"],
                "gender": "men",
            },
            create=True,
        )
    assert listed_gaps(editor.get("/editor/gaps").text) == expected - {"westminster/stalking/men"}


def test_the_gaps_csv_is_the_commands_csv(editor, seeded_url):
    response = editor.get("/editor/gaps.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.text == gaps_csv(gaps(seeded_url))
    rows = list(csv.DictReader(io.StringIO(response.text)))
    (row,) = [
        r
        for r in rows
        if (r["borough"], r["strand"], r["audience"]) == ("westminster", "stalking", "men")
    ]
    assert row["gap"] == "yes" and row["local_services"] == "0"


def test_sources_to_recheck_lists_old_and_missing_sources_oldest_first(editor, seeded_url):
    assert "0 entries to re-check" in editor.get("/editor/sources").text
    with session_scope(seeded_url) as session:
        session.get(Service, STALE).source_checked = date(2025, 11, 30)  # 12 months and a day
        session.get(Service, NEVER).source_checked = None
        fresh = session.get(Service, "galop-helpline")
        fresh.source_checked = date(2025, 12, 1)  # exactly 12 months: not yet due
    page = editor.get("/editor/sources").text
    assert "2 entries to re-check" in page
    listed = re.findall(r'data-service="([^"]+)"', page)
    assert listed == [NEVER, STALE]  # never read first, then the oldest
    assert f'href="/editor/services/{STALE}/edit"' in page
    assert f'href="/editor/services/{NEVER}/edit"' in page
    assert "2025-11-30" in page and "never" in page


def test_a_retired_entry_is_not_listed(editor, seeded_url):
    with session_scope(seeded_url) as session:
        service = session.get(Service, STALE)
        service.source_checked, service.status = date(2020, 1, 1), "defunct"
    assert re.findall(r'data-service="([^"]+)"', editor.get("/editor/sources").text) == []
