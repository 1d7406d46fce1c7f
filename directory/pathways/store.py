"""Read and write pathways as plain dicts: the payload the editor's draft/review/publish
machinery stores (entity_type "pathway"), the seed files' shape, and what tests edit.

    data = pathway_to_dict(session.get(Pathway, "stalking"))
    data["steps"][1] = "New wording"
    write_pathway(session, data)   # validates, then replaces the pathway's rows

Contacts link to directory services by id; `write_pathway` refuses an id the directory does not
have, so a typo cannot silently drop a contact from the bot's answers.

Sources (issue 14): `sources` is a list of {url, title, read, page_date, supports}, the public
pages the pathway's claims rest on; `reviewed` (YYYY-MM-DD) is the day someone last checked the
whole pathway against them; `unsourced` lists claims no source was found for. `source` is
derived: the rendered list. A pathway written before sources were structured may have only its
free-text `source`, which stays valid until a maintainer adds a list.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select

from directory.models import Service, utcnow
from directory.pathways.models import (
    STATUSES,
    Pathway,
    PathwayContact,
    PathwayForm,
    PathwaySource,
    PathwayStep,
    PathwayThreshold,
)
from directory.rules import SOURCE_ADDRESS

ENTITY_TYPE = "pathway"
PATHWAY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Only a sourced public number may be typed into a pathway; everything else comes from a service.
PHONE = re.compile(r"^[0-9+][0-9 ]{1,19}$")
CONTACT_FIELDS = ("label", "borough", "service_id", "phone", "route", "note", "professional_only")
SOURCE_FIELDS = ("url", "title", "read", "page_date", "supports")
REVIEW_MONTHS = 12  # a pathway not reviewed for this long is listed as due in the editor


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
        "reviewed": pathway.reviewed.isoformat() if pathway.reviewed else None,
        "sources": [
            {
                "url": s.url,
                "title": s.title,
                "read": s.read_on.isoformat(),
                "page_date": s.page_date,
                "supports": s.supports,
            }
            for s in pathway.sources
        ],
        "unsourced": (pathway.unsourced or "").splitlines(),
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


def _date(value: Any) -> date | None:
    """A date from a YAML date, an ISO string or None; ValueError for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def _web_address(url: str | None) -> bool:
    """A full web address (directory.rules.SOURCE_ADDRESS): https expected, http only for a page
    that has no https copy."""
    return bool(SOURCE_ADDRESS.match(url or ""))


def render_sources(sources: list[dict[str, Any]], unsourced: list[str]) -> str:
    """The `source` text: one line per source, then each claim no source was found for."""
    lines = []
    for s in sources:
        dated = f"; the page shows: {s['page_date']}" if s.get("page_date") else ""
        lines.append(
            f"{s['title']} <{s['url']}> (read {s['read']}{dated}). Supports: {s['supports']}"
        )
    lines += [f"No source found: {claim}" for claim in unsourced]
    return "\n".join(lines)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when that month is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(reviewed: date | str | None, today: date | None = None) -> bool:
    """True when the pathway was never reviewed, or not in the last REVIEW_MONTHS months."""
    reviewed = _date(reviewed)
    today = today or date.today()
    return reviewed is None or reviewed <= months_before(today, REVIEW_MONTHS)


def pathway_from_dict(data: dict[str, Any], boroughs: set[str] | None = None) -> dict[str, Any]:
    """A validated, normalised copy of `data`. Raises PathwayError listing every problem."""
    errors: dict[str, list[str]] = {}
    today = date.today()

    def problem(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    clean: dict[str, Any] = {}
    clean["id"] = _text(data.get("id")) or ""
    if not PATHWAY_ID.match(clean["id"]):
        problem("id", "lower-case words joined by hyphens, e.g. 'forced-marriage'")
    for field in ("title", "situation", "applies_to"):
        clean[field] = _text(data.get(field))
        if not clean[field]:
            problem(field, "required")

    try:
        reviewed = _date(data.get("reviewed"))
    except (TypeError, ValueError):
        problem("reviewed", "a date as YYYY-MM-DD, e.g. 2026-12-01")
        reviewed = None
    if reviewed and reviewed > today:
        problem("reviewed", "cannot be in the future")
    clean["reviewed"] = reviewed.isoformat() if reviewed else None

    raw_unsourced = data.get("unsourced") or []
    if isinstance(raw_unsourced, str):
        raw_unsourced = raw_unsourced.splitlines()
    clean["unsourced"] = [t for t in (_text(item) for item in raw_unsourced) if t]

    clean["sources"] = []
    raw_sources = data.get("sources") or []
    if not isinstance(raw_sources, list):
        problem("sources", "a list of sources")
        raw_sources = []
    for i, raw in enumerate(raw_sources):
        where = f"sources[{i}]"
        if not isinstance(raw, dict):
            problem(where, "give url, title, read and supports")
            continue
        source = {field: _text(raw.get(field)) for field in ("url", "title", "page_date")}
        source["supports"] = _text(raw.get("supports"))
        if not _web_address(source["url"]):
            problem(f"{where}.url", "the page's full address, e.g. https://www.gov.uk/...")
        if not source["title"]:
            problem(f"{where}.title", "required: the page's title")
        if not source["supports"]:
            problem(f"{where}.supports", "required: which claims this page supports")
        try:
            read = _date(raw.get("read"))
        except (TypeError, ValueError):
            read = None
        if read is None:
            problem(f"{where}.read", "the date you read the page, as YYYY-MM-DD")
        elif read > today:
            problem(f"{where}.read", "cannot be in the future")
        source["read"] = read.isoformat() if read else None
        clean["sources"].append({field: source[field] for field in SOURCE_FIELDS})

    if clean["sources"]:
        clean["source"] = render_sources(clean["sources"], clean["unsourced"])
    else:
        # A pathway from before sources were structured: its own words, as before.
        clean["source"] = _text(data.get("source"))
        if not clean["source"]:
            problem(
                "sources",
                "give at least one source: the page's https address, its title, the date you "
                "read it, and what it supports",
            )
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
    pathway.reviewed = _date(clean["reviewed"])
    pathway.unsourced = "\n".join(clean["unsourced"]) or None
    pathway.sources = [
        PathwaySource(
            position=i,
            url=s["url"],
            title=s["title"],
            read_on=_date(s["read"]),
            page_date=s["page_date"],
            supports=s["supports"],
        )
        for i, s in enumerate(clean["sources"])
    ]
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


def pathways_due_for_review(session, today: date | None = None) -> list[Pathway]:
    """Pathways not reviewed in the last REVIEW_MONTHS months: never reviewed first, then the
    longest ago."""
    due = [p for p in list_pathways(session) if review_due(p.reviewed, today)]
    return sorted(due, key=lambda p: (p.reviewed is not None, p.reviewed or date.min, p.title))


def _place_ids() -> set[str]:
    from directory.pathways.vocabulary import place_ids

    return place_ids()
