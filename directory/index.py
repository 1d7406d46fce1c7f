"""The in-process matching index: every active service as plain data plus numpy columns.

Built with a handful of Core queries (no ORM objects), so 10,000 services load in well under
a second; a search is then a few vectorised mask operations, whatever the directory size.
`current_index(url)` checks `directory_state.data_version` (bumped by database triggers on
every write, from any process) on each call and rebuilds when it moved.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy import select, text

from directory.db import database_url, get_engine
from directory.models import (
    Attribute,
    Language,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from directory.places import places
from directory.rules import DAYS
from directory.taxonomy import vocabulary
from directory.wording import say

TIERS = {"local": 0, "pan-london": 1, "national": 2, "emergency": 3}
GENDER_CODES = {"any": 0, "women": 1, "men": 2}
NO_MIN_AGE, NO_MAX_AGE = -1, 999
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 16)], dtype=np.int64)


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
    referral_route: str = "self"  # "self", "professional" or "both"
    open_24_7: bool = False
    # Who it is for, as ids and as published; in words by `who_for`, in the language spoken.
    audiences: tuple[str, ...] = ()
    gender: str = "any"
    minimum_age: int | None = None
    maximum_age: int | None = None
    languages: tuple[str, ...] = ()
    eligibility: str | None = None
    interpretation: str | None = None  # interpreters, as the service's own pages say
    email: str | None = None
    verified: bool = True  # False: contact details still to be checked ("please check")
    last_verified: object = None  # datetime.date or None
    notes: str | None = None  # e.g. where to go when no contact detail is known
    boroughs: tuple[str, ...] = ()
    application_process: str | None = None
    # Where the details were read, if not verified by a maintainer: the page's host (or None
    # for a named document) and the date.
    source_host: str | None = None
    source_checked: object = None  # datetime.date or None
    website_hosts: tuple[str, ...] = ()  # the service's own site and its organisation's

    @property
    def who_for(self) -> str | None:
        """Audience and eligibility in words (the card's "For:" line)."""
        return who_for_summary(
            set(self.audiences),
            self.gender,
            self.minimum_age,
            self.maximum_age,
            frozenset(self.languages),
            self.eligibility,
        )


@dataclass(frozen=True)
class Entry:
    card: ServiceCard
    tier: int
    boroughs: frozenset
    strands: frozenset
    needs: frozenset
    audiences: frozenset
    languages: frozenset
    min_age: int | None
    max_age: int | None
    gender: str
    open_24_7: bool
    schedules: tuple  # (frozenset of day codes, "HH:MM", "HH:MM")


class Codes:
    """Bit positions for each vocabulary (terms and boroughs) in the mask columns."""

    def __init__(self):
        vocab = vocabulary()
        self.bits = {
            name: {code: i for i, code in enumerate(vocab.terms[name])}
            for name in ("strand", "need", "audience", "language")
        }
        self.bits["borough"] = {b: i for i, b in enumerate(places().labels)}
        for kind, bits in self.bits.items():  # masks are int64, sign bit left alone
            if len(bits) > 63:
                raise ValueError(f"{len(bits)} {kind} terms: the index's masks hold 63")

    def mask(self, kind: str, codes) -> int:
        bits = self.bits[kind]
        value = 0
        for code in codes:
            if code in bits:
                value |= 1 << bits[code]
        return value


def popcount(values: np.ndarray) -> np.ndarray:
    """Set bits of each int64 mask (all 64: a vocabulary can have up to 63 terms)."""
    return sum(_POPCOUNT[(values >> shift) & 0xFFFF] for shift in (0, 16, 32, 48))


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


class Index:
    def __init__(self, entries: list[Entry], version: int):
        self.version = version
        # Query-independent order, for services the query ranks equal: one a person can reach
        # now (a number to call, open day and night), then one with a website, then by name.
        entries = sorted(
            entries,
            key=lambda e: (
                not e.card.phones,
                not e.open_24_7,
                not e.card.url,
                e.card.name.casefold(),
                e.card.id,
            ),
        )
        self.entries = entries
        self.by_id = {e.card.id: e for e in entries}
        self.position = {e.card.id: i for i, e in enumerate(entries)}
        codes = self.codes = Codes()
        n = len(entries)

        def column(values, dtype):
            return np.fromiter(values, dtype=dtype, count=n)

        self.tier = column((e.tier for e in entries), np.int64)
        self.self_referral = column((e.card.self_referral for e in entries), bool)
        self.strands = column((codes.mask("strand", e.strands) for e in entries), np.int64)
        self.needs = column((codes.mask("need", e.needs) for e in entries), np.int64)
        self.audiences = column((codes.mask("audience", e.audiences) for e in entries), np.int64)
        self.languages = column((codes.mask("language", e.languages) for e in entries), np.int64)
        self.boroughs = column((codes.mask("borough", e.boroughs) for e in entries), np.int64)
        self.gender = column((GENDER_CODES[e.gender] for e in entries), np.int64)
        young = {"young-people"}
        low, high = vocabulary().age_ranges.get("young-people", (None, None))

        def age_bounds(e: Entry) -> tuple[int, int]:
            if e.min_age is None and e.max_age is None and e.audiences == young:
                return (NO_MIN_AGE if low is None else low, NO_MAX_AGE if high is None else high)
            return (
                NO_MIN_AGE if e.min_age is None else e.min_age,
                NO_MAX_AGE if e.max_age is None else e.max_age,
            )

        bounds = [age_bounds(e) for e in entries]
        self.min_age = column((b[0] for b in bounds), np.int64)
        self.max_age = column((b[1] for b in bounds), np.int64)
        self.open_24_7 = column((e.open_24_7 for e in entries), bool)
        self.rank = np.arange(n, dtype=np.int64)
        rows = [(i, s) for i, e in enumerate(entries) for s in e.schedules]
        self.schedule_service = np.array([i for i, _ in rows], dtype=np.int64)
        self.schedule_days = np.array(
            [sum(1 << DAYS.index(d) for d in s[0] if d in DAYS) for _, s in rows], dtype=np.int64
        )
        self.schedule_opens = np.array([minutes(s[1]) for _, s in rows], dtype=np.int64)
        # "23:59" means until midnight.
        self.schedule_closes = np.array(
            [1440 if s[2] == "23:59" else minutes(s[2]) for _, s in rows], dtype=np.int64
        )

    def eligible(self, audiences, age: int | None) -> np.ndarray:
        """Which services may take this person: gender-specific services and age ranges (a
        young people's service giving no range has the young-people one). The one definition
        of eligibility: the search masks with it, and a single service is looked up in it."""
        mask = np.ones(len(self.entries), dtype=bool)
        if "men" in audiences and "women" not in audiences:
            mask &= self.gender != GENDER_CODES["women"]
        if "women" in audiences and "men" not in audiences:
            mask &= self.gender != GENDER_CODES["men"]
        if age is not None:
            mask &= (self.min_age <= age) & (age <= self.max_age)
        return mask

    def open_at(self, now: datetime) -> np.ndarray:
        """Which services are open at `now` (London time): the one definition of opening
        hours, for the search's mask and for a single service alike."""
        mask = self.open_24_7.copy()
        if len(self.schedule_service):
            today = 1 << now.weekday()
            yesterday = 1 << ((now.weekday() - 1) % 7)
            t = now.hour * 60 + now.minute
            opens, closes, days = self.schedule_opens, self.schedule_closes, self.schedule_days
            same_day = (opens <= closes) & ((days & today) != 0) & (opens <= t) & (t < closes)
            overnight = (opens > closes) & (
                (((days & today) != 0) & (t >= opens)) | (((days & yesterday) != 0) & (t < closes))
            )
            mask[self.schedule_service[same_day | overnight]] = True
        return mask


def who_for_summary(audiences, gender, min_age, max_age, languages, eligibility) -> str | None:
    """The card's "For:" line, e.g. "Women; aged 16 or over; speaks Arabic. Must live in...".

    Shared by the bot's index and the editor's preview, so a maintainer previews exactly the
    words the bot will use."""
    vocab = vocabulary()
    parts = [vocab.label("audience", a) for a in sorted(audiences)]
    if gender != "any" and vocab.label("audience", gender) not in parts:
        parts.insert(0, vocab.label("audience", gender))
    if min_age is not None and max_age is not None:
        parts.append(say("aged_between", minimum=min_age, maximum=max_age))
    elif min_age is not None:
        parts.append(say("aged_or_over", minimum=min_age))
    elif max_age is not None:
        parts.append(say("aged_up_to", maximum=max_age))
    if languages:
        names = ", ".join(vocab.label("language", c) for c in sorted(languages))
        parts.append(say("speaks", languages=names))
    summary = "; ".join(parts)
    if eligibility:
        return f"{summary}. {eligibility}" if summary else eligibility
    return summary or None


# The service fields a card is made of (besides phones, audiences, languages and boroughs).
CARD_FIELDS = (
    "id", "name", "description", "url", "hours", "scope", "referral_route", "open_24_7",
    "gender", "minimum_age", "maximum_age", "eligibility_description", "email",
    "contact_verified", "last_verified", "notes", "application_process", "source_url",
    "source_checked", "interpretation_services",
)  # fmt: skip


def _date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def card_from_dict(payload: dict, organization: str, organization_website: str | None = None):
    """The bot's card for a service dict (directory.serialize's form, or a row's fields): the
    one place a card is made, for the bot's index and the editor's preview alike."""
    return ServiceCard(
        id=payload["id"],
        name=payload["name"],
        organization=organization,
        description=payload.get("description") or "",
        phones=tuple((p["number"], p.get("description") or "") for p in payload["phones"]),
        url=payload.get("url"),
        hours=payload.get("hours"),
        self_referral=payload["referral_route"] in ("self", "both"),
        scope=payload["scope"],
        referral_route=payload["referral_route"],
        open_24_7=bool(payload.get("open_24_7")),
        audiences=tuple(sorted(payload.get("audiences") or ())),
        gender=payload.get("gender") or "any",
        minimum_age=payload.get("minimum_age"),
        maximum_age=payload.get("maximum_age"),
        languages=tuple(sorted(payload.get("languages") or ())),
        eligibility=payload.get("eligibility_description"),
        interpretation=payload.get("interpretation_services"),
        email=payload.get("email"),
        verified=bool(payload.get("contact_verified")),
        last_verified=_date(payload.get("last_verified")),
        notes=payload.get("notes"),
        boroughs=tuple(sorted(payload.get("boroughs") or ())),
        application_process=payload.get("application_process"),
        source_host=_host(payload.get("source_url")),
        source_checked=_date(payload.get("source_checked")),
        website_hosts=tuple(
            h for h in (_host(payload.get("url")), _host(organization_website)) if h
        ),
    )


def _host(address: str | None) -> str | None:
    if not address:
        return None
    host = urlsplit(address).netloc.lower().rstrip(".")
    return host.removeprefix("www.") or None


def build_index(url: str, version: int) -> Index:
    with get_engine(url).connect() as connection:
        services = connection.execute(
            select(
                Service,
                Organization.name.label("organization_name"),
                Organization.website.label("organization_website"),
            )
            .join(Organization, Organization.id == Service.organization_id)
            .where(Service.status == "active")
        ).all()
        active = {row.id for row in services}

        def grouped(statement):
            out = defaultdict(list)
            for row in connection.execute(statement):
                if row[0] in active:
                    out[row[0]].append(row[1:])
            return out

        phones = grouped(
            select(Phone.service_id, Phone.number, Phone.description).order_by(
                Phone.service_id, Phone.position
            )
        )
        schedules = grouped(
            select(Schedule.service_id, Schedule.byday, Schedule.opens_at, Schedule.closes_at)
        )
        areas = grouped(select(ServiceArea.service_id, ServiceArea.borough))
        languages = grouped(select(Language.service_id, Language.code))
        terms = grouped(
            select(Attribute.link_id, TaxonomyTerm.taxonomy_id, TaxonomyTerm.code).join(
                TaxonomyTerm, TaxonomyTerm.id == Attribute.taxonomy_term_id
            )
        )
    entries = []
    for row in services:
        sid = row.id
        tags = defaultdict(set)
        for taxonomy, code in terms.get(sid, ()):
            tags[taxonomy].add(code)
        langs = frozenset(c for (c,) in languages.get(sid, ()))
        boroughs = tuple(sorted(b for (b,) in areas.get(sid, ())))
        card = card_from_dict(
            {
                **{f: getattr(row, f) for f in CARD_FIELDS},
                "phones": [{"number": n, "description": d} for n, d in phones.get(sid, ())],
                "audiences": tags["audience"],
                "languages": langs,
                "boroughs": boroughs,
            },
            row.organization_name,
            row.organization_website,
        )
        entries.append(
            Entry(
                card=card,
                tier=TIERS[row.scope],
                boroughs=frozenset(boroughs) if row.scope == "local" else frozenset(),
                strands=frozenset(tags["strand"]),
                needs=frozenset(tags["need"]),
                audiences=frozenset(tags["audience"]),
                languages=langs,
                min_age=row.minimum_age,
                max_age=row.maximum_age,
                gender=row.gender,
                open_24_7=bool(row.open_24_7),
                schedules=tuple(
                    (frozenset(days.split(",")), opens, closes)
                    for days, opens, closes in schedules.get(sid, ())
                ),
            )
        )
    return Index(entries, version)


_indexes: dict[str, Index] = {}
_lock = threading.Lock()


def data_version(url: str) -> int:
    with get_engine(url).connect() as connection:
        return connection.execute(
            text("SELECT data_version FROM directory_state WHERE id = 1")
        ).scalar_one()


def current_index(url: str | None = None) -> Index:
    """The index for this database, rebuilt if anything was written since it was built."""
    url = url or database_url()
    version = data_version(url)
    index = _indexes.get(url)
    if index is not None and index.version == version:
        return index
    with _lock:
        index = _indexes.get(url)
        if index is None or index.version != version:
            # The version is read before the rows: a write in between only causes a rebuild.
            index = build_index(url, version)
            _indexes[url] = index
    return index
