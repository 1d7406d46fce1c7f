"""Load the seed entries into an empty directory."""

from __future__ import annotations

from pathlib import Path

import yaml

from directory.models import Organization, Phone, Service, ServiceArea, ServiceTerm

SEED_FILE = Path(__file__).parent / "seed" / "services.yml"


def load_seed(session, path: Path = SEED_FILE) -> int:
    data = yaml.safe_load(path.read_text())
    count = 0
    for org in data["organizations"]:
        organization = Organization(id=org["id"], name=org["name"])
        session.add(organization)
        for entry in org["services"]:
            service = Service(
                id=entry["id"],
                organization=organization,
                name=entry["name"],
                description=entry["description"],
                url=entry.get("url"),
                scope=entry["scope"],
                hours=entry.get("hours"),
                open_24_7=entry.get("open_24_7", False),
            )
            service.phones = [
                Phone(id=f"{entry['id']}-phone-{i}", number=p["number"], description=p.get("description"))
                for i, p in enumerate(entry.get("phones", []))
            ]
            service.areas = [
                ServiceArea(id=f"{entry['id']}-area-{b}", borough=b) for b in entry.get("boroughs", [])
            ]
            service.terms = [
                ServiceTerm(id=f"{entry['id']}-{tax}-{term}", taxonomy=tax, term=term)
                for tax in ("strand", "need", "audience")
                for term in entry.get(tax, [])
            ]
            session.add(service)
            count += 1
    return count
