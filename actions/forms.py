"""Validate the search form: what kind of help (a need, or a strand instead) and where.

Every question can be skipped: a skip fills the slot with "any". Values are canonical ids from
the gazetteer; anything else is dropped. Nothing the person typed is logged or repeated back.
When the answer completes the form, the first page of results comes back in the same call.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.search import SKIPPED, results_page
from directory.places import OUTSIDE_LONDON, borough_label, is_known_borough, partnership_boroughs
from directory.taxonomy import vocabulary


def area_outcome(borough: str | None) -> tuple[str, str | None]:
    """(search_outcome, area_label) for a borough slot value."""
    if not borough or borough == SKIPPED:
        return "anywhere", None
    if borough in partnership_boroughs():
        return "local", borough_label(borough)
    if borough == OUTSIDE_LONDON:
        return "out_of_area", "your area"
    return "out_of_area", borough_label(borough)


class ValidateSearchForm(FormValidationAction):
    def name(self) -> str:
        return "validate_search_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)  # also updates tracker.slots
        # Results as the form completes, rather than from a separate action after it: that
        # spared the Rasa server a policy prediction and a second call to this server on every
        # search, the slowest turns under load.
        if _completes_the_form(events):
            events += await results_page(dispatcher, tracker, offset=0)
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        # One "what kind of help" question: a strand ("it's stalking") answers it as well as
        # a need ("counselling") does, so the strand is never asked for on its own.
        if tracker.get_slot("strand") and not tracker.get_slot("need"):
            return ["strand", "borough"]
        return ["need", "borough"]

    # Several entities of one kind in a message ("chelsea not westminster") arrive as a list;
    # the first is the one people mean most often.
    def validate_need(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"need": _term("need", _first(value))}

    def validate_strand(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        return {"strand": _term("strand", _first(value))}

    def validate_borough(self, value: Any, dispatcher, tracker, domain) -> dict[str, Any]:
        # The kind of answer (local, anywhere, out of area) is settled with the borough, so
        # the rules can say the right introduction before the results.
        value = _first(value)
        if not (value in (SKIPPED, OUTSIDE_LONDON) or is_known_borough(str(value))):
            return {"borough": None, "search_outcome": None, "area_label": None}
        outcome, label = area_outcome(value)
        return {"borough": value, "search_outcome": outcome, "area_label": label}


def _completes_the_form(events: list[dict[str, Any]]) -> bool:
    """True when validation leaves nothing to ask, which is how Rasa ends the form too."""
    requested = [e for e in events if e.get("event") == "slot" and e["name"] == REQUESTED_SLOT]
    return bool(requested) and requested[-1]["value"] is None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _term(taxonomy: str, value: Any) -> str | None:
    if value == SKIPPED:
        return SKIPPED
    return value if isinstance(value, str) and vocabulary().knows(taxonomy, value) else None
