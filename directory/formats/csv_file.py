"""The one-row-per-service CSV, both ways (the format is described in directory.formats)."""

from __future__ import annotations

import csv
import io

from directory.formats.records import ImportIssue, Origin, Records
from directory.serialize import (
    LIST_FIELDS,
    ORGANIZATION_FIELDS,
    SCALAR_FIELDS,
    SET_FIELDS,
    FieldError,
    normalise_service_dict,
)

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
BOOL_COLUMNS = ("open_24_7", "contact_verified")
# The parts of each line, in the file's order (not the serialiser's: files already written
# have this order). A location's type has no part: read back, it is "physical".
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
        for column in SET_FIELDS:
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
        records.add_organization(origin, organization, "organization_name")
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
    for column in SET_FIELDS:
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
