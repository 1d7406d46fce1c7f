"""Draft -> review -> publish, and the audit trail, for any editable entity.

An entity type plugs in with an `EntityAdapter` (directory.editor.entities), listed in
directory.editor.adapters.
A proposal stores the whole proposed entity as a dict (`payload`) plus a snapshot of the
published entity it started from (`base`). Publishing is a three-way merge at field level:
fields the proposal did not touch take the current published value (e.g. a "verified today"
made meanwhile); a field both the proposal and someone else changed is a conflict, and
nothing is published. Nothing is ever silently overwritten.

Every decision is a compare-and-set, so two people acting at once can never both win:
- on the proposal: publish and reject name the `revision` the reviewer read, and are refused
  (StaleError, nothing changed) when the proposal has been saved again since;
- on the entity: an adapter's `apply` refuses a stale `expected_version`; `claim_version`
  makes that check and takes the entity's write lock in one conditional UPDATE.

To make another entity editable: implement EntityAdapter, add it to
directory.editor.adapters.ADAPTERS, and save proposals with `save_proposal`. Its `apply`
should start with `claim_version(...)` (see ServiceAdapter). The editor's review
queue, proposal page (diff, publish, reject, withdraw) and audit history then work for it
unchanged; only the edit form is yours.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory.diffs import diff
from directory.editor.adapters import adapter_for
from directory.editor.audit import record_event
from directory.editor.diffs import merge
from directory.editor.entities import (
    ChangeError,
    EntityAdapter,
    PermissionDenied,
    StaleError,
)
from directory.editor.models import AuditEvent, ChangeRequest, Maintainer, utcnow

OPEN_STATUSES = ("draft", "in_review")
KINDS = ("create", "update", "retire", "restore")


PROPOSAL_MOVED_ON = (
    "This proposal was changed after you opened it. "
    "What it changes now is shown below: read it before you decide."
)


# --- Audit --------------------------------------------------------------------------------


def record(
    session: Session,
    entity_type: str,
    entity_id: str,
    action: str,
    actor: Maintainer | None,
    changes: list[dict] | None = None,
    change: ChangeRequest | None = None,
    note: str | None = None,
) -> AuditEvent:
    return record_event(
        session,
        entity_type,
        entity_id,
        action,
        actor,
        note=note,
        change_id=change.id if change else None,
        changes=changes,
    )


def history(session: Session, entity_type: str, entity_id: str) -> list[AuditEvent]:
    return list(
        session.execute(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        ).scalars()
    )


def decide(session: Session, change: ChangeRequest, statuses, revision: int, values: dict):
    """Moves a proposal on only if it is still in one of `statuses` at `revision`; the
    conditional UPDATE makes the check and the change one step."""
    moved = session.execute(
        update(ChangeRequest)
        .where(
            ChangeRequest.id == change.id,
            ChangeRequest.status.in_(statuses),
            ChangeRequest.revision == revision,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        raise StaleError("This proposal was changed or decided by someone else just now.")
    session.refresh(change)


# --- Proposals ----------------------------------------------------------------------------


def open_change(session: Session, entity_type: str, entity_id: str) -> ChangeRequest | None:
    return session.execute(
        select(ChangeRequest).where(ChangeRequest.open_key == f"{entity_type}:{entity_id}")
    ).scalar_one_or_none()


def changes_in(session: Session, statuses=OPEN_STATUSES) -> list[ChangeRequest]:
    return list(
        session.execute(
            select(ChangeRequest)
            .where(ChangeRequest.status.in_(statuses))
            .order_by(ChangeRequest.updated_at.desc())
        ).scalars()
    )


def save_proposal(
    session: Session,
    adapter: EntityAdapter,
    entity_id: str,
    payload: dict,
    author: Maintainer,
    *,
    kind: str = "update",
    base_version: int | None,
    expected_revision: int | None,
    note: str | None = None,
) -> ChangeRequest:
    """Creates or updates the one open proposal for an entity.

    `base_version` is the entity version the form was made from and `expected_revision` the
    draft revision (None when the form started from the published entry). If either has
    moved on since, StaleError: the second of two concurrent saves never overwrites the first.
    """
    if kind not in KINDS:
        raise ChangeError(f"Unknown kind of change: {kind}")
    current_version = adapter.version(session, entity_id)
    if kind == "create":
        if current_version is not None:
            raise ChangeError(f"There is already a {adapter.noun} with the id {entity_id}.")
    elif current_version is None:
        raise ChangeError(f"There is no {adapter.noun} with the id {entity_id}.")
    elif current_version != base_version:
        raise StaleError(
            f"This {adapter.noun} was published by someone else since you opened it. "
            "Your changes were not saved; reload the page to see the current entry."
        )
    existing = open_change(session, adapter.entity_type, entity_id)
    if existing is None and expected_revision is not None:
        raise StaleError("The draft you were editing has since been published or withdrawn.")
    if existing is not None and expected_revision != existing.revision:
        raise StaleError(
            f"Someone else saved a change to this {adapter.noun} since you opened it. "
            "Your changes were not saved; reload the page to see theirs."
        )
    now = utcnow()
    if existing is None:
        change = ChangeRequest(
            entity_type=adapter.entity_type,
            entity_id=entity_id,
            kind=kind,
            payload=payload,
            base=adapter.current(session, entity_id),
            base_version=current_version,
            status="draft",
            open_key=f"{adapter.entity_type}:{entity_id}",
            revision=1,
            author_id=author.id,
            created_at=now,
            updated_at=now,
        )
        session.add(change)
        session.flush()  # the unique open_key refuses a second concurrent proposal here
        previous = change.base
    else:
        previous = existing.payload
        # Compare-and-set on the revision: two saves racing past the check above still
        # cannot both win.
        updated = session.execute(
            update(ChangeRequest)
            .where(
                ChangeRequest.id == existing.id,
                ChangeRequest.revision == expected_revision,
                ChangeRequest.status.in_(OPEN_STATUSES),  # not one decided meanwhile
            )
            .values(
                payload=payload,
                kind=kind if existing.kind != "create" else "create",
                revision=ChangeRequest.revision + 1,
                status="draft",
                author_id=author.id,
                updated_at=now,
                review_note=None,
            )
            .execution_options(synchronize_session=False)
        )
        if updated.rowcount != 1:
            raise StaleError(f"Someone else saved a change to this {adapter.noun} just now.")
        session.refresh(existing)
        change = existing
    record(
        session,
        adapter.entity_type,
        entity_id,
        "proposed",
        author,
        diff(previous, payload, adapter.ignored_fields),
        change,
        note,
    )
    return change


def submit(session: Session, change: ChangeRequest, actor: Maintainer) -> None:
    if change.status != "draft":
        raise ChangeError("Only a draft can be sent for review.")
    decide(
        session,
        change,
        ("draft",),
        change.revision,
        {"status": "in_review", "updated_at": utcnow()},
    )
    record(session, change.entity_type, change.entity_id, "submitted", actor, change=change)


def may_publish(change: ChangeRequest, reviewer: Maintainer, single_maintainer: bool) -> str | None:
    """Why this maintainer may not publish this change, or None if they may."""
    if reviewer.role != "reviewer":
        return "Only a reviewer can publish changes."
    if change.author_id == reviewer.id and not single_maintainer:
        return "You cannot publish your own change: another reviewer must check it."
    return None


def _check_revision(change: ChangeRequest, revision: int | None) -> int:
    """The revision the reviewer read (None: the one in `change`), refused if it moved on."""
    if revision is None:
        return change.revision
    if revision != change.revision:
        raise StaleError(PROPOSAL_MOVED_ON)
    return revision


def publish(
    session: Session,
    change: ChangeRequest,
    reviewer: Maintainer,
    *,
    single_maintainer: bool = False,
    note: str | None = None,
    revision: int | None = None,
) -> list[dict]:
    """Applies the proposal to the published tables, in the caller's transaction. Returns the
    field-level diff that was recorded.

    `revision` is the proposal revision the reviewer read: if the proposal was saved again since
    (even concurrently), StaleError and nothing is published."""
    reason = may_publish(change, reviewer, single_maintainer)
    if reason:
        raise PermissionDenied(reason)
    revision = _check_revision(change, revision)
    if change.status != "in_review":
        raise ChangeError("Only a change that is in review can be published.")
    adapter = adapter_for(change.entity_type)
    # The version before the entity: a write committed between the two reads then fails the
    # adapter's version check, rather than publish a merge made with an older copy.
    version = adapter.version(session, change.entity_id)
    current = adapter.current(session, change.entity_id)
    if change.kind == "create" and current is not None:
        raise ChangeError(f"A {adapter.noun} with this id was created meanwhile.")
    merged = merge(change.base, change.payload, current, adapter.ignored_fields)
    errors = adapter.validate(session, merged)
    if errors:
        raise ChangeError(
            "The proposal is no longer valid: "
            + "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items())
        )
    adapter.apply(session, change.entity_id, merged, version)
    decide(
        session,
        change,
        ("in_review",),
        revision,
        {
            "status": "published",
            "open_key": None,
            "reviewer_id": reviewer.id,
            "decided_at": utcnow(),
            "review_note": note,
        },
    )
    changes = diff(current, merged, adapter.ignored_fields)
    action = {"create": "created", "retire": "retired", "restore": "restored"}.get(
        change.kind, "published"
    )
    record(session, change.entity_type, change.entity_id, action, reviewer, changes, change, note)
    return changes


def reject(
    session: Session,
    change: ChangeRequest,
    reviewer: Maintainer,
    note: str,
    *,
    revision: int | None = None,
) -> None:
    """`revision` as for `publish`: a proposal saved again since the reviewer read it is not
    rejected."""
    if reviewer.role != "reviewer":
        raise PermissionDenied("Only a reviewer can reject changes.")
    revision = _check_revision(change, revision)
    if change.status != "in_review":
        raise ChangeError("Only a change that is in review can be rejected.")
    if not note.strip():
        raise ChangeError("Say why the change is rejected, so its author can fix it.")
    decide(
        session,
        change,
        ("in_review",),
        revision,
        {
            "status": "rejected",
            "open_key": None,
            "reviewer_id": reviewer.id,
            "decided_at": utcnow(),
            "review_note": note,
        },
    )
    record(session, change.entity_type, change.entity_id, "rejected", reviewer, None, change, note)


def withdraw(session: Session, change: ChangeRequest, actor: Maintainer) -> None:
    """The author (or a reviewer) drops a proposal that is not published."""
    if change.status not in OPEN_STATUSES:
        raise ChangeError("Only an open proposal can be withdrawn.")
    if change.author_id != actor.id and actor.role != "reviewer":
        raise PermissionDenied("Only its author or a reviewer can withdraw a proposal.")
    decide(
        session,
        change,
        OPEN_STATUSES,
        change.revision,
        {"status": "withdrawn", "open_key": None, "decided_at": utcnow()},
    )
    record(session, change.entity_type, change.entity_id, "withdrawn", actor, None, change)
