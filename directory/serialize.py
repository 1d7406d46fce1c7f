"""One plain-dict form of a service, used by seeding, import, export and the editor's diffs.

`service_to_dict(service)` gives a JSON-ready dict of everything a maintainer owns (not the
bookkeeping: version, created_at, updated_at). `service_from_dict(session, data)` writes such
a dict back onto a new or existing `Service` with all its children (caller commits).
`validate_service(data)` lists field errors (`FieldError(field, message)`); always call it
before `service_from_dict`. Sets (boroughs, strands, ...) are sorted, so two dicts compare
equal exactly when the services are the same, and `diff_dicts` gives field-level changes.

Dict keys (all present; optional ones may be None or empty):
  id, organization_id, name, description, url, email, status, scope, referral_route,
  application_process, fees_description, eligibility_description, minimum_age, maximum_age,
  gender, hours, open_24_7, contact_verified, last_verified ("YYYY-MM-DD"),
  verification_source, notes, accessibility,
  source_url, source_document, source_checked ("YYYY-MM-DD"), source_evidence (quoted lines,
  one per line; a list in YAML),
  phones: [{number, type, description}], schedules: [{byday, opens_at, closes_at, description}],
  boroughs, strands, needs, audiences, languages: [codes],
  locations: [{name, description, borough, confidential, location_type, address_1, city,
  postal_code}]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import phonenumbers
from phonenumbers import shortnumberinfo

from directory.models import (
    GENDERS,
    REFERRAL_ROUTES,
    SCOPES,
    STATUSES,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    derived_id,
    utcnow,
)
from directory.places import OUTSIDE_LONDON, borough_label, is_known_borough
from directory.taxonomy import TAGGED, term_id, vocabulary

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
    "source_url",
    "source_document",
    "source_checked",
    "source_evidence",
)
DATE_FIELDS = ("last_verified", "source_checked")
TEXT_FIELDS = (
    "url",
    "email",
    "application_process",
    "fees_description",
    "eligibility_description",
    "hours",
    "verification_source",
    "notes",
)
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
ALL_FIELDS = SCALAR_FIELDS + tuple(LIST_FIELDS) + SET_FIELDS

PHONE_TYPES = ("voice", "text", "textphone", "fax", "video", "sms")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SET_TAXONOMY = {"strands": "strand", "needs": "need", "audiences": "audience"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# https only, as the editor asks: the webchat links nothing else, and an http page can be
# tampered with on the way to someone looking for help.
WEB_ADDRESS = re.compile(r"^https://[^\s/]+\.[^\s]+$")
# Where details were read: a public page, even one still served over plain http (it is
# recorded, never linked to).
SOURCE_ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"field '{self.field}': {self.message}"


def _blank(value):
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


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


RELAY_UK = "18001"  # Relay UK's prefix for textphone users, before any UK number
RELAY_UK_EMERGENCY = "18000"  # Relay UK's emergency number (999 by textphone)


def valid_uk_phone(number: str) -> bool:
    """A UK number people can call or text: full numbers, short codes like 999 and 116 123,
    and Relay UK's textphone forms ("18000", "18001 101")."""
    compact = re.sub(r"\s", "", number)
    if compact == RELAY_UK_EMERGENCY:
        return True
    if compact.startswith(RELAY_UK) and len(compact) > len(RELAY_UK):
        return valid_uk_phone(number.strip()[len(RELAY_UK) :].strip())
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(parsed):
        return True
    return parsed.country_code == 44 and shortnumberinfo.is_valid_short_number_for_region(
        parsed, "GB"
    )


def validate_service(data: dict, organization_ids: set[str] | None = None) -> list[FieldError]:
    """Field errors of a normalised service dict (empty list: valid)."""
    errors: list[FieldError] = []
    vocab = vocabulary()

    def error(field: str, message: str) -> None:
        errors.append(FieldError(field, message))

    if not data.get("id") or not SLUG.match(str(data["id"])):
        error("id", f"{data.get('id')!r} is not an id (lower-case letters, digits and hyphens)")
    if not data.get("name"):
        error("name", "is required")
    org = data.get("organization_id")
    if not org:
        error("organization_id", "is required")
    elif organization_ids is not None and org not in organization_ids:
        error("organization_id", f"unknown organization {org!r}")
    for field, allowed in (
        ("status", STATUSES),
        ("scope", SCOPES),
        ("referral_route", REFERRAL_ROUTES),
        ("gender", GENDERS),
    ):
        if data.get(field) not in allowed:
            error(field, f"{data.get(field)!r} is not one of {', '.join(allowed)}")
    url = data.get("url")
    if url and not WEB_ADDRESS.match(url):
        error("url", f"{url!r} is not a secure web address (https://...)")
    email = data.get("email")
    if email and not EMAIL.match(email):
        error("email", f"{email!r} is not an email address")
    for field in ("minimum_age", "maximum_age"):
        age = data.get(field)
        if age is not None and (
            not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120
        ):
            error(field, f"{age!r} is not an age in years")
    low, high = data.get("minimum_age"), data.get("maximum_age")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        error("maximum_age", f"{high} is below the minimum age {low}")
    for field in DATE_FIELDS:
        if data.get(field):
            try:
                date.fromisoformat(str(data[field]))
            except ValueError:
                error(field, f"{data[field]!r} is not a date (YYYY-MM-DD)")
    source = data.get("source_url")
    if source and not SOURCE_ADDRESS.match(source):
        error("source_url", f"{source!r} is not a web address (https://...)")
    for i, phone in enumerate(data.get("phones") or []):
        number = phone.get("number")
        if not number:
            error(f"phones[{i}].number", "is required")
        elif not valid_uk_phone(number):
            error(f"phones[{i}].number", f"{number!r} is not a valid UK phone number")
        if phone.get("type") not in PHONE_TYPES:
            error(
                f"phones[{i}].type", f"{phone.get('type')!r} is not one of {', '.join(PHONE_TYPES)}"
            )
    for i, schedule in enumerate(data.get("schedules") or []):
        days = (schedule.get("byday") or "").split(",")
        if not days or any(d not in DAYS for d in days):
            error(f"schedules[{i}].byday", f"{schedule.get('byday')!r} is not days like MO,TU")
        for field in ("opens_at", "closes_at"):
            if not TIME.match(str(schedule.get(field) or "")):
                error(f"schedules[{i}].{field}", f"{schedule.get(field)!r} is not a time HH:MM")
    for borough in data.get("boroughs") or []:
        if borough == OUTSIDE_LONDON or not is_known_borough(borough):
            error("boroughs", f"unknown borough {borough!r}")
    if data.get("scope") == "local" and not data.get("boroughs"):
        error("boroughs", "a local service needs at least one borough")
    for key, taxonomy in (*SET_TAXONOMY.items(), ("languages", "language")):
        for code in data.get(key) or []:
            if not vocab.knows(taxonomy, code):
                error(key, f"unknown {taxonomy} term {code!r}")
    for key, fields in LIST_FIELDS.items():
        for i, row in enumerate(data.get(key) or []):
            for f in fields:
                value = row.get(f)
                if isinstance(value, str) and ("|" in value or "\n" in value):
                    error(f"{key}[{i}].{f}", "must not contain '|' or a line break")
    is_refuge = "refuge" in (data.get("needs") or [])
    for i, location in enumerate(data.get("locations") or []):
        if not location.get("name"):
            error(f"locations[{i}].name", "is required")
        has_address = location.get("address_1") or location.get("postal_code")
        if has_address and (location.get("confidential") or is_refuge):
            error(
                f"locations[{i}].address_1",
                "a refuge or confidential location must not have an address (use boroughs)",
            )
        borough = location.get("borough")
        if borough and not is_known_borough(borough):
            error(f"locations[{i}].borough", f"unknown borough {borough!r}")
    return errors


def validate_organization(data: dict) -> list[FieldError]:
    errors = []
    if not data.get("id") or not SLUG.match(str(data["id"])):
        errors.append(FieldError("organization_id", f"{data.get('id')!r} is not an id"))
    if not data.get("name"):
        errors.append(FieldError("organization_name", "is required"))
    website = data.get("website")
    if website and not WEB_ADDRESS.match(website):
        errors.append(
            FieldError(
                "organization_website", f"{website!r} is not a secure web address (https://...)"
            )
        )
    return errors


def diff_dicts(old: dict | None, new: dict) -> dict[str, tuple]:
    """Field-level changes {field: (old, new)}; every field is "changed" when old is None."""
    old = old or {}
    return {k: (old.get(k), v) for k, v in new.items() if old.get(k) != v}


def _sync_list(rows: list, wanted: list[dict], make, fields) -> None:
    """Update child rows in place by position; add or drop the difference."""
    for i, values in enumerate(wanted):
        if i < len(rows):
            for f in fields:
                setattr(rows[i], f, values[f])
            rows[i].position = i
        else:
            rows.append(make(i, values))
    del rows[len(wanted) :]


def _sync_keyed(rows: list, wanted: dict[str, dict], key: str, make) -> None:
    """Keep rows whose key is still wanted (updating their values), add the rest."""
    for row in list(rows):
        if getattr(row, key) not in wanted:
            rows.remove(row)
    have = {getattr(row, key): row for row in rows}
    for k, values in wanted.items():
        if k in have:
            for f, v in values.items():
                setattr(have[k], f, v)
        else:
            rows.append(make(k, values))


def service_from_dict(session, data: dict, service: Service | None = None) -> Service:
    """Write a validated, normalised dict onto `service` (or a new one added to the session).
    Bumps `version` and `updated_at` when anything changed. The caller commits."""
    data = normalise_service_dict(data)
    sid = data["id"]
    if service is None:
        service = Service(id=sid, version=0)
        session.add(service)
        before = None
    else:
        before = service_to_dict(service)
    if before == data:
        return service
    for f in SCALAR_FIELDS:
        value = data[f]
        if f in DATE_FIELDS and value:
            value = date.fromisoformat(value)
        setattr(service, f, value)
    _sync_list(
        service.phones,
        data["phones"],
        lambda i, v: Phone(id=derived_id(sid, "phone", i), position=i, **v),
        PHONE_FIELDS,
    )
    _sync_list(
        service.schedules,
        data["schedules"],
        lambda i, v: Schedule(id=derived_id(sid, "schedule", i), position=i, freq="WEEKLY", **v),
        SCHEDULE_FIELDS,
    )
    org_id = data["organization_id"]

    def make_location(i: int, values: dict) -> ServiceAtLocation:
        location = Location(id=derived_id(sid, "location", i), organization_id=org_id, **values)
        return ServiceAtLocation(
            id=derived_id(sid, "service_at_location", i), position=i, location=location
        )

    sals = service.service_at_locations
    for i, values in enumerate(data["locations"]):
        if i < len(sals):
            for f in LOCATION_FIELDS:
                setattr(sals[i].location, f, values[f])
            sals[i].location.organization_id = org_id
        else:
            sals.append(make_location(i, values))
    del sals[len(data["locations"]) :]
    _sync_keyed(
        service.areas,
        {b: {"name": borough_label(b)} for b in data["boroughs"]},
        "borough",
        lambda b, v: ServiceArea(id=derived_id(sid, "service_area", b), borough=b, **v),
    )
    vocab = vocabulary()
    _sync_keyed(
        service.languages,
        {c: {"name": vocab.label("language", c)} for c in data["languages"]},
        "code",
        lambda c, v: Language(id=derived_id(sid, "language", c), code=c, **v),
    )
    wanted_terms = {
        term_id(taxonomy, code): {} for key, taxonomy in SET_TAXONOMY.items() for code in data[key]
    }
    _sync_keyed(
        service.attributes,
        wanted_terms,
        "taxonomy_term_id",
        lambda t, v: Attribute(
            id=derived_id(sid, "attribute", t),
            term=session.get(TaxonomyTerm, t),
            link_entity="service",
        ),
    )
    service.version = (service.version or 0) + 1
    service.updated_at = utcnow()
    return service


__all__ = [
    "ALL_FIELDS",
    "TAGGED",
    "FieldError",
    "diff_dicts",
    "normalise_service_dict",
    "organization_to_dict",
    "service_from_dict",
    "service_to_dict",
    "valid_uk_phone",
    "validate_organization",
    "validate_service",
]
