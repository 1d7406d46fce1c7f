"""Find services for a person: the one function the bot's actions call.

Contract (actions depend on it; new fields only ever come with defaults):

    search(SearchQuery(...), database_url=None) -> SearchResult

SearchQuery (all optional):
    boroughs   canonical place ids ("westminster") or free text; `place` free text too:
               a borough, neighbourhood ("Shepherd's Bush"), postcode district ("W6") or
               full postcode (reduced to its district). See directory.places.resolve_place.
    strands    VAWG strand ids; a service must address one of them.
    needs      need ids; a service must meet one of them.
    audiences  audience ids ("women", "men", "lgbt", "young-people", ...): rank specialist
               services first; "women"/"men" also exclude services for the other gender only.
    age        years: excludes services whose age range leaves the person out.
    languages  language codes ("ar"): services that work in the language come first.
    open_now   only services open at `now` (default: the current time in London).
    limit      at most this many matches (None: all). include_emergency: add 999 etc.

SearchResult:
    matches    ranked, never empty: local services covering the borough, then pan-London,
               then national (outside London: national before pan-London). Ties: services
               meeting more of what was asked, then specialist audience and language, then
               name, then id (deterministic).
    widened    True when nothing fitted everything asked and the search was broadened; the
               strand's helpline (or the 24/7 National Domestic Abuse Helpline) is included.
    notes      plain-English sentences for the user (why widened, out of area, ...).
    out_of_area  True when the place is outside the three boroughs.
    place      the PlaceResolution used (or None).

Each Match has `service` (a ServiceCard: plain, immutable data) and `reason` ("Covers
Westminster · refuge"). `verified=False` on a card means "please check" before relying on it.

Speed: an in-process index per database, rebuilt when `directory_state.data_version` (bumped
by database triggers on any write, from any process) differs from the one it was built at.
Each search costs one tiny SELECT plus set operations in memory.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from directory.index import TIERS, Entry, Index, ServiceCard, current_index
from directory.places import (
    PlaceResolution,
    borough_label,
    partnership_boroughs,
    partnership_names,
    resolve_boroughs,
)
from directory.ranking import Plan, rank
from directory.taxonomy import vocabulary
from directory.wording import say, short_label

LONDON = ZoneInfo("Europe/London")
FALLBACK_HELPLINE_ID = "national-domestic-abuse-helpline"
# The helpline to add when a search has to be widened, per strand.
STRAND_HELPLINES = {
    "domestic-abuse": "national-domestic-abuse-helpline",
    "sexual-violence": "rape-crisis-support-line",
    "stalking": "national-stalking-helpline",
    "honour-based-abuse": "karma-nirvana-helpline",
    "forced-marriage": "forced-marriage-unit",
    "fgm": "nspcc-fgm-helpline",
    "faith-based-abuse": "national-domestic-abuse-helpline",
    "modern-slavery": "modern-slavery-helpline",
}
MEN_DOMESTIC_ABUSE_HELPLINE = "mens-advice-line"
DEFAULT_LIMIT = 10
# When a need has no match, the strand it implies keeps the widened search on topic.
NEED_STRANDS = {
    "refuge": "domestic-abuse",
    "idva": "domestic-abuse",
    "housing": "domestic-abuse",
    "fgm-clinic": "fgm",
    "sarc": "sexual-violence",
    "perpetrator-programme": "domestic-abuse",
}


@dataclass(frozen=True)
class SearchQuery:
    boroughs: tuple[str, ...] = ()  # canonical place ids, e.g. "westminster" (or free text)
    strands: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    place: str | None = None
    audiences: tuple[str, ...] = ()
    age: int | None = None
    languages: tuple[str, ...] = ()
    open_now: bool = False
    now: datetime | None = None
    limit: int | None = DEFAULT_LIMIT
    include_emergency: bool = False
    for_professional: bool = False  # True: no preference for services you can contact yourself
    named: tuple[str, ...] = ()  # service ids the person asked about by name: shown first


@dataclass(frozen=True)
class Match:
    service: ServiceCard
    reason: str


@dataclass
class SearchResult:
    matches: list[Match]
    widened: bool = False
    notes: list[str] = field(default_factory=list)
    out_of_area: bool = False
    place: PlaceResolution | None = None


# --- reasons, the fallback helpline and the search ----------------------------------------


def _label(taxonomy: str, code: str) -> str:
    return short_label(code) or code.replace("-", " ")


def _coverage(entry: Entry, boroughs: tuple[str, ...]) -> str:
    if entry.tier == 0:
        shown = [b for b in boroughs if b in entry.boroughs] or sorted(entry.boroughs)
        if set(partnership_boroughs()) <= entry.boroughs and len(shown) > 1:
            return say("covers_the_partnership")
        return say("covers", boroughs=say("and").join(borough_label(b) for b in shown))
    return say({1: "tier_pan_london", 2: "tier_national", 3: "tier_emergency"}[entry.tier])


def _reason(entry: Entry, q: Plan) -> str:
    parts = [_coverage(entry, q.boroughs)]
    parts += [_label("need", n) for n in sorted(entry.needs & q.needs)]
    if not (entry.needs & q.needs):
        parts += [_label("strand", s) for s in sorted(entry.strands & q.strands)][:2]
    parts += [
        say("reason_for", audience=_label("audience", a))
        for a in sorted(entry.audiences & q.audiences)
    ]
    vocab = vocabulary()
    parts += [
        say("reason_speaks", languages=vocab.label("language", c))
        for c in sorted(entry.languages & q.languages)
    ]
    if entry.open_24_7:
        parts.append(say("reason_24_7"))
    elif q.open_now and entry.card.id in q.open_ids:
        parts.append(say("reason_open_now"))
    return " · ".join(parts)


def _fallback(index: Index, q: Plan) -> Entry | None:
    wanted = []
    if (
        "men" in q.audiences
        and "women" not in q.audiences
        and (not q.strands or "domestic-abuse" in q.strands)
    ):
        wanted.append(MEN_DOMESTIC_ABUSE_HELPLINE)
    wanted += [STRAND_HELPLINES[s] for s in sorted(q.strands) if s in STRAND_HELPLINES]
    wanted.append(FALLBACK_HELPLINE_ID)
    eligible = index.eligible(q.audiences, q.age)
    for sid in wanted:
        entry = index.by_id.get(sid)
        if entry is not None and eligible[index.position[sid]]:
            if q.open_now and sid not in q.open_ids:
                continue  # asked for "open now": only a helpline that is open
            return entry
    helplines = sorted(
        (e for e in index.entries if e.open_24_7 and e.tier == 2),
        key=lambda e: (e.card.name.casefold(), e.card.id),
    )
    return helplines[0] if helplines else None


# Last resort if the directory is empty or broken: the number is sourced (services.md).
_STATIC_FALLBACK = ServiceCard(
    id=FALLBACK_HELPLINE_ID,
    name="National Domestic Abuse Helpline",
    organization="Refuge",
    description="Free, confidential support for anyone experiencing domestic abuse, 24/7.",
    phones=(("0808 2000 247", "free, 24/7"),),
    url="https://nationaldahelpline.org.uk",
    hours="24 hours a day, 7 days a week",
    self_referral=True,
    scope="national",
    open_24_7=True,
)


def search(query: SearchQuery, database_url: str | None = None) -> SearchResult:
    index = current_index(database_url)
    place_inputs = [*query.boroughs, *([query.place] if query.place else [])]
    place = resolve_boroughs(place_inputs) if place_inputs else None
    kind = place.kind if place else "unknown"
    boroughs = place.boroughs if place and kind == "partnership" else ()
    now = (query.now.astimezone(LONDON) if query.now and query.now.tzinfo else query.now) or (
        datetime.now(LONDON)
    )
    open_ids = frozenset()
    if query.open_now:
        open_ids = frozenset(index.entries[i].card.id for i in index.open_at(now).nonzero()[0])
    q = Plan(
        boroughs=boroughs,
        kind=kind,
        strands=frozenset(query.strands),
        needs=frozenset(query.needs),
        audiences=frozenset(query.audiences),
        languages=frozenset(query.languages),
        age=query.age,
        open_now=query.open_now,
        now=now,
        for_professional=query.for_professional,
        open_ids=open_ids,
    )
    result = SearchResult(matches=[], place=place)
    result.out_of_area = kind in ("other-london", "outside-london")
    if result.out_of_area:
        where = (
            "out_of_area_other_london" if kind == "other-london" else "out_of_area_outside_london"
        )
        result.notes.append(
            say(
                "out_of_area",
                place=place.label or say("out_of_area_place"),
                partnership=partnership_names(),
                where=say(where),
            )
        )
    elif place is not None and kind == "unknown" and place_inputs:
        result.notes.append(say("unknown_place"))

    # The strict search, then broader ones: the nearest broader match wins.
    implied = frozenset(NEED_STRANDS[n] for n in q.needs if n in NEED_STRANDS)
    helplines_only = frozenset({"helpline"})
    ladder = [(q.strands, q.needs, q.open_now, None)]
    if q.open_now:
        ladder.append((q.strands, q.needs, False, "open"))
    if q.needs and (q.strands or implied):
        ladder.append((q.strands or implied, frozenset(), False, "needs"))
    if q.needs and q.strands:
        ladder.append((frozenset(), q.needs, False, "strands"))
    if q.strands or implied:
        ladder.append((q.strands or implied, helplines_only, False, "helplines"))
    ladder.append((frozenset(), helplines_only, False, "helplines"))
    entries: list[Entry] = []
    widened_by = None
    for strands, needs, open_now, relaxed in ladder:
        entries = rank(index, q, strands, needs, open_now, query.limit)
        if entries:
            widened_by = relaxed
            break
    if implied and not q.strands:
        # Reasons and the fallback helpline follow the strand the need implies.
        q = dataclasses.replace(q, strands=implied)
    result.matches = [Match(e.card, _reason(e, q)) for e in entries]

    if widened_by is not None or not entries:
        result.widened = True
        result.notes.append(_widened_note(q, widened_by))
        helpline = _fallback(index, q)
        if helpline is None:
            if not any(m.service.id == FALLBACK_HELPLINE_ID for m in result.matches):
                result.matches.append(Match(_STATIC_FALLBACK, "National · 24/7 helpline"))
        elif all(m.service.id != helpline.card.id for m in result.matches):
            at = (
                len(result.matches)
                if query.limit is None
                else min(len(result.matches), query.limit - 1)
            )
            result.matches.insert(
                max(at, 0), Match(helpline.card, _reason(helpline, q) + " · helpline")
            )
            if query.limit is not None:
                del result.matches[query.limit :]
    named = [index.by_id[sid] for sid in dict.fromkeys(query.named) if sid in index.by_id]
    if named:
        # Asked about by name: that service first, whatever else the search found (an entry
        # retired since is simply not there).
        ids = {e.card.id for e in named}
        result.matches = [Match(e.card, _reason(e, q)) for e in named] + [
            m for m in result.matches if m.service.id not in ids
        ]
    if q.languages and not any(e.languages & q.languages for e in entries):
        names = ", ".join(vocabulary().label("language", c) for c in sorted(q.languages))
        result.notes.append(say("no_language", languages=names))
    if query.include_emergency:
        result.matches += [Match(c, "Emergency") for c in emergency_cards(database_url)]
    return result


def _widened_note(q: Plan, relaxed: str | None) -> str:
    asked = [_label("need", n) for n in sorted(q.needs)] + [
        _label("strand", s) for s in sorted(q.strands)
    ]
    what = say("and").join(asked) if asked else say("widened_what")
    if relaxed == "open":
        return say("widened_open")
    if relaxed in ("needs", "strands"):
        return say("widened", what=what)
    return say("widened_to_helplines", what=what)


def emergency_cards(database_url: str | None = None) -> list[ServiceCard]:
    """999, Silent Solution, 101 and emergency SMS, in that order (from the directory)."""
    index = current_index(database_url)
    order = ("emergency-999", "silent-solution", "police-101", "emergency-sms")
    cards = [index.by_id[i].card for i in order if i in index.by_id]
    rest = sorted(
        (e.card for e in index.entries if e.tier == 3 and e.card.id not in order),
        key=lambda c: c.id,
    )
    return cards + rest


__all__ = [
    "TIERS",
    "Match",
    "SearchQuery",
    "SearchResult",
    "ServiceCard",
    "current_index",
    "emergency_cards",
    "search",
]
