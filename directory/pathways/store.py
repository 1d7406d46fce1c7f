"""Read and write pathways as plain dicts: the payload the editor's draft/review/publish
machinery stores (entity_type "pathway"), the seed files' shape, and what tests edit.

    data = pathway_to_dict(session.get(Pathway, "stalking"))
    data["steps"][1] = "New wording"
    write_pathway(session, data)   # validates, then replaces the pathway's rows

Contacts link to directory services by id; `write_pathway` refuses an id the directory does not
have, so a typo cannot silently drop a contact from the bot's answers.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import inspect, select

from directory.models import Service, utcnow
from directory.pathways.models import (
    STATUSES,
    Pathway,
    PathwayContact,
    PathwayForm,
    PathwayStep,
    PathwayThreshold,
)

ENTITY_TYPE = "pathway"
PATHWAY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Only a sourced public number may be typed into a pathway; everything else comes from a service.
PHONE = re.compile(r"^[0-9+][0-9 ]{1,19}$")
CONTACT_FIELDS = ("label", "borough", "service_id", "phone", "route", "note", "professional_only")


class PathwayError(ValueError):
    """The payload is not a valid pathway; `errors` says what to fix, field by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{f}: {' '.join(m)}" for f, m in errors.items()))
        self.errors = errors


def pathway_to_dict(pathway: Pathway) -> dict[str, Any]:
    return {
        "id": pathway.id,
        "title": pathway.title,
        "situation": pathway.situation,
        "applies_to": pathway.applies_to,
        "legal_duty": pathway.legal_duty,
        "source": pathway.source,
        "status": pathway.status,
        "version": pathway.version,
        "thresholds": [t.text for t in pathway.thresholds],
        "steps": [s.text for s in pathway.steps],
        "forms": [{"name": f.name, "note": f.note} for f in pathway.forms],
        "contacts": [
            {field: getattr(c, field) for field in CONTACT_FIELDS} for c in pathway.contacts
        ],
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def pathway_from_dict(data: dict[str, Any], boroughs: set[str] | None = None) -> dict[str, Any]:
    """A validated, normalised copy of `data`. Raises PathwayError listing every problem."""
    errors: dict[str, list[str]] = {}

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean: dict[str, Any] = {}
    clean["id"] = _text(data.get("id")) or ""
    if not PATHWAY_ID.match(clean["id"]):
        problem("id", "lower-case words joined by hyphens, e.g. 'forced-marriage'")
    for field in ("title", "situation", "applies_to", "source"):
        clean[field] = _text(data.get(field))
        if not clean[field]:
            problem(field, "required")
    clean["legal_duty"] = _text(data.get("legal_duty"))
    clean["status"] = _text(data.get("status")) or "active"
    if clean["status"] not in STATUSES:
        problem("status", f"one of {', '.join(STATUSES)}")

    for field in ("steps", "thresholds"):
        items = [_text(item) for item in data.get(field) or []]
        clean[field] = [item for item in items if item]
    if not clean["steps"]:
        problem("steps", "at least one step")

    clean["forms"] = []
    for i, form in enumerate(data.get("forms") or []):
        name = _text(form.get("name"))
        if not name:
            problem(f"forms[{i}].name", "required")
        clean["forms"].append({"name": name, "note": _text(form.get("note"))})

    clean["contacts"] = []
    for i, raw in enumerate(data.get("contacts") or []):
        contact = {field: _text(raw.get(field)) for field in CONTACT_FIELDS[:-1]}
        contact["professional_only"] = bool(raw.get("professional_only", True))
        where = f"contacts[{i}]"
        if not contact["label"]:
            problem(f"{where}.label", "required")
        if contact["phone"] and not PHONE.match(contact["phone"]):
            problem(f"{where}.phone", "digits and spaces only, e.g. '101'")
        if contact["phone"] and contact["service_id"]:
            problem(where, "a phone or a directory service, not both")
        if not (contact["phone"] or contact["service_id"] or contact["route"]):
            problem(where, "give a directory service, a sourced phone, or a route")
        if not (contact["phone"] or contact["service_id"]) and not contact["note"]:
            problem(f"{where}.note", "say why there is no number")
        if boroughs is not None and contact["borough"] and contact["borough"] not in boroughs:
            problem(f"{where}.borough", f"unknown place id {contact['borough']!r}")
        clean["contacts"].append(contact)
    if errors:
        raise PathwayError(errors)
    return clean


def unknown_services(session, service_ids: set[str]) -> set[str]:
    if not service_ids:
        return set()
    if not inspect(session.get_bind()).has_table(Service.__tablename__):
        return set(service_ids)
    found = session.execute(select(Service.id).where(Service.id.in_(service_ids))).scalars()
    return service_ids - set(found)


def write_pathway(session, data: dict[str, Any]) -> Pathway:
    """Create or replace one pathway from a payload (the editor's publish step calls this)."""
    clean = pathway_from_dict(data, boroughs=_place_ids())
    missing = unknown_services(session, {c["service_id"] for c in clean["contacts"]} - {None})
    if missing:
        raise PathwayError({"contacts": [f"no directory service {s!r}" for s in sorted(missing)]})
    pathway = session.get(Pathway, clean["id"])
    if pathway is None:
        pathway = Pathway(id=clean["id"], version=0)
    pathway.version += 1
    pathway.updated_at = utcnow()
    for field in ("title", "situation", "applies_to", "legal_duty", "source", "status"):
        setattr(pathway, field, clean[field])
    pathway.steps = [PathwayStep(position=i, text=t) for i, t in enumerate(clean["steps"])]
    pathway.thresholds = [
        PathwayThreshold(position=i, text=t) for i, t in enumerate(clean["thresholds"])
    ]
    pathway.forms = [PathwayForm(position=i, **f) for i, f in enumerate(clean["forms"])]
    pathway.contacts = [PathwayContact(position=i, **c) for i, c in enumerate(clean["contacts"])]
    session.add(pathway)
    session.flush()
    return pathway


def get_pathway_dict(session, pathway_id: str) -> dict[str, Any] | None:
    pathway = session.get(Pathway, pathway_id)
    return pathway_to_dict(pathway) if pathway else None


def list_pathways(session) -> list[Pathway]:
    return list(session.execute(select(Pathway).order_by(Pathway.title)).scalars())


def _place_ids() -> set[str]:
    from directory.pathways.vocabulary import place_ids

    return place_ids()
