"""Import and export from the editor: preview first, then a reviewer applies all or nothing."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from directory import db
from directory.editor.models import AuditEvent
from directory.models import Service
from tests.editor.helpers import csrf_from, page_form

HELPLINE = "national-domestic-abuse-helpline"
NEW_NUMBER = "020 7946 0123"


def export_rows(client) -> list[dict]:
    response = client.get("/editor/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.text)))


def as_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(client, content: bytes, format: str = "csv", name: str = "update.csv"):
    form = page_form(client.get("/editor/transfer").text, "/import")
    data = {"csrf_token": form["csrf_token"], "format": format, "file": (io.BytesIO(content), name)}
    return client.post("/editor/import", data=data, content_type="multipart/form-data")


def phones(database_url, service_id=HELPLINE):
    with db.session_scope(database_url) as session:
        return [p.number for p in session.get(Service, service_id).phones]


def apply(client, location: str):
    """Posts the page's apply button, with the revision it carries (a reviewer's page has one;
    an editor's has none, and is refused anyway)."""
    page = client.get(location).text
    match = re.search(r'name="revision" value="(\d+)"', page)
    data = {"csrf_token": csrf_from(page), "revision": match.group(1) if match else ""}
    return client.post(f"{location}/apply", data=data)


def test_export_both_formats(as_editor):
    rows = export_rows(as_editor)
    assert {r["id"] for r in rows} == {HELPLINE, "wgn-advice-line"}
    hsds = as_editor.get("/editor/export.hsds-json")
    assert hsds.status_code == 200 and hsds.json["hsds_version"] == "3.0"
    assert as_editor.get("/editor/export.xml").status_code == 404


def test_import_previews_then_a_second_reviewer_applies(as_editor, as_reviewer, database_url):
    rows = export_rows(as_editor)
    for row in rows:
        if row["id"] == HELPLINE:
            row["phones"] = row["phones"].replace("0808 2000 247", NEW_NUMBER)
    response = upload(as_editor, as_csv(rows))
    assert response.status_code == 302
    location = response.headers["Location"]
    preview = as_editor.get(location).text
    assert "0 added, 1 changed, 0 retired, 1 unchanged" in preview
    assert NEW_NUMBER in preview and "0808 2000 247" in preview
    assert phones(database_url) == ["0808 2000 247"]  # the preview wrote nothing

    assert apply(as_editor, location).status_code == 403  # editors cannot apply
    assert phones(database_url) == ["0808 2000 247"]
    assert apply(as_reviewer, location).status_code == 302
    assert phones(database_url) == [NEW_NUMBER]
    assert "applied" in as_reviewer.get(location).text
    with db.session_scope(database_url) as session:
        event = session.execute(
            select(AuditEvent).where(AuditEvent.action == "imported")
        ).scalar_one()
        assert event.entity_id == HELPLINE and event.actor.email == "reviewer@example.org"
        assert {"field": "phones 1.number", "before": "0808 2000 247", "after": NEW_NUMBER} in (
            event.changes
        )


def test_a_reviewer_cannot_apply_their_own_upload(as_reviewer, database_url):
    rows = export_rows(as_reviewer)
    rows[0]["name"] = rows[0]["name"] + " (renamed)"
    location = upload(as_reviewer, as_csv(rows)).headers["Location"]
    assert apply(as_reviewer, location).status_code == 403


def test_a_file_with_any_error_imports_nothing(as_editor, as_reviewer, database_url):
    rows = export_rows(as_editor)
    for row in rows:
        if row["id"] == HELPLINE:
            row["phones"] = NEW_NUMBER  # valid
        else:
            row["phones"] = "0808 000"  # not a phone number
    location = upload(as_editor, as_csv(rows)).headers["Location"]
    preview = as_editor.get(location).text
    assert "cannot be imported" in preview and "phones" in preview
    apply(as_reviewer, location)
    assert phones(database_url) == ["0808 2000 247"]  # all or nothing


def test_applying_a_stale_preview_is_refused(as_editor, as_reviewer, database_url):
    rows = export_rows(as_editor)
    for row in rows:
        if row["id"] == HELPLINE:
            row["phones"] = row["phones"].replace("0808 2000 247", NEW_NUMBER)
    location = upload(as_editor, as_csv(rows)).headers["Location"]
    # The entry changes after the preview was made.
    with db.session_scope(database_url) as session:
        session.get(Service, HELPLINE).hours = "Changed meanwhile"
        session.get(Service, HELPLINE).version += 1
    response = apply(as_reviewer, location)
    assert response.status_code == 302
    assert "changed since this preview" in as_reviewer.get(location).text
    assert phones(database_url) == ["0808 2000 247"]


def test_a_file_that_is_not_text_is_refused(as_editor):
    response = upload(as_editor, b"\xff\xfe\x00garbage")
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_an_upload_needs_a_file(as_editor):
    token = csrf_from(as_editor.get("/editor/transfer").text)
    response = as_editor.post("/editor/import", data={"csrf_token": token, "format": "csv"})
    assert response.status_code == 400
    assert 'id="file-error"' in response.text
