"""Export the directory: `export_text(session, "hsds-json" | "csv") -> str`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.formats import write_csv, write_hsds_json
from directory.models import Organization, Service, ServiceAtLocation
from directory.serialize import organization_to_dict, service_to_dict


def load_all(session) -> tuple[list[dict], list[dict]]:
    """Every organization and service as dicts, ordered by id (deterministic output)."""
    organizations = [
        organization_to_dict(o)
        for o in session.execute(select(Organization).order_by(Organization.id)).scalars()
    ]
    services = [
        service_to_dict(s)
        for s in session.execute(
            select(Service)
            .order_by(Service.id)
            .options(
                selectinload(Service.phones),
                selectinload(Service.schedules),
                selectinload(Service.areas),
                selectinload(Service.languages),
                selectinload(Service.attributes),
                selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
            )
        ).scalars()
    ]
    return organizations, services


def export_text(session, format: str) -> str:
    organizations, services = load_all(session)
    if format == "hsds-json":
        return write_hsds_json(organizations, services)
    if format == "csv":
        return write_csv(organizations, services)
    raise ValueError(f"unknown format {format!r}")
