"""Load the seed entries (directory/seed/*.yml) through the importer, so seed data meets
exactly the rules an import does (real UK numbers, known boroughs and terms, ...)."""

from __future__ import annotations

from pathlib import Path

import yaml

from directory.formats import Origin, Records
from directory.importing import ImportFailed, apply_plan, plan_import
from directory.serialize import normalise_service_dict

SEED_DIR = Path(__file__).parent / "seed"
SEED_FILES = tuple(sorted(SEED_DIR.glob("*.yml")))


def seed_records(paths: tuple[Path, ...] = SEED_FILES) -> Records:
    records = Records()
    for path in paths:
        _read(path, records)
    return records


def _read(path: Path, records: Records) -> None:
    data = yaml.safe_load(path.read_text())
    for number, org in enumerate(data["organizations"], start=1):
        origin = Origin(str(path), number, "organization")
        organization = {
            "id": org["id"],
            "name": org["name"],
            "description": org.get("description", ""),
            "website": org.get("website"),
            "email": org.get("email"),
        }
        records.organizations.append((origin, organization))
        for entry in org.get("services", []):
            service = normalise_service_dict({**entry, "organization_id": org["id"]})
            where = Origin(f"{path} (service {entry.get('id')})", number, "organization")
            records.services.append((where, service))


def load_seed(session, paths: tuple[Path, ...] = SEED_FILES) -> int:
    """Add or update the seed services (idempotent). Returns the number of services written."""
    plan = plan_import(session, seed_records(paths), source=str(SEED_DIR))
    if not plan.ok:
        raise ImportFailed(plan.errors)
    apply_plan(session, plan)
    return len(plan.added) + len(plan.changed)
