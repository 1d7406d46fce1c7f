"""The editor's tables, on the directory's declarative Base (migration 0002_editor).

Drafts and audit events are generic (entity_type + entity_id + payload dict), so other
editable things (e.g. referral pathways) reuse the same review and audit machinery.
"""

from __future__ import annotations

import json

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship
from sqlalchemy.types import TypeDecorator

from directory.models import Base, utcnow

ROLES = ("editor", "reviewer")


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
    """Failed sign-ins, counted per email and per client address for rate limiting."""

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
    """Who did what to which entity, and when, with a field-level diff. About services,
    never about survivors, so it is kept."""

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
    actor = relationship("Maintainer")
    __table_args__ = (Index("ix_editor_audit_event_entity", "entity_type", "entity_id"),)


EDITOR_TABLES = [
    Maintainer.__table__,
    EditorSession.__table__,
    LoginFailure.__table__,
    ChangeRequest.__table__,
    AuditEvent.__table__,
]
