"""HSDS 3.0 JSON, both ways (the format is described in directory.formats)."""

from __future__ import annotations

import json
from functools import cache

from directory.formats.records import ImportIssue, Origin, Records
from directory.hsds_schema import schema_errors
from directory.models import derived_id
from directory.places import borough_label
from directory.rules import address_hidden
from directory.serialize import (
    PHONE_FIELDS,
    SCALAR_FIELDS,
    SCHEDULE_FIELDS,
    normalise_service_dict,
)
from directory.taxonomy import TAXONOMY_NAMES, term_id, vocabulary

HSDS_STATUS = {"active": "active", "temporarily-closed": "temporarily closed", "defunct": "defunct"}
FROM_HSDS_STATUS = {v: k for k, v in HSDS_STATUS.items()} | {"inactive": "temporarily-closed"}
EXTENSION = "x_vawg"
# Our fields HSDS has a place for, with HSDS's name for them.
HSDS_FIELDS = {
    "url": "url",
    "email": "email",
    "application_process": "application_process",
    "fees_description": "fees_description",
    "eligibility_description": "eligibility_description",
    "minimum_age": "minimum_age",
    "maximum_age": "maximum_age",
    "interpretation_services": "interpretation_services",
    "last_verified": "assured_date",
}
# The rest, besides those every HSDS service has, travel in the extension object.
EXTENSION_FIELDS = tuple(
    f
    for f in SCALAR_FIELDS
    if f not in ("id", "organization_id", "name", "description", "status", *HSDS_FIELDS)
)


def _uuid(kind: str, slug: str) -> str:
    return derived_id(kind, slug)


def hsds_taxonomy(taxonomy: str) -> dict:
    """One of our vocabularies (directory.taxonomy) as an HSDS taxonomy object."""
    return dict(_taxonomy(taxonomy))


def hsds_term(taxonomy: str, code: str) -> dict:
    """One term of a vocabulary as an HSDS taxonomy_term object, with its taxonomy."""
    term = _term(taxonomy, code)
    return term | {"taxonomy_detail": dict(term["taxonomy_detail"])}


# Cached (the vocabulary is read once per process too): every service of an export or of the
# read API names the same few terms, and their UUIDs cost more to derive than the rest.
@cache
def _taxonomy(taxonomy: str) -> dict:
    title, description = TAXONOMY_NAMES[taxonomy]
    return {"id": _uuid("taxonomy", taxonomy), "name": title, "description": description}


@cache
def _term(taxonomy: str, code: str) -> dict:
    label = vocabulary().label(taxonomy, code)
    return {
        "id": term_id(taxonomy, code),
        "code": code,
        "name": label,
        "description": label,
        "taxonomy": taxonomy,
        "taxonomy_id": _uuid("taxonomy", taxonomy),
        "taxonomy_detail": _taxonomy(taxonomy),
    }


def hsds_service(service: dict, organization: dict) -> dict:
    """One service dict (+ its organization dict) as an HSDS 3.0 compiled service object."""
    sid = service["id"]
    uid = _uuid("service", sid)
    org_uid = _uuid("organization", organization["id"])
    out: dict = {
        "id": uid,
        "organization_id": org_uid,
        "name": service["name"],
        "description": service["description"],
        "status": HSDS_STATUS[service["status"]],
    }
    for ours, theirs in HSDS_FIELDS.items():
        if service.get(ours) is not None:
            out[theirs] = service[ours]
    out["phones"] = [
        {
            "id": derived_id(sid, "phone", i),
            "service_id": uid,
            "number": p["number"],
            "type": p["type"],
            **({"description": p["description"]} if p["description"] else {}),
        }
        for i, p in enumerate(service["phones"])
    ]
    out["schedules"] = [
        {
            "id": derived_id(sid, "schedule", i),
            "service_id": uid,
            "freq": "WEEKLY",
            "byday": s["byday"],
            "opens_at": s["opens_at"],
            "closes_at": s["closes_at"],
            **({"description": s["description"]} if s["description"] else {}),
        }
        for i, s in enumerate(service["schedules"])
    ]
    out["service_areas"] = [
        {
            "id": derived_id(sid, "service_area", b),
            "service_id": uid,
            "name": borough_label(b),
            "extent": b,
            "extent_type": "text",
        }
        for b in service["boroughs"]
    ]
    vocab = vocabulary()
    out["languages"] = [
        {
            "id": derived_id(sid, "language", c),
            "service_id": uid,
            "name": vocab.label("language", c),
            "code": c,
        }
        for c in service["languages"]
    ]
    out["service_at_locations"] = []
    for i, loc in enumerate(service["locations"]):
        location = {
            "id": derived_id(sid, "location", i),
            "location_type": loc["location_type"],
            "organization_id": org_uid,
            "name": loc["name"],
        }
        if loc["description"]:
            location["description"] = loc["description"]
        hidden = address_hidden(service["needs"], loc)
        if loc["address_1"] and not hidden:
            location["addresses"] = [
                {
                    "id": derived_id(sid, "address", i),
                    "location_id": location["id"],
                    "address_1": loc["address_1"],
                    "city": loc["city"] or "London",
                    "state_province": "London",
                    "postal_code": loc["postal_code"] or "",
                    "country": "GB",
                    "address_type": "physical",
                }
            ]
        out["service_at_locations"].append(
            {
                "id": derived_id(sid, "service_at_location", i),
                "service_id": uid,
                "location_id": location["id"],
                "location": location,
            }
        )
    tags = [
        (t, c)
        for key, t in (("strands", "strand"), ("needs", "need"), ("audiences", "audience"))
        for c in service[key]
    ]
    tags += [("referral_route", service["referral_route"]), ("scope", service["scope"])]
    out["attributes"] = [
        {
            "id": derived_id(sid, "attribute", term["id"]),
            "link_id": uid,
            "link_entity": "service",
            "link_type": t,
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
        for t, c in tags
        for term in [hsds_term(t, c)]
    ]
    out["organization"] = _hsds_organization(organization)
    out[EXTENSION] = {
        "id": sid,
        "organization_id": organization["id"],
        **{f: service[f] for f in EXTENSION_FIELDS},
        "locations": [_location_extension(service, loc) for loc in service["locations"]],
    }
    return out


def _location_extension(service: dict, loc: dict) -> dict:
    out = {f: loc[f] for f in ("borough", "confidential", "address_1", "city", "postal_code")}
    if address_hidden(service["needs"], loc):
        out |= {"address_1": None, "postal_code": None}
    return out


def _hsds_organization(organization: dict) -> dict:
    return {
        "id": _uuid("organization", organization["id"]),
        "name": organization["name"],
        "description": organization["description"] or "",
        **({"website": organization["website"]} if organization.get("website") else {}),
        **({"email": organization["email"]} if organization.get("email") else {}),
        EXTENSION: {"id": organization["id"]},
    }


def _organization_from_hsds(org: dict, fallback_id=None) -> dict:
    return {
        "id": (org.get(EXTENSION) or {}).get("id") or fallback_id or org.get("id"),
        "name": org.get("name"),
        "description": org.get("description") or "",
        "website": org.get("website"),
        "email": org.get("email"),
    }


class InvalidExport(ValueError):
    """The export would break the HSDS 3.0 schema: a bug or a bad record, never written."""


def write_hsds_json(organizations: list[dict], services: list[dict]) -> str:
    by_id = {o["id"]: o for o in organizations}
    document = {
        "hsds_version": "3.0",
        "description": "VAWG partnership directory (H&F, K&C, Westminster)",
        # Every organization, including any without services (HSDS organization objects).
        "organizations": [_hsds_organization(o) for o in organizations],
        "services": [hsds_service(s, by_id[s["organization_id"]]) for s in services],
    }
    # Named by our slugs: the HSDS ids are UUIDs derived from them.
    problems = [
        f"organization {org['id']}: {error}"
        for org, record in zip(organizations, document["organizations"], strict=True)
        for error in schema_errors("organization", record)
    ] + [
        f"service {service['id']}: {error}"
        for service, record in zip(services, document["services"], strict=True)
        for error in schema_errors("service", record)
    ]
    if problems:
        raise InvalidExport("\n".join(problems))
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_hsds_json(text: str, name: str) -> Records:
    records = Records()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        origin = Origin(name, error.lineno, "line")
        records.errors.append(ImportIssue(origin, None, f"malformed JSON: {error.msg}"))
        return records
    items = document
    if isinstance(document, dict):
        # An HSDS export lists "services"; a page of an Open Referral UK feed, "contents".
        items = document["services"] if "services" in document else document.get("contents")
    if not isinstance(items, list):
        records.errors.append(ImportIssue(Origin(name), "services", "expected a list of services"))
        return records
    organizations = document.get("organizations") if isinstance(document, dict) else None
    for number, org in enumerate(organizations or [], start=1):
        origin = Origin(name, number, "organization")
        if not isinstance(org, dict):
            records.errors.append(ImportIssue(origin, None, "expected an object"))
            continue
        schema_problems = schema_errors("organization", org)
        records.errors += [ImportIssue(origin, e.field or None, e.message) for e in schema_problems]
        if schema_problems:
            continue
        organization = _organization_from_hsds(org)
        if organization["id"] in records.first_organizations:
            records.errors.append(
                ImportIssue(origin, "id", f"duplicate organization {organization['id']!r}")
            )
            continue
        records.add_organization(origin, organization, "organization")
    for number, item in enumerate(items, start=1):
        origin = Origin(name, number, "service")
        if not isinstance(item, dict):
            records.errors.append(ImportIssue(origin, None, "expected an object"))
            continue
        schema_problems = schema_errors("service", item)
        records.errors += [ImportIssue(origin, e.field or None, e.message) for e in schema_problems]
        if schema_problems:
            continue
        try:
            organization, service = _from_hsds(item)
        except (KeyError, TypeError, ValueError) as error:
            records.errors.append(ImportIssue(origin, None, f"cannot read this service: {error!r}"))
            continue
        records.services.append((origin, service))
        records.add_organization(origin, organization, "organization")
    return records


def _from_hsds(item: dict) -> tuple[dict, dict]:
    ext = item.get(EXTENSION) or {}
    org = item.get("organization") or {}
    organization = _organization_from_hsds(
        org, ext.get("organization_id") or org.get("id") or item.get("organization_id")
    )
    tags: dict[str, list[str]] = {}
    for attribute in item.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        taxonomy = term.get("taxonomy") or attribute.get("link_type")
        tags.setdefault(taxonomy, []).append(term.get("code"))
    ext_locations = ext.get("locations") or []
    locations = []
    for i, sal in enumerate(item.get("service_at_locations") or []):
        loc = sal.get("location") or {}
        extra = ext_locations[i] if i < len(ext_locations) else {}
        address = (loc.get("addresses") or [{}])[0]
        locations.append(
            {
                "name": loc.get("name"),
                "description": loc.get("description"),
                "location_type": loc.get("location_type"),
                "borough": extra.get("borough"),
                "confidential": extra.get("confidential", False),
                "address_1": extra.get("address_1", address.get("address_1")),
                "city": extra.get("city", address.get("city")),
                "postal_code": extra.get("postal_code", address.get("postal_code")),
            }
        )
    service = {
        "id": ext.get("id") or item["id"],
        "organization_id": organization["id"],
        "name": item.get("name"),
        "description": item.get("description") or "",
        "status": FROM_HSDS_STATUS.get(item.get("status"), item.get("status")),
        **{ours: item.get(theirs) for ours, theirs in HSDS_FIELDS.items()},
        "minimum_age": _int_or_same(item.get("minimum_age")),
        "maximum_age": _int_or_same(item.get("maximum_age")),
        "scope": ext.get("scope") or _single(tags.get("scope")),
        "referral_route": ext.get("referral_route") or _single(tags.get("referral_route")),
        **{f: ext.get(f) for f in EXTENSION_FIELDS if f not in ("scope", "referral_route")},
        "phones": [{f: p.get(f) for f in PHONE_FIELDS} for p in item.get("phones") or []],
        "schedules": [{f: s.get(f) for f in SCHEDULE_FIELDS} for s in item.get("schedules") or []],
        "boroughs": [a.get("extent") for a in item.get("service_areas") or []],
        "strands": tags.get("strand", []),
        "needs": tags.get("need", []),
        "audiences": tags.get("audience", []),
        "languages": [lang.get("code") for lang in item.get("languages") or []],
        "locations": locations,
    }
    return organization, normalise_service_dict(service)


def _single(values):
    return values[0] if values else None


def _int_or_same(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
