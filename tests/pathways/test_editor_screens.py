"""The maintainers' pathway screens, through Flask's test client with CSRF on: edit a step,
send it for review, a reviewer publishes it, and the bot's answer has the new step."""

from __future__ import annotations

import re

import pytest

import directory.web.pathways_editor  # noqa: F401  (registers the routes; see the report)
from directory.db import session_scope
from directory.editor.accounts import create_maintainer, start_session
from directory.pathways.answers import pathway_answers
from directory.web import create_app
from directory.web.editor.auth import SESSION_KEY

NEW_STEP = "Check the school's own Operation Encompass log before calling the family."


@pytest.fixture
def clients(directory_url):
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "test-only-key", "DIRECTORY_DATABASE_URL": directory_url}
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


def test_list_and_view_show_every_pathway_with_a_bot_preview(clients):
    listing = clients["editor"].get("/editor/pathways")
    assert listing.status_code == 200
    assert listing.text.count('href="/editor/pathways/') == 13
    page = clients["editor"].get("/editor/pathways/domestic-abuse-high-risk")
    assert page.status_code == 200
    assert "Westminster MARAC: no number listed" in page.text


def test_an_edit_goes_through_review_before_the_bot_uses_it(clients, directory_url):
    editor, reviewer = clients["editor"], clients["reviewer"]
    form = editor.get("/editor/pathways/children-at-risk/edit").text
    fields = {
        name: _textarea(form, name)
        for name in ("situation", "applies_to", "legal_duty", "source", "steps", "thresholds")
        + ("forms", "contacts")
    }
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
        f"{change_url}/publish", data={"csrf_token": _csrf(change_page), "note": ""}
    )
    assert published.status_code == 302
    (after,) = pathway_answers(["children-at-risk"], None, directory_url)
    assert after.steps[-1] == NEW_STEP
    assert after.title == before.title and after.contacts == before.contacts


def test_a_made_up_service_id_is_refused_beside_the_form(clients):
    editor = clients["editor"]
    form = editor.get("/editor/pathways/stalking/edit").text
    contacts = _textarea(form, "contacts").replace("national-stalking-helpline", "made-up-line")
    data = {
        name: _textarea(form, name)
        for name in ("situation", "applies_to", "legal_duty", "source", "steps", "thresholds")
        + ("forms",)
    }
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
