"""Find services for a need: the one function the bot's actions call.

Contract (the actions depend on it): `search(SearchQuery(...)) -> SearchResult`, never empty,
deterministically ordered: local services covering the borough, then pan-London, then national.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from directory.db import session_scope
from directory.models import Service

TIER = {"local": 0, "pan-london": 1, "national": 2}
FALLBACK_HELPLINE_ID = "national-domestic-abuse-helpline"


@dataclass(frozen=True)
class SearchQuery:
    boroughs: tuple[str, ...] = ()  # canonical place ids, e.g. "westminster"
    strands: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceCard:
    """What the bot shows of a service; plain data, safe to pass across threads."""

    id: str
    name: str
    organization: str
    description: str
    phones: tuple[tuple[str, str], ...]  # (number, what it is for)
    url: str | None
    hours: str | None
    self_referral: bool
    scope: str


@dataclass(frozen=True)
class Match:
    service: ServiceCard
    reason: str


@dataclass
class SearchResult:
    matches: list[Match]
    widened: bool = False
    notes: list[str] = field(default_factory=list)


def _card(service: Service) -> ServiceCard:
    return ServiceCard(
        id=service.id,
        name=service.name,
        organization=service.organization.name,
        description=service.description,
        phones=tuple((p.number, p.description or "") for p in service.phones),
        url=service.url,
        hours=service.hours,
        self_referral=service.self_referral,
        scope=service.scope,
    )


def _terms(service: Service, taxonomy: str) -> set[str]:
    return {t.term for t in service.terms if t.taxonomy == taxonomy}


def search(query: SearchQuery, database_url: str | None = None) -> SearchResult:
    with session_scope(database_url) as session:
        services = session.execute(
            select(Service)
            .where(Service.status == "active")
            .options(
                selectinload(Service.phones),
                selectinload(Service.areas),
                selectinload(Service.terms),
                selectinload(Service.organization),
            )
        ).scalars()
        ranked = []
        for service in services:
            covered = {a.borough for a in service.areas}
            if service.scope == "local" and not covered & set(query.boroughs):
                continue
            needs = _terms(service, "need") & set(query.needs)
            strands = _terms(service, "strand") & set(query.strands)
            if (query.needs and not needs) or (query.strands and not strands):
                continue
            why = sorted(needs | strands)
            reason = f"{service.scope} service" + (f" for {', '.join(why)}" if why else "")
            ranked.append((TIER[service.scope], service.name, Match(_card(service), reason)))
        ranked.sort(key=lambda item: item[:2])
        result = SearchResult([m for *_, m in ranked])
        if not result.matches:
            fallback = session.get(Service, FALLBACK_HELPLINE_ID)
            result.widened = True
            result.matches = [Match(_card(fallback), "24/7 national helpline")]
        return result
