"""Import services: plan first (a structured diff), then apply the whole plan in one transaction.

Library use (the CLI and the web editor's dry-run preview both go through this):

    records = read_file(path, "csv")                 # or "hsds-json"; parse errors collected
    with session_scope() as session:
        plan = plan_import(session, records, retire_missing=False)
        if not plan.ok:                              # every error names file, row and field
            print(*plan.errors, sep="\\n")
        else:
            print(plan.summary())                    # added / changed / retired / unchanged
            apply_plan(session, plan)                # writes; session_scope commits once

`plan_import` writes nothing. `ImportPlan.changed` maps a service id to its field-level
changes `{field: (old, new)}`; `added`, `retired` and `unchanged` list ids; organizations have
the same four lists. `apply_plan` refuses a plan with errors, and refuses a plan made stale by
a write since planning (service versions are compared), so a preview a maintainer approved is
exactly what gets written. "Retired" means status set to "defunct": services are never deleted,
so pathways and audit history that name them stay valid. With `retire_missing=True`, active
services absent from the import are retired too (for a full-directory import).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from directory.diffs import changed_fields
from directory.exporting import unguard_csv
from directory.formats import ImportIssue, Origin, Records, read_csv, read_hsds_json
from directory.models import Organization, Service
from directory.serialize import (
    SERVICE_CHILDREN,
    organization_to_dict,
    service_from_dict,
    service_to_dict,
    validate_organization,
    validate_service,
)
from directory.taxonomy import sync_taxonomies

FORMATS = ("hsds-json", "csv")


class ImportFailed(Exception):
    def __init__(self, errors: list):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportPlan:
    source: str
    services: dict[str, dict] = field(default_factory=dict)  # id -> normalised dict to write
    organizations: dict[str, dict] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple]] = field(default_factory=dict)
    retired: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    organizations_added: list[str] = field(default_factory=list)
    organizations_changed: dict[str, dict[str, tuple]] = field(default_factory=dict)
    errors: list[ImportIssue] = field(default_factory=list)
    base_versions: dict[str, int] = field(default_factory=dict)  # id -> version when planned

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.retired)} retired",
            f"{len(self.unchanged)} unchanged",
        ]
        orgs = f"; organizations: {len(self.organizations_added)} added, "
        orgs += f"{len(self.organizations_changed)} changed"
        return f"{self.source}: services: " + ", ".join(parts) + orgs

    def as_dict(self) -> dict:
        """JSON-ready form for a web preview."""
        return {
            "source": self.source,
            "ok": self.ok,
            "added": self.added,
            "changed": {k: {f: list(v) for f, v in c.items()} for k, c in self.changed.items()},
            "retired": self.retired,
            "unchanged": self.unchanged,
            "organizations_added": self.organizations_added,
            "organizations_changed": {
                k: {f: list(v) for f, v in c.items()} for k, c in self.organizations_changed.items()
            },
            "errors": [str(e) for e in self.errors],
        }


def read_file(path: str | Path, format: str) -> Records:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        records = Records()
        records.errors.append(ImportIssue(Origin(str(path)), None, f"cannot read: {error}"))
        return records
    return read_text(text, format, str(path))


def read_text(text: str, format: str, name: str) -> Records:
    if format == "csv":
        return read_csv(unguard_csv(text), name)  # undo the export's formula guard
    if format == "hsds-json":
        return read_hsds_json(text, name)
    raise ValueError(f"unknown format {format!r} (expected one of {', '.join(FORMATS)})")


def plan_import(
    session, records: Records, retire_missing: bool = False, source: str = ""
) -> ImportPlan:
    """Validate `records` against each other and the database, and work out the diff."""
    plan = ImportPlan(source=source or _source(records))
    plan.errors = list(records.errors)
    existing_orgs = {o.id: o for o in session.execute(select(Organization)).scalars()}
    existing = {
        s.id: s for s in session.execute(select(Service).options(*SERVICE_CHILDREN)).scalars()
    }
    org_origin: dict[str, Origin] = {}
    for origin, org in records.organizations:
        if org["id"] in plan.organizations:
            continue  # readers already report conflicting copies
        for error in validate_organization(org):
            plan.errors.append(ImportIssue(origin, error.field, error.message))
        plan.organizations[org["id"]] = org
        org_origin[org["id"]] = origin
        if org["id"] not in existing_orgs:
            plan.organizations_added.append(org["id"])
        else:
            changes = changed_fields(organization_to_dict(existing_orgs[org["id"]]), org)
            if changes:
                plan.organizations_changed[org["id"]] = changes
    known_orgs = set(existing_orgs) | set(plan.organizations)
    first_seen: dict[str, Origin] = {}
    for origin, service in records.services:
        sid = service.get("id")
        if sid in first_seen:
            plan.errors.append(
                ImportIssue(
                    origin, "id", f"duplicate id {sid!r} (also {first_seen[sid].describe()})"
                )
            )
            continue
        first_seen[sid] = origin
        errors = validate_service(service, known_orgs)
        plan.errors += [ImportIssue(origin, e.field, e.message) for e in errors]
        if errors:
            continue
        plan.services[sid] = service
        current = existing.get(sid)
        if current is None:
            plan.added.append(sid)
            continue
        plan.base_versions[sid] = current.version
        changes = changed_fields(service_to_dict(current), service)
        if not changes:
            plan.unchanged.append(sid)
        elif changes.get("status", (None, None))[1] == "defunct":
            plan.retired.append(sid)
            plan.changed[sid] = changes
        else:
            plan.changed[sid] = changes
    if retire_missing:
        for sid, current in sorted(existing.items()):
            if sid not in first_seen and current.status != "defunct":
                plan.retired.append(sid)
                plan.base_versions[sid] = current.version
    plan.added.sort()
    plan.retired.sort()
    plan.unchanged.sort()
    return plan


def apply_plan(session, plan: ImportPlan) -> None:
    """Write the plan in the caller's transaction (the caller commits, or rolls back)."""
    if not plan.ok:
        raise ImportFailed(plan.errors)
    sync_taxonomies(session)
    for oid, org in plan.organizations.items():
        row = session.get(Organization, oid)
        if row is None:
            session.add(Organization(**org))
        elif oid in plan.organizations_changed:
            for f, v in org.items():
                setattr(row, f, v)
    session.flush()
    stale = []
    for sid in sorted(set(plan.changed) | set(plan.retired) | set(plan.added)):
        current = session.get(Service, sid)
        expected = plan.base_versions.get(sid)
        if (current is None) != (expected is None) or (current and current.version != expected):
            stale.append(
                ImportIssue(Origin(plan.source), "id", f"{sid!r} changed since the preview")
            )
            continue
        if sid in plan.services:
            if sid in plan.changed or sid in plan.added:
                service_from_dict(session, plan.services[sid], current)
        else:  # retired because it is missing from a full import
            data = service_to_dict(current)
            data["status"] = "defunct"
            service_from_dict(session, data, current)
    if stale:
        raise ImportFailed(stale)
    session.flush()


def import_file(
    session, path, format: str, dry_run: bool = False, retire_missing: bool = False
) -> ImportPlan:
    plan = plan_import(session, read_file(path, format), retire_missing=retire_missing)
    if plan.ok and not dry_run:
        apply_plan(session, plan)
    return plan


def _source(records: Records) -> str:
    for _origin, _ in records.services:
        return _origin.file
    return records.errors[0].origin.file if records.errors else "import"
