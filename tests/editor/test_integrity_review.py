"""A reviewer publishes, rejects or applies only what they were shown: each form carries the
proposal's revision, and a proposal saved again since is refused, with nothing changed."""

from __future__ import annotations

import csv
import io
from html import unescape

from sqlalchemy import select, update

from directory import db
from directory.editor.models import AuditEvent, ChangeRequest
from directory.models import Service
from tests.editor.helpers import edit_form, page_form

HELPLINE = "national-domestic-abuse-helpline"
SEEN = "020 7946 0123"  # Ofcom's drama ranges: valid, and nobody's real numbers
UNSEEN = "020 7946 0999"
MOVED_ON = "This proposal was changed after you opened it."


def propose(client, number: str) -> str:
    """Saves the editor's phone change and sends it for review; returns the proposal's path."""
    form = edit_form(client, HELPLINE)
    form["phones-0-number"] = number
    form["send"] = "review"
    response = client.post(f"/editor/services/{HELPLINE}/edit", data=form)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def state(database_url) -> tuple[list[str], str, int, str | None]:
    with db.session_scope(database_url) as session:
        phones = [p.number for p in session.get(Service, HELPLINE).phones]
        change = session.execute(
            select(ChangeRequest).where(ChangeRequest.entity_id == HELPLINE)
        ).scalar_one()
        return phones, change.status, change.revision, change.review_note


def decisions(database_url) -> list[str]:
    with db.session_scope(database_url) as session:
        return list(
            session.execute(
                select(AuditEvent.action).where(
                    AuditEvent.entity_id == HELPLINE,
                    AuditEvent.action.in_(("published", "rejected")),
                )
            ).scalars()
        )


def test_publish_is_refused_when_the_proposal_changed_after_the_reviewer_opened_it(
    as_editor, as_reviewer, database_url
):
    change = propose(as_editor, SEEN)
    opened = as_reviewer.get(change).text
    assert SEEN in opened
    read = page_form(opened, "/publish")  # what the reviewer's browser will submit
    assert read["revision"] == "1"

    propose(as_editor, UNSEEN)  # saved and sent for review again, after the reviewer opened it
    assert state(database_url)[1:3] == ("in_review", 2)

    refused = as_reviewer.post(f"{change}/publish", data=read, follow_redirects=True)
    assert refused.status_code == 200
    page = unescape(refused.text)
    assert f"Not published. {MOVED_ON}" in page
    assert UNSEEN in page  # the reviewer is shown the new version
    assert state(database_url) == (["0808 2000 247"], "in_review", 2, None)
    assert decisions(database_url) == []

    # Having read the new version, the reviewer can publish it.
    again = page_form(as_reviewer.get(change).text, "/publish")
    assert again["revision"] == "2"
    assert as_reviewer.post(f"{change}/publish", data=again).status_code == 302
    assert state(database_url)[:2] == ([UNSEEN], "published")
    assert decisions(database_url) == ["published"]


def test_reject_is_refused_when_the_proposal_changed_after_the_reviewer_opened_it(
    as_editor, as_reviewer, database_url
):
    change = propose(as_editor, SEEN)
    read = page_form(as_reviewer.get(change).text, "/publish")
    read["note"] = "That is not their number"
    propose(as_editor, UNSEEN)

    refused = as_reviewer.post(f"{change}/reject", data=read, follow_redirects=True)
    assert f"Not rejected. {MOVED_ON}" in unescape(refused.text)
    assert UNSEEN in refused.text
    assert state(database_url) == (["0808 2000 247"], "in_review", 2, None)
    assert decisions(database_url) == []


def test_a_decision_that_does_not_say_what_was_read_is_refused(
    as_editor, as_reviewer, database_url
):
    change = propose(as_editor, SEEN)
    form = page_form(as_reviewer.get(change).text, "/publish")
    del form["revision"]
    refused = as_reviewer.post(f"{change}/publish", data=form, follow_redirects=True)
    assert MOVED_ON in unescape(refused.text)
    assert state(database_url) == (["0808 2000 247"], "in_review", 1, None)


def test_a_publish_racing_a_save_loses_at_the_last_step(
    as_editor, as_reviewer, database_url, monkeypatch
):
    """The editor's save commits after the reviewer's revision check but before publishing
    writes: the compare-and-set on the proposal row refuses, and the entry is rolled back."""
    from directory.editor.services import SERVICES

    change = propose(as_editor, SEEN)
    read = page_form(as_reviewer.get(change).text, "/publish")
    real_validate = SERVICES.validate
    saves = []

    def validate_while_the_editor_saves(session, payload):
        if not saves:  # another request, committed first
            with db.session_scope(database_url) as other:
                other.execute(update(ChangeRequest).values(revision=ChangeRequest.revision + 1))
            saves.append(1)
        return real_validate(session, payload)

    monkeypatch.setattr(SERVICES, "validate", validate_while_the_editor_saves)
    refused = as_reviewer.post(f"{change}/publish", data=read, follow_redirects=True)
    assert "Not published. This proposal was changed or decided by someone else" in refused.text
    assert state(database_url) == (["0808 2000 247"], "in_review", 2, None)
    assert decisions(database_url) == []


# --- import apply -------------------------------------------------------------------------------


def upload_changed_phone(client) -> str:
    rows = list(csv.DictReader(io.StringIO(client.get("/editor/export.csv").text)))
    for row in rows:
        if row["id"] == HELPLINE:
            row["phones"] = row["phones"].replace("0808 2000 247", SEEN)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    form = page_form(client.get("/editor/transfer").text, "/import")
    response = client.post(
        "/editor/import",
        data={
            "csrf_token": form["csrf_token"],
            "format": "csv",
            "file": (io.BytesIO(out.getvalue().encode()), "update.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return response.headers["Location"]


def apply_form(client, location: str):
    return page_form(client.get(location).text, "/apply")


def import_status(database_url) -> tuple[str, list[str]]:
    with db.session_scope(database_url) as session:
        proposal = session.execute(
            select(ChangeRequest).where(ChangeRequest.entity_type == "import")
        ).scalar_one()
        return proposal.status, [p.number for p in session.get(Service, HELPLINE).phones]


def test_import_apply_carries_the_revision_and_is_refused_when_it_moved_on(
    as_editor, as_reviewer, database_url
):
    location = upload_changed_phone(as_editor)
    read = apply_form(as_reviewer, location)
    assert read["revision"] == "1"
    with db.session_scope(database_url) as session:  # the import proposal moves on
        session.execute(update(ChangeRequest).values(revision=2))

    refused = as_reviewer.post(f"{location}/apply", data=read, follow_redirects=True)
    assert f"Nothing was imported. {MOVED_ON}" in unescape(refused.text)
    assert import_status(database_url) == ("draft", ["0808 2000 247"])

    del read["revision"]
    as_reviewer.post(f"{location}/apply", data=read)
    assert import_status(database_url) == ("draft", ["0808 2000 247"])

    applied = as_reviewer.post(f"{location}/apply", data=apply_form(as_reviewer, location))
    assert applied.status_code == 302
    assert import_status(database_url) == ("published", [SEEN])


def test_an_import_applied_twice_writes_once(as_editor, as_reviewer, as_reviewer2, database_url):
    location = upload_changed_phone(as_editor)
    first, second = apply_form(as_reviewer, location), apply_form(as_reviewer2, location)
    assert as_reviewer.post(f"{location}/apply", data=first).status_code == 302
    page = as_reviewer2.post(f"{location}/apply", data=second, follow_redirects=True).text
    assert "already been applied" in page
    with db.session_scope(database_url) as session:
        imported = session.execute(
            select(AuditEvent).where(AuditEvent.action == "imported")
        ).scalars()
        assert len(list(imported)) == 1
