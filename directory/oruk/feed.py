"""The read API's data: every service as Open Referral UK 3.0 JSON, with what its filters read.

`current_feed(url)` is built once per `directory_state.data_version` (bumped by triggers on
every write, from any process, as for directory.index): each service is serialised once, by
the HSDS serialiser (`hsds_service`), and a request only filters, slices and encodes.

Objects, as the profile's schemas (directory/oruk/schema/) name them:
- a full service (`compiled/service.json`): the HSDS export's service plus `last_modified`
  and `contacts` (the directory keeps no named contacts: empty); it keeps HSDS `phones`, which
  the profile leaves out but allows, and the `x_vawg` extension the importer reads back;
- a listed service (`compiled/service_list.json`): its one-to-one fields and organization;
- a service at a location: listed (`compiled/service_at_location_list.json`: its location's
  and its service's one-to-one fields) or full (the profile declares `compiled/service.json`
  for it: the full service with only that location);
- taxonomies and terms: our vocabularies (directory.taxonomy), as the HSDS export tags them.

Privacy: a refuge's or confidential location has no address here either, because the HSDS
serialiser never gives one (directory.rules.address_hidden), and no location has coordinates.

Filters follow the profile's parameters literally: `minimum_age=N` keeps services whose
minimum age is at least N (none given counts as 0), `maximum_age=N` those whose maximum age is
N or below (none given: no maximum, so not kept); `day`, `start_time` and `end_time` need one
schedule that is on that day, opens at or after the start and closes at or before the end (a
service open 24/7 without schedules counts as open every day, 00:00 to 23:59). `postcode`
keeps the services covering the boroughs of its district (directory.places): local services
by their areas and locations, pan-London ones anywhere in London, national ones everywhere;
with `proximity`, only services whose areas or locations are in those boroughs (the project
has no postcode centroids, so nearness is the district's borough, not metres).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from directory.db import database_url, make_session
from directory.formats import EXTENSION, hsds_service, hsds_taxonomy, hsds_term
from directory.index import data_version
from directory.models import Organization, Service
from directory.places import PlaceResolution
from directory.rules import DAYS
from directory.serialize import SERVICE_CHILDREN, organization_to_dict, service_to_dict
from directory.taxonomy import TAXONOMY_NAMES, term_id, vocabulary

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
PAGE_KEYS = (
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
)
# A service open day and night with no schedule rows, for the day and time filters.
ALL_WEEK = ((frozenset(DAYS), "00:00", "23:59"),)


def timestamp(moment: datetime) -> str:
    """A stored (naive UTC) time as the profile's date-time, to the millisecond."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def one_to_one(obj: dict) -> dict:
    """An object's own fields: no lists of children, no extension."""
    return {k: v for k, v in obj.items() if not isinstance(v, list) and k != EXTENSION}


def oruk_service(service: dict, organization: dict, modified: datetime) -> dict:
    """One service dict (directory.serialize) as the profile's fully nested service."""
    out = hsds_service(service, organization)
    out["last_modified"] = timestamp(modified)
    out["contacts"] = []
    return out


@dataclass(frozen=True)
class Entry:
    full: dict  # compiled/service.json
    listed: dict  # compiled/service_list.json
    text: str  # what `search` looks in, case-folded
    terms: frozenset[str]  # taxonomy term ids: its attributes' and its languages'
    taxonomies: frozenset[str]  # the ids of those terms' taxonomies
    minimum_age: int | None
    maximum_age: int | None
    schedules: tuple[tuple[frozenset[str], str, str], ...]  # (days, opens, closes)
    scope: str
    areas: frozenset[str]  # boroughs of its service areas
    location_boroughs: frozenset[str]
    modified: datetime

    @property
    def id(self) -> str:
        return self.full["id"]


def _entry(service: dict, organization: dict, modified: datetime) -> Entry:
    full = oruk_service(service, organization, modified)
    listed = one_to_one(full) | {"organization": one_to_one(full["organization"])}
    terms = {a["taxonomy_term_id"] for a in full["attributes"]}
    terms |= {term_id("language", code) for code in service["languages"]}
    labels = [a["taxonomy_term"]["name"] for a in full["attributes"]]
    schedules = tuple(
        (frozenset(s["byday"].split(",")), s["opens_at"], s["closes_at"])
        for s in service["schedules"]
    )
    return Entry(
        full=full,
        listed=listed,
        text=" ".join(
            [service["name"], service["description"] or "", organization["name"], *labels]
        ).casefold(),
        terms=frozenset(terms),
        taxonomies=frozenset(a["taxonomy_term"]["taxonomy_id"] for a in full["attributes"])
        | ({hsds_taxonomy("language")["id"]} if service["languages"] else set()),
        minimum_age=service["minimum_age"],
        maximum_age=service["maximum_age"],
        schedules=schedules or (ALL_WEEK if service["open_24_7"] else ()),
        scope=service["scope"],
        areas=frozenset(service["boroughs"]),
        location_boroughs=frozenset(
            loc["borough"] for loc in service["locations"] if loc["borough"]
        ),
        modified=modified,
    )


def _listed_location(sal: dict, listed: dict) -> dict:
    return {
        "id": sal["id"],
        "service_id": sal["service_id"],
        "location_id": sal["location_id"],
        "location": one_to_one(sal["location"]),
        "service": listed,
    }


@dataclass(frozen=True)
class Taxonomy:
    name: str  # our vocabulary's id: "strand", "need", ...
    object: dict  # taxonomy.json, without its terms
    terms: tuple[dict, ...]  # taxonomy_term.json


class Feed:
    def __init__(self, entries: list[Entry], version: int):
        self.version = version
        # A stable order that reads well: by name, then id.
        self.entries = sorted(entries, key=lambda e: (e.full["name"].casefold(), e.id))
        self.services: dict[str, Entry] = {}
        self.locations: dict[str, tuple[Entry, dict]] = {}  # service_at_location id -> ...
        for entry in self.entries:
            # Our slug too, for people trying the API by hand.
            self.services[entry.id] = self.services[entry.full[EXTENSION]["id"]] = entry
            for sal in entry.full["service_at_locations"]:
                self.locations[sal["id"]] = (entry, sal)
        vocab = vocabulary()
        self.taxonomies = [
            Taxonomy(name, hsds_taxonomy(name), tuple(hsds_term(name, c) for c in codes))
            for name, codes in ((n, vocab.terms[n]) for n in TAXONOMY_NAMES)
        ]
        self.taxonomy_by_id = {t.object["id"]: t for t in self.taxonomies} | {
            t.name: t for t in self.taxonomies
        }
        self.terms = [term for t in self.taxonomies for term in t.terms]
        self.term_by_id = {term["id"]: term for term in self.terms}

    def taxonomy(self, key: str) -> Taxonomy | None:
        return self.taxonomy_by_id.get(key)

    def taxonomy_with_terms(self, taxonomy: Taxonomy) -> dict:
        return taxonomy.object | {"taxonomy_terms": list(taxonomy.terms)}

    def located(self, sal_id: str) -> dict | None:
        """The full service at one of its locations (the schema the profile declares for it)."""
        found = self.locations.get(sal_id)
        if found is None:
            return None
        return self.located_form(*found, full=True)

    @staticmethod
    def service_locations(entries: list[Entry]) -> list[tuple[Entry, dict]]:
        """Each service at each of its locations: (entry, service_at_location)."""
        return [(entry, sal) for entry in entries for sal in entry.full["service_at_locations"]]

    @staticmethod
    def located_form(entry: Entry, sal: dict, full: bool = False) -> dict:
        """A service at a location as a list gives it: listed, or the full service there."""
        if full:
            return entry.full | {"service_at_locations": [sal]}
        return _listed_location(sal, entry.listed)


@dataclass(frozen=True)
class Query:
    """A services query, its values already checked (directory.web.oruk parses them)."""

    words: tuple[str, ...] = ()  # `search`, case-folded
    term_id: str | None = None
    taxonomy_id: str | None = None  # the taxonomy's UUID
    minimum_age: float | None = None
    maximum_age: float | None = None
    start_time: str | None = None  # "HH:MM"
    end_time: str | None = None
    day: str | None = None  # "MO".."SU"
    modified_after: datetime | None = None  # naive UTC
    place: PlaceResolution | None = None  # from `postcode`
    near: bool = False  # `proximity` given
    with_locations: bool = False  # only services with a location (service_at_locations)

    def tests(self) -> list:
        """One test per filter given, so an entry is only asked what the query asks."""
        tests = []
        if self.with_locations:
            tests.append(lambda e: bool(e.full["service_at_locations"]))
        tests += [lambda e, w=w: w in e.text for w in self.words]
        if self.term_id:
            tests.append(lambda e: self.term_id in e.terms)
        if self.taxonomy_id:
            tests.append(lambda e: self.taxonomy_id in e.taxonomies)
        if self.minimum_age is not None:
            tests.append(lambda e: (e.minimum_age or 0) >= self.minimum_age)
        if self.maximum_age is not None:
            tests.append(lambda e: e.maximum_age is not None and e.maximum_age <= self.maximum_age)
        if self.day or self.start_time or self.end_time:
            tests.append(self._scheduled)
        if self.modified_after:
            tests.append(lambda e: e.modified >= self.modified_after)
        if self.place is not None:
            tests.append(self._covers)
        return tests

    def _scheduled(self, entry: Entry) -> bool:
        return any(
            (self.day is None or self.day in days)
            and (self.start_time is None or opens >= self.start_time)
            and (self.end_time is None or closes <= self.end_time)
            for days, opens, closes in entry.schedules
        )

    def _covers(self, entry: Entry) -> bool:
        place = self.place
        boroughs = set(place.boroughs)
        if boroughs & (entry.areas | entry.location_boroughs):
            return True
        if self.near:
            return False
        if entry.scope in ("national", "emergency"):
            return True
        return entry.scope == "pan-london" and place.kind in ("partnership", "other-london")


def select_entries(feed: Feed, query: Query) -> list[Entry]:
    entries = feed.entries
    for test in query.tests():  # each narrows what the next one reads
        entries = list(filter(test, entries))
    return entries


def page(items: list, number: int, per_page: int) -> dict:
    """The profile's paginated envelope (its Page schema) around one page of `items`."""
    total = len(items)
    pages = math.ceil(total / per_page)
    contents = items[(number - 1) * per_page : number * per_page]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": not contents,
        "contents": contents,
    }


def build_feed(url: str, version: int) -> Feed:
    session = make_session(url)
    try:
        organizations = {
            o.id: organization_to_dict(o) for o in session.execute(select(Organization)).scalars()
        }
        entries = [
            _entry(service_to_dict(s), organizations[s.organization_id], s.updated_at)
            for s in session.execute(select(Service).options(*SERVICE_CHILDREN)).scalars()
        ]
    finally:
        session.close()
    return Feed(entries, version)


_feeds: dict[str, Feed] = {}
_lock = threading.Lock()


def current_feed(url: str | None = None) -> Feed:
    """The feed for this database, rebuilt if anything was written since it was built.

    One request rebuilds; requests arriving meanwhile are answered from the version before
    (a large directory takes seconds to serialise, and a read feed may lag that long) rather
    than all waiting. With no feed yet, they wait for it."""
    url = url or database_url()
    version = data_version(url)
    feed = _feeds.get(url)
    if feed is not None and feed.version == version:
        return feed
    if not _lock.acquire(blocking=feed is None):
        return feed
    try:
        feed = _feeds.get(url)
        if feed is None or feed.version != version:
            # The version is read before the rows: a write in between only causes a rebuild.
            feed = build_feed(url, version)
            _feeds[url] = feed
    finally:
        _lock.release()
    return feed


def utc(moment: datetime) -> datetime:
    """An aware time as naive UTC, as stored; a naive one is taken as UTC already."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
