"""The maintainers' pathway screens, through Flask's test client with CSRF on: edit a step,
send it for review, a reviewer publishes it, and the bot's answer has the new step."""

from __future__ import annotations

import re
from datetime import date

import pytest

from directory.db import session_scope
from directory.editor.accounts import create_maintainer, start_session
from directory.pathways.answers import pathway_answers
from directory.pathways.store import get_pathway_dict, write_pathway
from directory.web import create_app
from directory.web.auth import SESSION_KEY

NEW_STEP = "Check the school's own Operation Encompass log before calling the family."
TODAY = date(2026, 12, 1)


@pytest.fixture
def clients(directory_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-key",
            "DIRECTORY_DATABASE_URL": directory_url,
            "REVIEW_TODAY": TODAY,  # what "the last 12 months" counts back from
        }
    )
    tokens = {}
    with session_scope(directory_url) as session:
        for email, role in (("ed@example.org", "editor"), ("rev@example.org", "reviewer")):
            maintainer = create_maintainer(session, email, "a long enough password", role)
            tokens[role] = start_session(session, maintainer)
    signer = app.session_interface.get_signing_serializer(app)
    clients = {}
    for role, token in tokens.items():
        client = app.test_client()
        cookie = signer.dumps({SESSION_KEY: token})
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
        clients[role] = client
    return clients


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return match.group(1).replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&")


def _input(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def test_list_and_view_show_every_pathway_with_a_bot_preview(clients):
    listing = clients["editor"].get("/editor/pathways")
    assert listing.status_code == 200
    assert len(set(re.findall(r'href="/editor/pathways/([a-z0-9-]+)"', listing.text))) == 13
    page = clients["editor"].get("/editor/pathways/domestic-abuse-high-risk")
    assert page.status_code == 200
    assert "Westminster MARAC: no number listed" in page.text


def test_an_edit_goes_through_review_before_the_bot_uses_it(clients, directory_url):
    editor, reviewer = clients["editor"], clients["reviewer"]
    form = editor.get("/editor/pathways/children-at-risk/edit").text
    fields = {
        name: _textarea(form, name)
        for name in ("situation", "applies_to", "legal_duty", "sources", "unsourced", "steps")
        + ("thresholds", "forms", "contacts")
    }
    fields["reviewed"] = _input(form, "reviewed")
    title = re.search(r'name="title"[^>]*value="([^"]*)"', form).group(1)
    fields["steps"] = fields["steps"].rstrip("\n") + "\n" + NEW_STEP
    data = {
        **fields,
        "title": title.replace("&amp;", "&").replace("&#39;", "'"),
        "status": "active",
        "base_version": re.search(r'name="base_version" type="hidden" value="(\d+)"', form).group(
            1
        ),
        "draft_revision": "",
        "csrf_token": _csrf(form),
        "send": "review",
    }
    saved = editor.post("/editor/pathways/children-at-risk/edit", data=data)
    assert saved.status_code == 302, saved.text
    change_url = saved.headers["Location"]
    (before,) = pathway_answers(["children-at-risk"], None, directory_url)
    assert NEW_STEP not in before.steps

    change_page = reviewer.get(change_url).text
    published = reviewer.post(
        f"{change_url}/publish",
        data={
            "csrf_token": _csrf(change_page),
            "note": "",
            "revision": _input(change_page, "revision"),
        },
    )
    assert published.status_code == 302
    (after,) = pathway_answers(["children-at-risk"], None, directory_url)
    assert after.steps[-1] == NEW_STEP
    assert after.title == before.title and after.contacts == before.contacts
    with session_scope(directory_url) as session:
        published = get_pathway_dict(session, "children-at-risk")
    assert published["reviewed"] == "2026-12-01" and len(published["sources"]) >= 1


def test_a_made_up_service_id_is_refused_beside_the_form(clients):
    editor = clients["editor"]
    form = editor.get("/editor/pathways/stalking/edit").text
    contacts = _textarea(form, "contacts").replace("national-stalking-helpline", "made-up-line")
    data = {
        name: _textarea(form, name)
        for name in ("situation", "applies_to", "legal_duty", "sources", "unsourced", "steps")
        + ("thresholds", "forms")
    }
    data["reviewed"] = _input(form, "reviewed")
    data.update(
        title="Stalking",
        status="active",
        contacts=contacts,
        base_version="1",
        csrf_token=_csrf(form),
        send="review",
    )
    refused = editor.post("/editor/pathways/stalking/edit", data=data)
    assert refused.status_code == 400
    assert "no directory service &#39;made-up-line&#39;" in refused.text


def _set_reviewed(url: str, pathway_id: str, reviewed: str | None) -> None:
    with session_scope(url) as session:
        data = get_pathway_dict(session, pathway_id)
        data["reviewed"] = reviewed
        write_pathway(session, data)


def test_the_list_shows_pathways_not_reviewed_in_12_months_first(clients, directory_url):
    listing = clients["editor"].get("/editor/pathways").text
    assert 'data-testid="review-due"' not in listing  # the seed was reviewed on 2026-12-01
    _set_reviewed(directory_url, "stalking", "2025-12-01")  # exactly 12 months ago: due
    _set_reviewed(directory_url, "housing", None)  # never reviewed: due, and listed first
    _set_reviewed(directory_url, "clares-law", "2025-12-02")  # 12 months less a day: not due

    listing = clients["editor"].get("/editor/pathways").text
    due = re.search(r'data-testid="review-due">(.*?)</div>', listing, re.S).group(1)
    assert "Not reviewed in the last 12 months" in due
    due_ids = re.findall(r'href="/editor/pathways/([a-z0-9-]+)"', due)
    assert due_ids == ["housing", "stalking"]
    assert "never reviewed" in due and "last reviewed 2025-12-01" in due
    table = listing[listing.index("<table") :]
    rows = re.findall(r'<tr>\s*<td><a href="/editor/pathways/([a-z0-9-]+)"', table)
    assert rows[:2] == ["housing", "stalking"] and len(rows) == 13
    assert table.count("review due") == 2

    page = clients["editor"].get("/editor/pathways/stalking").text
    assert "review due: not reviewed in the last 12 months" in page
    page = clients["editor"].get("/editor/pathways/clares-law").text
    assert "2025-12-02" in page and "review due" not in page


def test_the_view_lists_each_source_with_its_read_date(clients):
    page = clients["editor"].get("/editor/pathways/forced-marriage").text
    assert 'href="https://www.gov.uk/apply-forced-marriage-protection-order"' in page
    assert "(read 2026-12-01" in page and "the page shows: updated 13 April 2023" in page
    assert 'Reviewed</dt><dd data-testid="reviewed">2026-12-01' in page


def test_a_source_without_a_read_date_is_refused_beside_the_form(clients):
    editor = clients["editor"]
    form = editor.get("/editor/pathways/stalking/edit").text
    data = {
        name: _textarea(form, name)
        for name in ("situation", "applies_to", "legal_duty", "unsourced", "steps", "thresholds")
        + ("forms", "contacts")
    }
    data.update(
        title="Stalking",
        status="active",
        reviewed=_input(form, "reviewed"),
        sources="- url: https://example.org/page\n  title: A page\n  supports: everything\n",
        base_version="1",
        csrf_token=_csrf(form),
        send="review",
    )
    refused = editor.post("/editor/pathways/stalking/edit", data=data)
    assert refused.status_code == 400
    assert "sources[0].read" in refused.text
