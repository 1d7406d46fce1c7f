"""What makes an entity editable: the adapter each entity type implements (services and
referral pathways: directory.editor.services and directory.editor.pathways, listed in
directory.editor.adapters), the errors the workflow raises, and the compare-and-set on an
entity's version that every adapter's `apply` starts with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session


class EntityAdapter(Protocol):
    entity_type: str  # e.g. "service"
    noun: str  # shown to people, e.g. "service"
    ignored_fields: frozenset[str]  # bookkeeping left out of diffs and merges (e.g. version)
    retired_status: str  # the status a retired entity has (services and pathways differ)

    def current(self, session: Session, entity_id: str) -> dict | None: ...
    def version(self, session: Session, entity_id: str) -> int | None: ...
    def validate(self, session: Session, payload: dict) -> dict[str, list[str]]: ...
    def apply(self, session: Session, entity_id: str, payload: dict, expected_version) -> None: ...
    def title(self, payload: dict) -> str: ...


class ChangeError(Exception):
    """The change cannot be made; the message says why and is safe to show."""


class StaleError(ChangeError):
    """Someone else changed the entity or the draft since this form was opened."""


class PermissionDenied(ChangeError):
    pass


@dataclass
class Conflict(ChangeError):
    fields: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            "The published entry changed since this proposal was made, in the same fields: "
            + ", ".join(self.fields)
        )


def claim_version(session: Session, model, entity_id: str, seen: int) -> None:
    """Compare-and-set on an entity's `version`: one conditional UPDATE that succeeds only if the
    row is still at the version this session saw, and holds the row's write lock until commit.

    A SELECT ... FOR UPDATE is not enough: SQLite ignores it, and PostgreSQL waits for the lock
    but then hands back the copy the session had already loaded. A concurrent writer of the
    same row waits here instead (PostgreSQL re-checks the WHERE once the first commits; SQLite
    waits for the database write lock) and gets StaleError.
    """
    claimed = session.execute(
        update(model)
        .where(model.id == entity_id, model.version == seen)
        .values(version=model.version)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise StaleError(
            "Someone else changed this entry just now, so nothing was saved. "
            "Reload the page to see their change, then try again."
        )


def status_payload(adapter: EntityAdapter, current: dict, kind: str) -> dict:
    """The entity retired (kind "retire") or restored ("restore"): only its status changes."""
    return dict(current, status=adapter.retired_status if kind == "retire" else "active")
