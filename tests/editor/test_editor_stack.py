"""A published change reaches the bot on the next message: no retraining, no restart.

Real processes (the lead's `stack` fixture): the web editor and the action server share a
SQLite directory; the question goes through Rasa's REST channel as the widget sends it.
"""

from __future__ import annotations

import uuid

import pytest
import requests
from sqlalchemy import select

from directory import db
from directory.editor.changes import open_change, publish, save_proposal, submit, withdraw
from directory.editor.models import Maintainer
from directory.editor.services import SERVICES
from directory.models import Service
from tests.conftest import new_sender
from tests.editor.helpers import PASSWORD, create_maintainer_with_cli, page_form

pytestmark = pytest.mark.stack

QUESTION = "I need a refuge in Westminster"
SEEDED_NUMBER = "0808 2000 247"


def shown_service_with_phone(database_url: str, reply: str) -> tuple[str, str, str]:
    """(id, name, first phone) of the first service in the bot's reply that shows a phone
    number of its own: the entry whose number the tests change."""
    with db.session_scope(database_url) as session:
        shown = []
        for service in session.execute(select(Service)).scalars():
            if service.phones and service.name in reply and service.phones[0].number in reply:
                shown.append((reply.index(service.name), service.id, service.name))
        assert shown, f"no service with a phone in the reply:\n{reply}"
        _, service_id, name = min(shown)
        return service_id, name, session.get(Service, service_id).phones[0].number


class EditorBrowser:
    """The editor over HTTP, as a browser without JavaScript uses it."""

    def __init__(self, base_url: str, email: str):
        self.base_url = base_url
        self.http = requests.Session()
        page = self.http.get(f"{base_url}/editor/login", timeout=30)
        form = page_form(page.text)
        form["email"], form["password"] = email, PASSWORD
        response = self.post("/editor/login", form)
        assert response.status_code == 302, response.text

    def get(self, path: str):
        return self.http.get(f"{self.base_url}{path}", timeout=30, allow_redirects=False)

    def post(self, path: str, form):
        return self.http.post(
            f"{self.base_url}{path}",
            data=list(form.items(multi=True)),
            timeout=30,
            allow_redirects=False,
        )


def restore_phone(database_url: str, service_id: str, number: str) -> None:
    """Puts the real number back through the same review machinery, so other tests that
    share the stack see the seeded directory."""
    with db.session_scope(database_url) as session:
        author, reviewer = (
            session.execute(select(Maintainer).where(Maintainer.role == role)).scalars().first()
            for role in ("editor", "reviewer")
        )
        left_open = open_change(session, "service", service_id)
        if left_open is not None:  # a test that failed half-way
            withdraw(session, left_open, reviewer)
        current = SERVICES.current(session, service_id)
        if current["phones"][0]["number"] == number:
            return
        current["phones"][0]["number"] = number
        change = save_proposal(
            session, SERVICES, service_id, current, author,
            base_version=SERVICES.version(session, service_id), expected_revision=None,
        )  # fmt: skip
        submit(session, change, author)
        publish(session, change, reviewer, note="test clean-up: the seeded number")


def test_a_published_phone_number_reaches_the_bot_on_the_next_message(stack):
    before = stack.texts(new_sender(), QUESTION)
    assert SEEDED_NUMBER in before, before  # the National Domestic Abuse Helpline's number
    service_id, _name, old_number = shown_service_with_phone(stack.database_url, before)
    new_number = "020 7946 0" + str(uuid.uuid4().int % 1000).zfill(3)  # Ofcom drama range

    tag = uuid.uuid4().hex[:8]
    editor_email, reviewer_email = f"editor-{tag}@example.org", f"reviewer-{tag}@example.org"
    create_maintainer_with_cli(stack.database_url, editor_email, "editor")
    create_maintainer_with_cli(stack.database_url, reviewer_email, "reviewer")
    try:
        editor = EditorBrowser(stack.web_url, editor_email)
        form = page_form(editor.get(f"/editor/services/{service_id}/edit").text)
        assert form["phones-0-number"] == old_number
        form["phones-0-number"] = new_number
        form["send"] = "review"
        saved = editor.post(f"/editor/services/{service_id}/edit", form)
        assert saved.status_code == 302, saved.text
        change_path = saved.headers["Location"].replace(stack.web_url, "")

        # Proposed, not published: the bot still gives the old number.
        proposed = stack.texts(new_sender(), QUESTION)
        assert old_number in proposed and new_number not in proposed

        reviewer = EditorBrowser(stack.web_url, reviewer_email)
        decision = page_form(reviewer.get(change_path).text, "/publish")
        published = reviewer.post(f"{change_path}/publish", decision)
        assert published.status_code == 302, published.text

        # The very next message, with the same trained model and the same processes.
        after = stack.texts(new_sender(), QUESTION)
        assert new_number in after, after
    finally:
        restore_phone(stack.database_url, service_id, old_number)
    assert new_number not in stack.texts(new_sender(), QUESTION)
