"""The plain-dict form of a service and an organization: its fields, and the dict read from a
`Service` row (`service_to_dict`) or from YAML, CSV and JSON (`normalise_service_dict`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import selectinload

from directory.models import Organization, Service, ServiceAtLocation

SCALAR_FIELDS = (
    "id",
    "organization_id",
    "name",
    "description",
    "url",
    "email",
    "status",
    "scope",
    "referral_route",
    "application_process",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "gender",
    "hours",
    "open_24_7",
    "contact_verified",
    "last_verified",
    "verification_source",
    "notes",
    "accessibility",
    "interpretation_services",
    "source_url",
    "source_document",
    "source_checked",
    "source_evidence",
)
DATE_FIELDS = ("last_verified", "source_checked")
SET_FIELDS = ("boroughs", "strands", "needs", "audiences", "languages")
PHONE_FIELDS = ("number", "type", "description")
SCHEDULE_FIELDS = ("byday", "opens_at", "closes_at", "description")
LOCATION_FIELDS = (
    "name",
    "description",
    "borough",
    "confidential",
    "location_type",
    "address_1",
    "city",
    "postal_code",
)
ORGANIZATION_FIELDS = ("id", "name", "description", "website", "email")
LIST_FIELDS = {"phones": PHONE_FIELDS, "schedules": SCHEDULE_FIELDS, "locations": LOCATION_FIELDS}

SET_TAXONOMY = {"strands": "strand", "needs": "need", "audiences": "audience"}


def _blank(value):
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


# Every child row `service_to_dict` reads, loaded with the services in a few queries.
SERVICE_CHILDREN = (
    selectinload(Service.phones),
    selectinload(Service.schedules),
    selectinload(Service.areas),
    selectinload(Service.languages),
    selectinload(Service.attributes),
    selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location),
)


def organization_to_dict(org: Organization) -> dict:
    return {f: getattr(org, f) for f in ORGANIZATION_FIELDS}


def service_to_dict(service: Service) -> dict:
    data = {f: getattr(service, f) for f in SCALAR_FIELDS}
    for f in DATE_FIELDS:
        value = getattr(service, f)
        data[f] = value.isoformat() if value else None
    data["phones"] = [
        {"number": p.number, "type": p.type, "description": p.description} for p in service.phones
    ]
    data["schedules"] = [
        {
            "byday": s.byday,
            "opens_at": s.opens_at,
            "closes_at": s.closes_at,
            "description": s.description,
        }
        for s in service.schedules
    ]
    data["locations"] = [
        {f: getattr(sal.location, f) for f in LOCATION_FIELDS}
        for sal in service.service_at_locations
    ]
    data["boroughs"] = sorted(a.borough for a in service.areas)
    for key, taxonomy in SET_TAXONOMY.items():
        data[key] = service.terms(taxonomy)
    data["languages"] = sorted(lang.code for lang in service.languages)
    return data


def normalise_service_dict(data: dict) -> dict:
    """Fill defaults and blank-to-None, so dicts from YAML, CSV and JSON compare equal."""
    out = {f: _blank(data.get(f)) for f in SCALAR_FIELDS}
    out["description"] = data.get("description") or ""
    out["status"] = out["status"] or "active"
    out["referral_route"] = out["referral_route"] or "self"
    out["gender"] = out["gender"] or "any"
    if isinstance(out["interpretation_services"], str):  # free text: no spaces round it
        out["interpretation_services"] = out["interpretation_services"].strip()
    out["open_24_7"] = bool(data.get("open_24_7", False))
    out["contact_verified"] = bool(data.get("contact_verified", False))
    for f in DATE_FIELDS:
        if isinstance(out[f], date):
            out[f] = out[f].isoformat()
    if isinstance(data.get("source_evidence"), list):  # YAML: one quote per item
        quotes = [" ".join(str(q).split()) for q in data["source_evidence"] if str(q).strip()]
        out["source_evidence"] = "\n".join(quotes) or None
    for key, fields in LIST_FIELDS.items():
        rows = []
        for row in data.get(key) or []:
            row = {f: _blank(row.get(f)) if isinstance(row, dict) else None for f in fields}
            rows.append(row)
        out[key] = rows
    for row in out["phones"]:
        row["type"] = row["type"] or "voice"
    for row in out["locations"]:
        row["confidential"] = bool(row["confidential"])
        row["location_type"] = row["location_type"] or "physical"
    for key in SET_FIELDS:
        out[key] = sorted({str(v) for v in data.get(key) or []})
    return out
