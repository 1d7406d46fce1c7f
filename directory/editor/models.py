"""The editor's tables, on the directory's declarative Base (migrations 0002_editor and
0006_editor_audit).

Drafts and audit events are generic (entity_type + entity_id + payload dict), so other
editable things (e.g. referral pathways) reuse the same review and audit machinery.

The audit trail is a hash chain: every AuditEvent inserted through the ORM is given the hash
of the event before it and a hash of its own content (`_chain_audit_event`), so
`python -m directory.editor verify-audit` can show an event that was changed or deleted.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator

from directory.models import Base, utcnow

ROLES = ("editor", "reviewer", "analyst")  # analyst: the insight dashboard only


class JSONText(TypeDecorator):
    """JSON stored as text: the same on SQLite and PostgreSQL, and readable in a dump."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)

    def process_result_value(self, value, dialect):
        return None if value is None else json.loads(value)


class Maintainer(Base):
    __tablename__ = "editor_maintainer"
    id = Column(Integer, primary_key=True)
    email = Column(String(320), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class EditorSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored, so
    logging out (or expiry) really ends the session, even if a cookie was copied."""

    __tablename__ = "editor_session"
    token_hash = Column(String(64), primary_key=True)
    maintainer_id = Column(ForeignKey("editor_maintainer.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_seen_at = Column(DateTime, nullable=False, default=utcnow)
    maintainer = relationship("Maintainer")


class LoginFailure(Base):
    """Failed sign-ins, counted per account for progressive delays. `key` is a hash of the
    email typed, never the email itself: it may be a mistyped password."""

    __tablename__ = "editor_login_failure"
    id = Column(Integer, primary_key=True)
    key = Column(String(400), nullable=False, index=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)


class ChangeRequest(Base):
    """A proposed change to one entity: draft -> in_review -> published (or rejected).

    `payload` is the whole proposed entity as a dict (the directory's serialiser format);
    `base_version` is the entity's version when the proposal was started, so publishing a
    change made against an older version is refused instead of overwriting someone's work.
    `open_key` is set while the request is open and unique: one open proposal per entity.
    `revision` counts saves of the draft itself, for the same stale-save check.
    """

    __tablename__ = "editor_change"
    id = Column(Integer, primary_key=True)
    entity_type = Column(String(40), nullable=False)
    entity_id = Column(String(200), nullable=False, index=True)
    kind = Column(String(16), nullable=False)  # create | update | retire | restore
    payload = Column(JSONText, nullable=False)
    base = Column(JSONText)  # the published entity when the proposal started (None: new)
    base_version = Column(Integer)
    status = Column(String(16), nullable=False, default="draft")
    open_key = Column(String(260), unique=True)
    revision = Column(Integer, nullable=False, default=1)
    author_id = Column(ForeignKey("editor_maintainer.id"), nullable=False)
    reviewer_id = Column(ForeignKey("editor_maintainer.id"))
    review_note = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow)
    decided_at = Column(DateTime)
    author = relationship("Maintainer", foreign_keys=[author_id])
    reviewer = relationship("Maintainer", foreign_keys=[reviewer_id])


class AuditEvent(Base):
    """Who did what to which entity, and when, with a field-level diff. About services and
    maintainers, never about survivors, so it is kept. Append-only: the database refuses
    updates and deletes (0006_editor_audit), and the hash chain shows any that got through."""

    __tablename__ = "editor_audit_event"
    id = Column(Integer, primary_key=True)
    entity_type = Column(String(40), nullable=False)
    entity_id = Column(String(200), nullable=False)
    action = Column(String(32), nullable=False)
    actor_id = Column(ForeignKey("editor_maintainer.id"))
    change_id = Column(ForeignKey("editor_change.id"))
    changes = Column(JSONText, nullable=False, default=list)  # [{field, before, after}]
    note = Column(Text)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    prev_hash = Column(String(64), nullable=False, unique=True)  # unique: the chain never forks
    hash = Column(String(64), nullable=False)
    actor = relationship("Maintainer")
    __table_args__ = (Index("ix_editor_audit_event_entity", "entity_type", "entity_id"),)


class AuditHead(Base):
    """The one row (id 1) holding the newest audit event's hash and the number of events.
    Every audit insert updates it first, so writers take turns (a row lock on PostgreSQL, the
    write lock on SQLite) and verify-audit can tell when the newest events were deleted."""

    __tablename__ = "editor_audit_head"
    id = Column(Integer, primary_key=True)
    count = Column(Integer, nullable=False)
    hash = Column(String(64), nullable=False)


GENESIS_HASH = "0" * 64  # the "previous hash" of the first event


def audit_hash(prev_hash: str, row) -> str:
    """The hash of one event's content and the hash before it. Version 1 of the format:
    changing it would break every stored chain, so a new format needs a new version."""
    content = {
        "v": 1,
        "prev_hash": prev_hash,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "action": row.action,
        "actor_id": row.actor_id,
        "change_id": row.change_id,
        # As stored and read back (JSONText), so the hash is the same before and after.
        "changes": json.loads(JSONText().process_bind_param(row.changes, None)),
        "note": row.note,
        "at": row.at.isoformat(sep=" ", timespec="microseconds"),
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@event.listens_for(AuditEvent, "before_insert")
def _chain_audit_event(_mapper, connection, target: AuditEvent) -> None:
    # Column defaults are applied after this hook, and they are part of the hash.
    target.at = target.at or utcnow()
    target.changes = target.changes or []
    target.entity_id = str(target.entity_id)
    head = AuditHead.__table__
    # Update the head row before reading it: that takes the lock, so no other writer reads the
    # same previous hash until this transaction ends.
    moved = connection.execute(
        update(head).where(head.c.id == 1).values(count=head.c.count + 1)
    ).rowcount
    if not moved:  # a database made without the migrations
        connection.execute(insert(head).values(id=1, count=1, hash=GENESIS_HASH))
    target.prev_hash = connection.execute(select(head.c.hash).where(head.c.id == 1)).scalar_one()
    target.hash = audit_hash(target.prev_hash, target)
    connection.execute(update(head).where(head.c.id == 1).values(hash=target.hash))


EDITOR_TABLES = [
    Maintainer.__table__,
    EditorSession.__table__,
    LoginFailure.__table__,
    ChangeRequest.__table__,
    AuditEvent.__table__,
]
