"""The audit trail records sign-ins, their failures and delays, sign-outs, account changes and
import uploads and discards, through the real routes and CLI, and never a password."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, text

from directory import db
from directory.editor.accounts import FREE_FAILURES
from directory.editor.audit import UNKNOWN_ACCOUNT
from directory.editor.models import AuditEvent, utcnow
from tests.editor.helpers import PASSWORD, csrf_from, login
from tests.editor.test_accounts import run_cli
from tests.editor.test_transfer import as_csv, export_rows, upload

WRONG = "wrong password, not it"


def events(database_url, entity_type=None) -> list[AuditEvent]:
    with db.session_scope(database_url) as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if entity_type:
            query = query.where(AuditEvent.entity_type == entity_type)
        found = list(session.execute(query).scalars())
        session.expunge_all()
        return found


def actions(database_url, entity_type="maintainer") -> list[tuple[str, str]]:
    return [(e.entity_id, e.action) for e in events(database_url, entity_type)]


def new_events(database_url, before: int) -> list[AuditEvent]:
    return [e for e in events(database_url) if e.id > before]


def last_id(database_url) -> int:
    found = events(database_url)
    return found[-1].id if found else 0


def test_sign_in_failure_and_sign_out_are_recorded_with_who_and_from_where(app, database_url):
    start = last_id(database_url)
    client = app.test_client()
    assert login(client, "editor@example.org", WRONG).status_code == 401
    assert login(client, "editor@example.org").status_code == 302
    client.post("/editor/logout", data={"csrf_token": csrf_from(client.get("/editor/").text)})

    recorded = new_events(database_url, start)
    assert [(e.entity_id, e.action) for e in recorded] == [
        ("editor@example.org", "sign-in failed"),
        ("editor@example.org", "signed in"),
        ("editor@example.org", "signed out"),
    ]
    failed, signed_in, signed_out = recorded
    assert "wrong password" in failed.note and "127.0.0.1" in failed.note
    assert failed.actor_id is None  # nobody proved who they were
    assert signed_in.actor_id == signed_out.actor_id is not None
    assert "127.0.0.1" in signed_in.note


def test_a_failed_sign_in_for_no_account_never_records_the_email(app, database_url):
    start = last_id(database_url)
    typed = "correct-horse-battery@example.org"  # could be a password typed in the wrong box
    assert login(app.test_client(), typed, WRONG).status_code == 401
    [event] = new_events(database_url, start)
    assert (event.entity_id, event.action) == (UNKNOWN_ACCOUNT, "sign-in failed")
    assert "no such account" in event.note
    assert typed not in dump(database_url)


def test_delays_are_recorded_when_they_start(app, database_url):
    now = utcnow()
    app.config["EDITOR_CLOCK"] = lambda: now
    start = last_id(database_url)
    client = app.test_client()
    for _ in range(FREE_FAILURES):
        login(client, "reviewer@example.org", WRONG)
    recorded = [(e.entity_id, e.action) for e in new_events(database_url, start)]
    assert recorded == [("reviewer@example.org", "sign-in failed")] * FREE_FAILURES + [
        ("reviewer@example.org", "sign-in delayed")
    ]
    assert "next try in 2 s" in new_events(database_url, start)[-1].note


def test_no_password_is_ever_written_to_the_database(app, database_url):
    client = app.test_client()
    login(client, "editor@example.org", WRONG)
    login(client, "editor@example.org")
    new = "a completely new passphrase"
    assert run_cli(database_url, "set-password", "editor@example.org", stdin=new).returncode == 0
    everything = dump(database_url)
    for password in (WRONG, PASSWORD, new):
        assert password not in everything


def test_account_changes_on_the_command_line_are_recorded(database_url):
    start = last_id(database_url)
    email = "new.maintainer@example.org"
    steps = [
        ("create-maintainer", email, "--role", "editor"),
        ("set-role", email, "--role", "reviewer"),
        ("set-password", email),
        ("deactivate", email),
    ]
    for step in steps:
        result = run_cli(database_url, *step, stdin="another long passphrase\n")
        assert result.returncode == 0, result.stderr
    recorded = new_events(database_url, start)
    assert [(e.entity_id, e.action) for e in recorded] == [
        (email, "created"),
        (email, "role changed"),
        (email, "password changed"),
        (email, "deactivated"),
    ]
    assert all(e.note == "on the command line" and e.actor_id is None for e in recorded)
    assert recorded[1].changes == [{"field": "role", "before": "editor", "after": "reviewer"}]
    # Setting the role it already has changes nothing and records nothing.
    assert run_cli(database_url, "set-role", email, "--role", "reviewer").returncode == 0
    assert last_id(database_url) == recorded[-1].id


def test_import_uploads_and_discards_are_recorded(as_editor, database_url):
    start = last_id(database_url)
    response = upload(as_editor, as_csv(export_rows(as_editor)), name="whole.csv")
    location = response.headers["Location"]
    token = csrf_from(as_editor.get(location).text)
    assert as_editor.post(f"{location}/discard", data={"csrf_token": token}).status_code == 302
    recorded = new_events(database_url, start)
    assert [(e.entity_type, e.entity_id, e.action) for e in recorded] == [
        ("import", "whole.csv", "uploaded"),
        ("import", "whole.csv", "discarded"),
    ]
    import_id = int(location.rstrip("/").rsplit("/", 1)[-1])
    assert {e.change_id for e in recorded} == {import_id}
    assert "0 added, 0 changed" in recorded[0].note
    # Discarding again changes nothing and records nothing.
    as_editor.post(f"{location}/discard", data={"csrf_token": token})
    assert last_id(database_url) == recorded[-1].id


def test_only_the_uploader_or_a_reviewer_may_discard_an_import(
    as_editor, as_reviewer, as_reviewer2, database_url
):
    location = upload(as_reviewer, as_csv(export_rows(as_reviewer))).headers["Location"]
    token = csrf_from(as_editor.get(location).text)
    refused = as_editor.post(f"{location}/discard", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "Only the maintainer who uploaded this import, or a reviewer" in refused.text
    assert import_status(as_editor, location) == "not applied"
    token = csrf_from(as_reviewer2.get(location).text)
    assert as_reviewer2.post(f"{location}/discard", data={"csrf_token": token}).status_code == 302
    assert import_status(as_reviewer2, location) == "discarded"

    # The uploader may discard their own, even as an editor.
    mine = upload(as_editor, as_csv(export_rows(as_editor))).headers["Location"]
    token = csrf_from(as_editor.get(mine).text)
    assert as_editor.post(f"{mine}/discard", data={"csrf_token": token}).status_code == 302
    assert import_status(as_editor, mine) == "discarded"


def test_events_keep_the_time_they_happened(app, database_url):
    before = utcnow() - timedelta(seconds=1)
    login(app.test_client(), "editor@example.org", WRONG)
    [event] = new_events(database_url, last_id(database_url) - 1)
    assert before <= event.at <= utcnow()


def import_status(client, location: str) -> str:
    page = client.get(location).text
    return re.search(r'data-testid="import-status">([^<]+)<', page).group(1)


def dump(database_url) -> str:
    """Every text value in every table, for checking what was never stored."""
    from sqlalchemy import inspect

    engine = db.get_engine(database_url)
    out = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                out.extend(str(value) for value in row)
    return "\n".join(out)
