"""Every turn's reply: the best answer what is known allows, then an offer to narrow it.

One action answers every message but quick exit (data/rules/answer.yml), so no gate or
confirmation can drop a question:

1. danger lines first, when the message is urgent (then the answer follows in the same reply);
2. the answer: a professional's pathway, a definition, or services for this person
   (directory search with every signal: strand, need, place, who they are, age, language);
3. one offer to narrow it: the area if unknown, else the kind of help, else more results.

Skipping a question ("skip", "I'd rather not say") answers with what is known. The words are
the domain's responses; this module only chooses them.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import (
    LANGUAGE_SLOT,
    LanguageDispatcher,
    danger_response,
    reply_language,
)
from actions.pathways import answer_professional
from actions.search import results_page
from actions.signals import PROFESSIONAL_INTENTS, Signals
from directory import insight
from directory.wording import speaking

SMALL_TALK = {"greet": "utter_greet", "goodbye": "utter_goodbye", "thanks": "utter_thanks"}
SKIPS = frozenset({"skip", "deny"})
SEARCH_SIGNALS = frozenset(
    {"strands", "needs", "borough", "audiences", "age", "languages", "named"}
)
ASKED = "asked"  # the slot: which narrowing question the last reply ended with


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _faq_response(tracker: Tracker) -> str | None:
    selected = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    key = (selected.get("response") or {}).get("utter_action")
    return key if isinstance(key, str) and key.startswith("utter_faq/") else None


def _is_professional(signals: Signals) -> bool:
    """A role said (now or before), or a professional's question ("how do I refer...") about
    a situation we know. The classifier's intent alone does not decide it: survivors who
    mention their children read like professionals to it."""
    return bool(signals.role) or (signals.professional_question and bool(signals.pathways))


async def _services(
    dispatcher: CollectingDispatcher, signals: Signals, offset: int = 0
) -> list[dict[str, Any]]:
    events, more = await results_page(dispatcher, signals, offset)
    if signals.borough is None:
        dispatcher.utter_message(response="utter_narrow_area")
        return [*events, SlotSet(ASKED, "borough")]
    if not (signals.strands or signals.needs):
        dispatcher.utter_message(response="utter_narrow_need")
        return [*events, SlotSet(ASKED, "need")]
    dispatcher.utter_message(response="utter_results_next" if more else "utter_results_end")
    return [*events, SlotSet(ASKED, None)]


class ActionAnswer(Action):
    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        language = reply_language(tracker)
        signals = Signals.of(tracker)
        events = []
        if language != tracker.get_slot(LANGUAGE_SLOT):
            events.append(SlotSet(LANGUAGE_SLOT, language))
        if signals.urgent:
            # Said as it was spoken: the danger lines in the language of the danger.
            dispatcher.utter_message(response=danger_response(tracker, language))
        with speaking(language):
            dispatcher = LanguageDispatcher(dispatcher, language)
            return [*events, *await self._answer(dispatcher, tracker, signals)]

    async def _answer(
        self, dispatcher: LanguageDispatcher, tracker: Tracker, signals: Signals
    ) -> list[dict[str, Any]]:
        intent = _intent(tracker)
        if intent in SKIPS:
            signals = signals.with_skipped(tracker.get_slot(ASKED) or "borough")
        if intent == "search_again":
            signals = Signals(role=signals.role)
        events = signals.slot_events(tracker)
        if signals.urgent:
            insight.record("danger", asker=insight.asker_id(bool(signals.role)))
        searched = bool(signals.new & SEARCH_SIGNALS)

        if intent in SMALL_TALK and not searched:
            dispatcher.utter_message(response=SMALL_TALK[intent])
            return events
        if intent == "search_again":
            dispatcher.utter_message(response="utter_start_again")
            return [*events, SlotSet(ASKED, None)]
        if intent == "change_area":
            dispatcher.utter_message(response="utter_ask_borough")
            return [*events, SlotSet(ASKED, "borough")]
        if intent == "change_need":
            dispatcher.utter_message(response="utter_ask_need")
            return [*events, SlotSet(ASKED, "need")]
        if intent == "show_more":
            shown = int(tracker.get_slot("results_shown") or 0)
            return [*events, *await _services(dispatcher, signals, offset=shown)]
        if intent == "faq" and signals.role and signals.pathways:
            intent = "ask_pathway"  # a professional's situation, not a definition
        if intent == "faq" and (faq := _faq_response(tracker)):
            dispatcher.utter_message(response=faq)
            if not searched:
                return events
            # A question with a situation in it ("is this abuse? I'm in Fulham"): the
            # definition, then services for it.
        if _is_professional(signals):
            events += await answer_professional(dispatcher, tracker, signals, intent)
            if not (signals.new & {"strands", "needs"}):
                return events
            # What a professional can refer to or signpost, for the situation described.
            return [*events, *await _services(dispatcher, signals)]
        if (
            intent in PROFESSIONAL_INTENTS
            and signals.professional_question
            and not searched
            and not (signals.strands or signals.needs)
        ):
            # A professional's kind of question, but no role and nothing known of the situation
            # (now or earlier in the conversation): ask which, and take support for oneself
            # as the other way on.
            dispatcher.utter_message(response="utter_ask_professional")
            return events
        if intent == "nlu_fallback" and not searched and not signals.urgent:
            dispatcher.utter_message(response="utter_fallback")
            return events
        return [*events, *await _services(dispatcher, signals)]


__all__ = ["ActionAnswer"]
