"""What the bot tells a professional: a pathway's steps, then its contacts for a borough.

Contacts that link to a directory service are resolved here, at answer time, so a maintainer's
edit to the service (a new number, new hours) shows in pathway answers without touching the
pathway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.db import session_scope
from directory.models import Service
from directory.pathways.models import Pathway


@dataclass(frozen=True)
class ContactLine:
    label: str
    borough: str | None
    phones: tuple[str, ...]
    url: str | None
    hours: str | None
    route: str | None
    professional_only: bool
    please_check: bool  # the directory marks the service's details as unconfirmed
    # (number, what it is for) of each phone, for pages that link them (the site's tel: links)
    numbers: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True)
class PathwayAnswer:
    id: str
    title: str
    situation: str
    applies_to: str
    legal_duty: str | None
    thresholds: tuple[str, ...]
    steps: tuple[str, ...]
    forms: tuple[str, ...]
    contacts: tuple[ContactLine, ...]  # for the borough asked about, plus every-borough contacts
    has_borough_contacts: bool  # some contacts differ by borough (e.g. each borough's MARAC)


def _unconfirmed(service: Service) -> bool:
    # services.md marks some details "check": the directory ships them unverified.
    return not service.contact_verified


def _contact_line(contact, service: Service | None) -> ContactLine:
    route = contact.route
    if service is None or service.status != "active":
        numbers, url, hours, please_check = (), None, None, False
    else:
        route = route or service.application_process
        numbers = tuple((p.number, p.description) for p in service.phones)
        url, hours, please_check = service.url, service.hours, _unconfirmed(service)
    if contact.phone:
        numbers = ((contact.phone, None),)
    phones = tuple(f"{number} ({what})" if what else number for number, what in numbers)
    return ContactLine(
        label=contact.label,
        borough=contact.borough,
        phones=phones,
        url=url,
        hours=hours,
        route=route,
        professional_only=contact.professional_only,
        please_check=please_check,
        numbers=numbers,
    )


def pathway_answers(
    pathway_ids: list[str],
    borough: str | None = None,
    database_url: str | None = None,
    every_borough: bool = False,
) -> list[PathwayAnswer]:
    """Active pathways in the order asked; contacts for `borough` and for every borough (with
    `every_borough`, each borough's contacts too: the site's printable pathway page)."""
    with session_scope(database_url) as session:
        pathways = {
            p.id: p
            for p in session.execute(
                select(Pathway)
                .where(Pathway.id.in_(pathway_ids), Pathway.status == "active")
                .options(
                    selectinload(Pathway.steps),
                    selectinload(Pathway.thresholds),
                    selectinload(Pathway.forms),
                    selectinload(Pathway.contacts),
                )
            ).scalars()
        }
        service_ids = {c.service_id for p in pathways.values() for c in p.contacts} - {None}
        services = {
            s.id: s
            for s in session.execute(
                select(Service)
                .where(Service.id.in_(service_ids))
                .options(selectinload(Service.phones))
            ).scalars()
        }
        answers = []
        for pathway_id in pathway_ids:
            pathway = pathways.get(pathway_id)
            if pathway is None:
                continue
            contacts = tuple(
                _contact_line(c, services.get(c.service_id))
                for c in pathway.contacts
                if every_borough or c.borough is None or c.borough == borough
            )
            answers.append(
                PathwayAnswer(
                    id=pathway.id,
                    title=pathway.title,
                    situation=pathway.situation,
                    applies_to=pathway.applies_to,
                    legal_duty=pathway.legal_duty,
                    thresholds=tuple(t.text for t in pathway.thresholds),
                    steps=tuple(s.text for s in pathway.steps),
                    forms=tuple(f.name + (f" ({f.note})" if f.note else "") for f in pathway.forms),
                    contacts=contacts,
                    has_borough_contacts=any(c.borough for c in pathway.contacts),
                )
            )
        return answers
