"""Whole-directory checks (`python -m directory validate`)."""

from __future__ import annotations

from sqlalchemy import select

from directory.exporting import load_all
from directory.matching import FALLBACK_HELPLINE_ID, STRAND_HELPLINES
from directory.models import Location, Service
from directory.serialize import validate_organization, validate_service


def validate_database(session) -> list[str]:
    problems: list[str] = []
    organizations, services = load_all(session)
    org_ids = {o["id"] for o in organizations}
    for org in organizations:
        problems += [f"organization {org['id']}: {e}" for e in validate_organization(org)]
    for service in services:
        problems += [f"service {service['id']}: {e}" for e in validate_service(service, org_ids)]
    active = {s["id"] for s in services if s["status"] == "active"}
    for sid in sorted({FALLBACK_HELPLINE_ID, *STRAND_HELPLINES.values()}):
        if sid not in active:
            problems.append(f"service {sid}: the fallback helpline is missing or not active")
    # Belt and braces for the confidentiality rule (the schema has a CHECK too).
    for location in session.execute(select(Location)).scalars():
        if location.confidential and (location.address_1 or location.postal_code):
            problems.append(f"location {location.id}: confidential but has an address")
    for service in session.execute(select(Service)).scalars():
        if service.scope == "local" and not service.areas:
            problems.append(f"service {service.id}: local but covers no borough")
    return problems
