"""The audit trail is append-only: the database refuses changes, and `verify-audit` names the
first event that was changed or deleted anyway (on SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from directory import db
from directory.editor import audit
from directory.editor.accounts import create_maintainer, set_role
from directory.editor.models import AuditEvent, AuditHead
from tests.editor.helpers import PASSWORD
from tests.editor.test_accounts import run_cli


@pytest.fixture(params=["sqlite", "postgresql"])
def trail(request, database_url):
    """A database whose trail holds a few events, recorded through the ORM as the app does."""
    url = database_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    if request.param == "postgresql":
        db.upgrade(url)
    with db.session_scope(url) as session:
        for n in range(3):
            create_maintainer(session, f"chain{n}@example.org", PASSWORD, "editor")
        set_role(session, "chain0@example.org", "reviewer")
    return url


def ids(url) -> list[int]:
    with db.session_scope(url) as session:
        return list(session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars())


def tamper(url, statement: str, **params) -> None:
    """What someone with the database owner's rights could do: drop the guard, then edit."""
    engine = db.get_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE editor_audit_event DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER editor_audit_no_update"))
            connection.execute(text("DROP TRIGGER editor_audit_no_delete"))
        connection.execute(text(statement), params)


def verify(url):
    return run_cli(url, "verify-audit")


def test_an_intact_trail_verifies_with_its_count(trail):
    result = verify(trail)
    assert result.returncode == 0, result.stderr
    assert f"audit trail intact: {len(ids(trail))} events" in result.stdout


def test_the_database_refuses_to_change_or_delete_an_event(trail):
    engine = db.get_engine(trail)
    for statement in (
        "UPDATE editor_audit_event SET note = 'edited'",
        "DELETE FROM editor_audit_event",
    ):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    assert verify(trail).returncode == 0


def test_a_changed_event_is_named(trail):
    victim = ids(trail)[1]
    tamper(trail, "UPDATE editor_audit_event SET note = 'nothing to see' WHERE id = :id", id=victim)
    result = verify(trail)
    assert result.returncode == 1
    assert f"broken at event {victim} " in result.stderr
    assert "content was changed" in result.stderr


def test_a_changed_event_with_its_hash_recomputed_breaks_the_next_link(trail):
    first, second = ids(trail)[:2]
    with db.session_scope(trail) as session:
        event = session.get(AuditEvent, first)
        columns = {c.key: getattr(event, c.key) for c in AuditEvent.__table__.columns}
        forged = audit.audit_hash(
            event.prev_hash, SimpleNamespace(**columns | {"action": "forged"})
        )
    tamper(
        trail,
        "UPDATE editor_audit_event SET action = 'forged', hash = :hash WHERE id = :id",
        hash=forged,
        id=first,
    )
    result = verify(trail)
    assert result.returncode == 1 and f"broken at event {second} " in result.stderr
    assert "the event before it was deleted or changed" in result.stderr


def test_a_deleted_event_is_named_by_the_one_after_it(trail):
    all_ids = ids(trail)
    tamper(trail, "DELETE FROM editor_audit_event WHERE id = :id", id=all_ids[2])
    result = verify(trail)
    assert result.returncode == 1
    assert f"broken at event {all_ids[3]} " in result.stderr


def test_deleting_the_newest_events_shows_too(trail):
    all_ids = ids(trail)
    tamper(trail, "DELETE FROM editor_audit_event WHERE id = :id", id=all_ids[-1])
    result = verify(trail)
    assert result.returncode == 1
    assert f"the chain ends at event {all_ids[-2]}" in result.stderr
    assert f"{len(all_ids)} events were recorded" in result.stderr


def test_writers_at_the_same_time_keep_one_chain(trail):
    errors = []

    def write(n: int) -> None:
        try:
            for i in range(8):
                with db.session_scope(trail) as session:
                    audit.record_event(session, "test", f"{n}-{i}", "tested", None)
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with db.session_scope(trail) as session:
        verdict = audit.verify(session)
        total = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        assert verdict.intact, verdict.problem
        assert verdict.count == total == session.get(AuditHead, 1).count
        assert total >= 32


def test_events_recorded_before_the_chain_existed_are_chained_by_the_migration(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db.upgrade(url, "0006_editor_audit-1")
    with db.get_engine(url).begin() as connection:
        for n, at in enumerate(("2025-01-02 03:04:05.000006", "2025-01-03 00:00:00.000000")):
            connection.execute(
                text(
                    "INSERT INTO editor_audit_event (entity_type, entity_id, action, changes, at)"
                    " VALUES ('service', :id, 'published', :changes, :at)"
                ),
                {
                    "id": f"old-{n}",
                    "changes": '[{"after": "é", "before": 1, "field": "x"}]',
                    "at": at,
                },
            )
    db.upgrade(url)
    with db.session_scope(url) as session:
        audit.record_event(session, "test", "new", "tested", None)
    result = verify(url)
    assert result.returncode == 0, result.stderr
    assert "intact: 3 events" in result.stdout
