"""Services as editable entities: the adapter that plugs them into drafts, review and audit,
plus the queries behind the editor's list and the bot-exact preview.

Reads and writes go through the directory's own serialiser (directory.serialize): drafts hold
`service_to_dict` output, and publishing writes with `service_from_dict`, so the published
tables only ever receive what the directory itself validates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from directory.cards import service_text
from directory.diffs import diff
from directory.editor.audit import record_event
from directory.editor.entities import ChangeError, StaleError, claim_version
from directory.editor.models import ChangeRequest, Maintainer
from directory.index import card_from_dict
from directory.matching import Match
from directory.models import Organization, Service
from directory.pathways.store import months_before
from directory.serialize import (
    normalise_service_dict,
    service_from_dict,
    service_to_dict,
    validate_service,
)
from directory.store import InvalidChange, StaleEdit, apply_service_change

RECHECK_AFTER = timedelta(days=182)  # "needs checking": not verified in about six months
SOURCE_RECHECK_MONTHS = 12  # a source page read longer ago than this is read again
RETIRED = "defunct"


def _load(session: Session, service_id: str) -> Service | None:
    return session.execute(select(Service).where(Service.id == service_id)).scalar_one_or_none()


def organization_ids(session: Session) -> set[str]:
    return set(session.execute(select(Organization.id)).scalars())


def organization_choices(session: Session) -> list[tuple[str, str]]:
    return [
        (org.id, org.name)
        for org in session.execute(select(Organization).order_by(Organization.name)).scalars()
    ]


def validate(session: Session, payload: dict) -> dict[str, list[str]]:
    """Field errors for a proposed service dict: the directory's checks (directory.rules)."""
    errors: dict[str, list[str]] = {}
    for error in validate_service(normalise_service_dict(payload), organization_ids(session)):
        errors.setdefault(error.field, []).append(error.message)
    return errors


class ServiceAdapter:
    entity_type = "service"
    noun = "service"
    model = Service
    ignored_fields: frozenset[str] = frozenset()
    retired_status = RETIRED

    def current(self, session: Session, entity_id: str) -> dict | None:
        service = _load(session, entity_id)
        return service_to_dict(service) if service else None

    def version(self, session: Session, entity_id: str) -> int | None:
        return session.execute(
            select(Service.version).where(Service.id == entity_id)
        ).scalar_one_or_none()

    def validate(self, session: Session, payload: dict) -> dict[str, list[str]]:
        return validate(session, payload)

    def apply(self, session: Session, entity_id: str, payload: dict, expected_version) -> None:
        if payload.get("id") != entity_id:
            raise ChangeError("A service's id cannot be changed.")
        creating = expected_version is None
        if creating and self.version(session, entity_id) is not None:
            raise StaleError("A service with this id was created meanwhile.")
        if not creating:  # the version check and the row lock in one step
            claim_version(session, Service, entity_id, expected_version)
        try:
            apply_service_change(
                session, entity_id, payload, expected_version=expected_version, create=creating
            )
        except StaleEdit as error:
            raise StaleError("Someone else changed this service while it was published.") from error
        except IntegrityError as error:
            if not creating:
                raise
            # The same id, inserted by a concurrent publish or import that committed first.
            raise StaleError("A service with this id was created meanwhile.") from error
        except InvalidChange as error:
            raise ChangeError(f"The directory refused the change: {error}") from error

    def title(self, payload: dict) -> str:
        return payload.get("name") or payload.get("id") or "(unnamed)"


SERVICES = ServiceAdapter()


def needs_checking(payload: dict, today: date | None = None) -> bool:
    today = today or date.today()
    verified = payload.get("last_verified")
    return (
        not payload.get("contact_verified")
        or not verified
        or date.fromisoformat(verified) < today - RECHECK_AFTER
    )


@dataclass
class ListedService:
    data: dict
    organization: str
    open_change: ChangeRequest | None
    needs_checking: bool


def list_services(
    session: Session,
    *,
    q: str = "",
    borough: str = "",
    strand: str = "",
    need: str = "",
    status: str = "",
    only_needs_checking: bool = False,
) -> list[ListedService]:
    """The directory is small (hundreds of entries), so filtering happens here, on the same
    dicts the editor shows, rather than in SQL."""
    services = session.execute(
        select(Service)
        .options(
            selectinload(Service.phones),
            selectinload(Service.schedules),
            selectinload(Service.areas),
            selectinload(Service.languages),
            selectinload(Service.attributes),
            selectinload(Service.service_at_locations),
            selectinload(Service.organization),
        )
        .order_by(Service.name)
    ).scalars()
    open_changes = {
        c.entity_id: c
        for c in session.execute(
            select(ChangeRequest).where(
                ChangeRequest.entity_type == "service", ChangeRequest.open_key.is_not(None)
            )
        ).scalars()
    }
    words = q.lower().split()
    listed = []
    for service in services:
        data = service_to_dict(service)
        haystack = f"{data['name']} {service.organization.name} {data['id']}".lower()
        if words and not all(w in haystack for w in words):
            continue
        if borough and borough not in data["boroughs"]:
            continue
        if strand and strand not in data["strands"]:
            continue
        if need and need not in data["needs"]:
            continue
        if status and data["status"] != status:
            continue
        checking = needs_checking(data)
        if only_needs_checking and not checking:
            continue
        listed.append(
            ListedService(data, service.organization.name, open_changes.get(service.id), checking)
        )
    return listed


def sources_to_recheck(session: Session, today: date | None = None) -> list[Service]:
    """Entries in use whose source was last read more than SOURCE_RECHECK_MONTHS ago, or never:
    never first, then the oldest."""
    cutoff = months_before(today or date.today(), SOURCE_RECHECK_MONTHS)
    return list(
        session.execute(
            select(Service)
            .where(
                Service.status != RETIRED,
                or_(Service.source_checked.is_(None), Service.source_checked < cutoff),
            )
            .order_by(Service.source_checked.asc().nulls_first(), Service.name)
        ).scalars()
    )


def mark_verified(
    session: Session, service_id: str, actor: Maintainer, source: str, today: date | None = None
) -> list[dict]:
    """'Mark verified today': a maintainer has checked the entry with the service. Changes
    only the verification date and how it was checked, so it is applied at once (audited).
    StaleError if the entry was changed since this session read it."""
    service = _load(session, service_id)
    if service is None:
        raise ChangeError("There is no such service.")
    claim_version(session, Service, service_id, service.version)
    before = service_to_dict(service)
    after = dict(before, last_verified=(today or date.today()).isoformat())
    after["verification_source"] = source
    service_from_dict(session, after, service)
    session.flush()
    changes = diff(before, after)
    record_event(session, "service", service_id, "verified", actor, changes=changes)
    return changes


def bot_preview(session: Session, payload: dict) -> str:
    """The entry exactly as the bot presents it: its card, formatted by the bot's own
    formatting function (directory.cards), so the preview cannot drift from it."""

    payload = normalise_service_dict(payload)
    organization = session.get(Organization, payload["organization_id"])
    card = card_from_dict(
        payload,
        organization.name if organization else "",
        organization.website if organization else None,
    )
    return service_text(Match(card, reason="preview"))
