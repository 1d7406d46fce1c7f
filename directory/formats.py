"""File formats: HSDS 3.0 JSON and a one-row-per-service CSV, both ways.

Readers return `Records`: organizations and services as plain dicts (see directory.serialize),
each with where it came from (`Origin`: file and row), plus any parse errors. Writers take the
same dicts. Both formats round-trip losslessly through `service_to_dict`.

HSDS JSON: `{"hsds_version": "3.0", "services": [<compiled service object>, ...]}`. Ids are
UUIDs derived from our slugs; the slug and the fields HSDS has no place for travel in the
`x_vawg` extension object of each service (HSDS allows extra properties). Taxonomy tags are
HSDS `attributes` with their `taxonomy_term`. Confidential locations never carry an address.
Where each service's details came from is `x_vawg.source_url` (the public page),
`x_vawg.source_document` (a named document, where no page exists), `x_vawg.source_checked`
(the date it was read, YYYY-MM-DD) and `x_vawg.source_evidence` (the page's lines that give
each published contact, one per line). Every export is validated against the HSDS 3.0 schemas
in directory/hsds/ before it is written, and every HSDS import before it is planned.

CSV: one row per service (an organization without services gets a row with only the
organization columns); the spreadsheet row number (header = row 1) names a bad row. Lists
of ids are ";"-separated; phones, schedules and locations are one per line inside the cell,
with " | " between parts:
  phones:    number | description | type
  schedules: days | opens | closes | description      (days like MO,TU,WE; times HH:MM)
  locations: name | borough | confidential | description | address | city | postcode
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from directory.hsds_schema import schema_errors
from directory.models import derived_id
from directory.places import borough_label
from directory.serialize import (
    LIST_FIELDS,
    LOCATION_FIELDS,
    ORGANIZATION_FIELDS,
    PHONE_FIELDS,
    SCALAR_FIELDS,
    SCHEDULE_FIELDS,
    SET_FIELDS,
    FieldError,
    normalise_service_dict,
)
from directory.taxonomy import TAXONOMY_NAMES, term_id, vocabulary

HSDS_STATUS = {"active": "active", "temporarily-closed": "temporarily closed", "defunct": "defunct"}
FROM_HSDS_STATUS = {v: k for k, v in HSDS_STATUS.items()} | {"inactive": "temporarily-closed"}
EXTENSION = "x_vawg"
EXTENSION_FIELDS = (
    "scope",
    "referral_route",
    "gender",
    "hours",
    "open_24_7",
    "contact_verified",
    "verification_source",
    "notes",
    "accessibility",
    "source_url",
    "source_document",
    "source_checked",
    "source_evidence",
)


@dataclass(frozen=True)
class Origin:
    file: str
    row: int | None = None  # CSV: spreadsheet row (header = 1); JSON: record number from 1
    record: str = "row"

    def describe(self, field_name: str | None = None) -> str:
        where = self.file if self.row is None else f"{self.file}: {self.record} {self.row}"
        return f"{where}: field '{field_name}'" if field_name else where


@dataclass(frozen=True)
class ImportIssue:
    origin: Origin
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.origin.describe(self.field)}: {self.message}"


@dataclass
class Records:
    organizations: list[tuple[Origin, dict]] = field(default_factory=list)
    services: list[tuple[Origin, dict]] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)


def _uuid(kind: str, slug: str) -> str:
    return derived_id(kind, slug)


# --- HSDS JSON -----------------------------------------------------------------------------


def _term(taxonomy: str, code: str) -> dict:
    title, description = TAXONOMY_NAMES[taxonomy]
    label = vocabulary().label(taxonomy, code)
    return {
        "id": term_id(taxonomy, code),
        "code": code,
        "name": label,
        "description": label,
        "taxonomy": taxonomy,
        "taxonomy_detail": {
            "id": _uuid("taxonomy", taxonomy),
            "name": title,
            "description": description,
        },
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
    for ours, theirs in (
        ("url", "url"),
        ("email", "email"),
        ("application_process", "application_process"),
        ("fees_description", "fees_description"),
        ("eligibility_description", "eligibility_description"),
        ("minimum_age", "minimum_age"),
        ("maximum_age", "maximum_age"),
        ("last_verified", "assured_date"),
    ):
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
        if loc["address_1"] and not loc["confidential"]:
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
            "id": derived_id(sid, "attribute", term_id(t, c)),
            "link_id": uid,
            "link_entity": "service",
            "link_type": t,
            "taxonomy_term_id": term_id(t, c),
            "taxonomy_term": _term(t, c),
        }
        for t, c in tags
    ]
    out["organization"] = _hsds_organization(organization)
    out[EXTENSION] = {
        "id": sid,
        "organization_id": organization["id"],
        **{f: service[f] for f in EXTENSION_FIELDS},
        "locations": [
            {f: loc[f] for f in ("borough", "confidential", "address_1", "city", "postal_code")}
            for loc in service["locations"]
        ],
    }
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
    items = document.get("services") if isinstance(document, dict) else document
    if not isinstance(items, list):
        records.errors.append(ImportIssue(Origin(name), "services", "expected a list of services"))
        return records
    seen_orgs: dict[str, tuple[Origin, dict]] = {}
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
        if organization["id"] in seen_orgs:
            records.errors.append(
                ImportIssue(origin, "id", f"duplicate organization {organization['id']!r}")
            )
            continue
        seen_orgs[organization["id"]] = (origin, organization)
        records.organizations.append((origin, organization))
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
        previous = seen_orgs.get(organization["id"])
        if previous is None:
            seen_orgs[organization["id"]] = (origin, organization)
            records.organizations.append((origin, organization))
        elif previous[1] != organization:
            records.errors.append(
                ImportIssue(origin, "organization", f"differs from {previous[0].describe()}")
            )
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
        "url": item.get("url"),
        "email": item.get("email"),
        "status": FROM_HSDS_STATUS.get(item.get("status"), item.get("status")),
        "application_process": item.get("application_process"),
        "fees_description": item.get("fees_description"),
        "eligibility_description": item.get("eligibility_description"),
        "minimum_age": _int_or_same(item.get("minimum_age")),
        "maximum_age": _int_or_same(item.get("maximum_age")),
        "last_verified": item.get("assured_date"),
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


# --- CSV -----------------------------------------------------------------------------------

# One row per service: its own fields, its organisation inlined after organization_id, then
# the tag sets and the one-per-line lists. Derived from the serialiser so a new field needs
# one edit, not two.
CSV_COLUMNS = (
    *SCALAR_FIELDS[:2],
    *(f"organization_{f}" for f in ORGANIZATION_FIELDS if f != "id"),
    *SCALAR_FIELDS[2:],
    *SET_FIELDS,
    *LIST_FIELDS,
)
SET_COLUMNS = ("boroughs", "strands", "needs", "audiences", "languages")
BOOL_COLUMNS = ("open_24_7", "contact_verified")
LINE_COLUMNS = {
    "phones": ("number", "description", "type"),
    "schedules": ("byday", "opens_at", "closes_at", "description"),
    "locations": (
        "name",
        "borough",
        "confidential",
        "description",
        "address_1",
        "city",
        "postal_code",
    ),
}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def write_csv(organizations: list[dict], services: list[dict]) -> str:
    by_id = {o["id"]: o for o in organizations}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for service in services:
        org = by_id[service["organization_id"]]
        row = {c: _cell(service.get(c)) for c in CSV_COLUMNS if c in service}
        for f in ORGANIZATION_FIELDS[1:]:
            row[f"organization_{f}"] = _cell(org.get(f))
        for column in SET_COLUMNS:
            row[column] = ";".join(service[column])
        for column, parts in LINE_COLUMNS.items():
            row[column] = "\n".join(
                " | ".join(_cell(item.get(p)) for p in parts) for item in service[column]
            )
        writer.writerow(row)
    # An organization without services: a row with only the organization columns.
    with_services = {s["organization_id"] for s in services}
    for org in organizations:
        if org["id"] not in with_services:
            row = {"organization_id": org["id"]}
            for f in ORGANIZATION_FIELDS[1:]:
                row[f"organization_{f}"] = _cell(org.get(f))
            writer.writerow(row)
    return out.getvalue()


def _parse_bool(value: str) -> bool:
    text = value.strip().lower()
    if text in ("yes", "true", "1", "y"):
        return True
    if text in ("no", "false", "0", "n", ""):
        return False
    raise ValueError(f"{value!r} is not yes or no")


def read_csv(text: str, name: str) -> Records:
    records = Records()
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = reader.fieldnames or []
        missing = [c for c in ("id", "organization_id", "name", "scope") if c not in header]
        unknown = [c for c in header if c not in CSV_COLUMNS]
        if missing or unknown:
            problem = (
                f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(unknown)}"
            )
            records.errors.append(
                ImportIssue(Origin(name, 1), None, f"bad header: {problem} columns")
            )
            return records
        rows = list(reader)
    except csv.Error as error:
        records.errors.append(ImportIssue(Origin(name), None, f"malformed CSV: {error}"))
        return records
    seen_orgs: dict[str, tuple[Origin, dict]] = {}
    for index, row in enumerate(rows):
        # DictReader counts records, not lines; cells may hold line breaks.
        origin = Origin(name, index + 2, "row")
        if None in row or any(v is None for v in row.values()):
            records.errors.append(
                ImportIssue(origin, None, f"malformed CSV: expected {len(header)} columns")
            )
            continue
        service, organization, errors = _from_csv_row(row)
        records.errors += [ImportIssue(origin, e.field, e.message) for e in errors]
        if errors:
            continue
        if not (row.get("id") or row.get("name") or row.get("scope")):
            service = None  # an organization-only row
        else:
            records.services.append((origin, service))
        previous = seen_orgs.get(organization["id"])
        if previous is None:
            seen_orgs[organization["id"]] = (origin, organization)
            records.organizations.append((origin, organization))
        elif previous[1] != organization:
            records.errors.append(
                ImportIssue(
                    origin,
                    "organization_name",
                    f"organization {organization['id']!r} differs from {previous[0].describe()}",
                )
            )
    return records


def _from_csv_row(row: dict) -> tuple[dict, dict, list[FieldError]]:
    errors: list[FieldError] = []
    data: dict = {c: (row.get(c) or "").strip() or None for c in CSV_COLUMNS}
    organization = {"id": data["organization_id"]}
    for f in ORGANIZATION_FIELDS[1:]:
        organization[f] = data.pop(f"organization_{f}")
    organization["description"] = organization["description"] or ""
    for column in ("minimum_age", "maximum_age"):
        if data[column] is not None:
            try:
                data[column] = int(data[column])
            except ValueError:
                errors.append(FieldError(column, f"{data[column]!r} is not a whole number"))
    for column in BOOL_COLUMNS:
        try:
            data[column] = _parse_bool(data[column] or "")
        except ValueError as error:
            errors.append(FieldError(column, str(error)))
    for column in SET_COLUMNS:
        data[column] = [v.strip() for v in (data[column] or "").split(";") if v.strip()]
    for column, parts in LINE_COLUMNS.items():
        items = []
        for n, line in enumerate((row.get(column) or "").splitlines()):
            if not line.strip():
                continue
            values = [v.strip() or None for v in line.split("|")]
            if len(values) > len(parts):
                errors.append(FieldError(f"{column}[{n}]", f"too many ' | ' parts in {line!r}"))
                continue
            item = dict(zip(parts, values + [None] * (len(parts) - len(values)), strict=False))
            if column == "locations":
                try:
                    item["confidential"] = _parse_bool(item["confidential"] or "")
                except ValueError as error:
                    errors.append(FieldError(f"{column}[{n}].confidential", str(error)))
            items.append(item)
        data[column] = items
    return normalise_service_dict(data), organization, errors


LIST_TEXT_FIELDS = {
    "phones": PHONE_FIELDS,
    "schedules": SCHEDULE_FIELDS,
    "locations": LOCATION_FIELDS,
}
