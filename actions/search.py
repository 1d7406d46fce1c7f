"""Search the directory with what the conversation has gathered, and page through results.

A page is the whole answer: on the first page the introduction ("Here are services that can
help in Westminster:") and any note on how the directory widened the search, then up to three
services, then the offer of more or of something else. The words are the domain's responses.
The first page is shown by validate_search_form as the form completes (actions/forms.py);
"show more" comes here.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.signals import SKIPPED, Signals
from directory import insight
from directory.cards import service_text
from directory.matching import SearchQuery, search
from directory.places import OUTSIDE_LONDON, borough_label, is_known_borough, partnership_boroughs
from directory.wording import ENGLISH, current_language

PAGE_SIZE = 3
MAX_RESULTS = 12  # four pages of "show more" at most
INTRODUCTIONS = {
    "local": "utter_results_local",
    "anywhere": "utter_results_anywhere",
    "out_of_area": "utter_results_out_of_area",
}


def area_outcome(borough: str | None) -> tuple[str, str | None]:
    """(search_outcome, area_label) for a borough slot value."""
    if not borough or borough == SKIPPED:
        return "anywhere", None
    if borough in partnership_boroughs():
        return "local", borough_label(borough)
    if borough == OUTSIDE_LONDON:
        return "out_of_area", "your area"
    if is_known_borough(borough):
        return "out_of_area", borough_label(borough)
    return "anywhere", None


def build_query(signals: Signals) -> SearchQuery:
    borough = signals.borough if signals.borough not in (None, SKIPPED) else None
    # Services that work in the language the conversation is in come first (unless the
    # person named the languages they speak).
    spoken = current_language()
    languages = signals.languages or ((spoken,) if spoken != ENGLISH else ())
    return SearchQuery(
        boroughs=(borough,) if borough else (),
        strands=signals.strands,
        needs=signals.needs,
        audiences=signals.audiences,
        age=signals.age,
        languages=languages,
        named=signals.named,
        for_professional=bool(signals.role),
        limit=None,  # we filter and page ourselves
    )


def _with_a_number_first_page(matches: list) -> list:
    """The first page always has a number to call: if none of its services has one, the best
    later one that does takes the page's last place (someone in a hurry needs a number)."""
    if not matches or any(m.service.phones for m in matches[:PAGE_SIZE]):
        return matches
    callable_ = next((i for i, m in enumerate(matches) if m.service.phones), None)
    if callable_ is None:
        return matches
    last = min(PAGE_SIZE, len(matches)) - 1
    reordered = matches[:last] + [matches[callable_]] + matches[last:]
    del reordered[callable_ + 1]
    return reordered


def _serves_anywhere(card) -> bool:
    """With no area given: London-wide and national services, and local ones that cover the
    whole partnership (this chat lives on the partnership's website)."""
    return card.scope != "local" or set(partnership_boroughs()) <= set(card.boroughs)


def count_search(
    signals: Signals, widened: bool, matches: list, languages: tuple[str, ...] = ()
) -> None:
    """The insight counters (directory.insight): this search, by vocabulary ids only, and its
    gap: widened, or nothing local in a partnership borough. `languages`: those searched for
    (said, or the conversation's)."""
    dims = {
        "borough": insight.borough_id(signals.borough),
        "strand": insight.term_id("strand", signals.strands),
        "need": insight.term_id("need", signals.needs),
        "audience": insight.term_id("audience", signals.audiences),
        "language": insight.term_id("language", languages or signals.languages),
        "asker": insight.asker_id(bool(signals.role)),
    }
    insight.record("search", **dims)
    del dims["language"], dims["asker"]
    if widened:
        insight.record("gap", **dims, detail="widened")
    if dims["borough"] in partnership_boroughs() and not any(
        m.service.scope == "local" and dims["borough"] in m.service.boroughs for m in matches
    ):
        insight.record("gap", **dims, detail="no-local")


async def results_page(
    dispatcher: CollectingDispatcher, signals: Signals, offset: int
) -> tuple[list[dict[str, Any]], bool]:
    """Say the page of results that starts at `offset`; return the paging slots, and whether
    there are more."""
    query = build_query(signals)
    # The directory is synchronous (SQLAlchemy); keep it off the action server's loop.
    result = await asyncio.to_thread(search, query)
    matches = [
        m
        for m in result.matches
        if query.boroughs or m.service.id in query.named or _serves_anywhere(m.service)
    ]
    matches = _with_a_number_first_page(matches[:MAX_RESULTS])
    page = matches[offset : offset + PAGE_SIZE]
    if offset == 0:
        count_search(signals, result.widened, matches, query.languages)
        outcome, label = area_outcome(signals.borough)
        dispatcher.utter_message(response=INTRODUCTIONS[outcome], area_label=label)
        if result.widened:
            for note in result.notes:  # the directory's own words on how it broadened
                dispatcher.utter_message(text=note)
    for match in page:
        dispatcher.utter_message(text=service_text(match))
    shown = offset + len(page)
    more = shown < len(matches)
    return [SlotSet("results_shown", float(shown)), SlotSet("more_results", more)], more
