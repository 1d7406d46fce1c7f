"""Change one service: the one write the editor's service adapter (directory.editor.services)
and anything else that changes a service use.

    with session_scope() as session:
        service = apply_service_change(session, "angelou-partnership",
                                       {"phones": [...], "notes": "..."},
                                       expected_version=3)

`changes` holds any keys of the service dict (directory.serialize); the rest stay as they
are. The service and all its children are written in the caller's transaction; `version`
goes up by one when anything changed. A stale `expected_version` (someone else saved first)
raises `StaleEdit`; invalid values raise `InvalidChange` with field errors. Creating a service
is `apply_service_change(session, new_id, full_dict, expected_version=None)` with `create=True`.
Retiring is `{"status": "defunct"}`: services are never deleted.
"""

from __future__ import annotations

from sqlalchemy import select

from directory.models import Organization, Service
from directory.serialize import (
    FieldError,
    normalise_service_dict,
    service_from_dict,
    service_to_dict,
    validate_service,
)
from directory.taxonomy import sync_taxonomies


class StaleEdit(Exception):
    """The service changed since the editor loaded it."""

    def __init__(self, service_id: str, expected: int, actual: int):
        self.service_id, self.expected, self.actual = service_id, expected, actual
        super().__init__(f"{service_id} is at version {actual}, not {expected}")


class InvalidChange(Exception):
    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def apply_service_change(
    session,
    service_id: str,
    changes: dict,
    expected_version: int | None = None,
    create: bool = False,
) -> Service:
    service = session.get(
        Service, service_id, with_for_update=session.bind.dialect.name != "sqlite"
    )
    if service is None and not create:
        raise KeyError(service_id)
    if service is not None and expected_version is not None and service.version != expected_version:
        raise StaleEdit(service_id, expected_version, service.version)
    before = service_to_dict(service) if service else {}
    data = normalise_service_dict({**before, **changes, "id": service_id})
    orgs = set(session.execute(select(Organization.id)).scalars())
    errors = validate_service(data, orgs)
    if errors:
        raise InvalidChange(errors)
    sync_taxonomies(session)
    service = service_from_dict(session, data, service)
    session.flush()
    return service
