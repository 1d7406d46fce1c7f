"""The audit trail's account and security events, and the check that the trail is whole.

Every event, whoever records it (here or `changes.record`), joins the hash chain when it is
inserted (see `directory.editor.models`). `verify` walks the chain in order: an event whose
content no longer matches its hash was changed; an event that does not follow the one before
it means one was deleted (or inserted) in between; a head that does not match the last event
means the newest were deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.editor.models import GENESIS_HASH, AuditEvent, AuditHead, Maintainer, audit_hash

# Who a failed sign-in was for, when the email typed is no account's (it may be a password
# typed in the wrong box, so it is never written down).
UNKNOWN_ACCOUNT = "unknown account"


def record_event(
    session: Session,
    entity_type: str,
    entity_id: str,
    action: str,
    actor: Maintainer | None,
    note: str | None = None,
    change_id: int | None = None,
    changes: list[dict] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        actor_id=actor.id if actor else None,
        change_id=change_id,
        changes=changes or [],
        note=note,
    )
    session.add(event)
    return event


def record_account_event(
    session: Session,
    maintainer: Maintainer | None,
    action: str,
    actor: Maintainer | None = None,
    note: str | None = None,
    changes: list[dict] | None = None,
) -> AuditEvent:
    """An event about a maintainer account (sign-ins, account changes). `maintainer` None:
    an email that is no account's. `actor` None: done on the command line."""
    entity_id = maintainer.email if maintainer else UNKNOWN_ACCOUNT
    return record_event(session, "maintainer", entity_id, action, actor, note, changes=changes)


@dataclass
class Verdict:
    count: int  # events checked and found whole
    head: str  # the newest intact event's hash
    broken_id: int | None = None  # the first event that is not right (None: all are)
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def verify(session: Session) -> Verdict:
    previous, count, last_id = GENESIS_HASH, 0, None
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    for row in session.execute(query).scalars():
        if row.prev_hash != previous:
            return Verdict(count, previous, row.id, "the event before it was deleted or changed")
        if row.hash != audit_hash(row.prev_hash, row):
            return Verdict(count, previous, row.id, "its content was changed after it was recorded")
        previous, count, last_id = row.hash, count + 1, row.id
    head = session.get(AuditHead, 1)
    if head is not None and (head.hash, head.count) != (previous, count):
        end = f"ends at event {last_id}" if last_id else "is empty"
        problem = f"the chain {end}, but {head.count} events were recorded: the newest are missing"
        return Verdict(count, previous, None, problem)
    return Verdict(count, previous)
