"""Referral pathways for professionals: steps first, then contacts for their borough.

Pathways are directory data (directory/pathways), read on every answer, so a maintainer's
published edit shows in the next reply. Professional routes are only given to someone who has
said they are a professional: a survivor who lands here is asked, never handed a MARAC
referral as if she could make it herself. Nothing the user wrote is logged or stored; the
`pathways` slot holds pathway ids only.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from directory.pathways.answers import PathwayAnswer, pathway_answers
from directory.pathways.formatting import contacts_text, steps_text
from directory.pathways.situations import DA_HIGH, DA_STANDARD, detect_role, detect_situations
from directory.pathways.situations import pathways_for as pathway_ids_for
from directory.pathways.vocabulary import borough_labels

SITUATION_BUTTONS = (
    ("Domestic abuse", "domestic-abuse"),
    ("Child at risk", "children"),
    ("FGM", "fgm"),
    ("Forced marriage", "forced-marriage"),
    ("Honour-based abuse", "honour-based-abuse"),
    ("Modern slavery", "modern-slavery"),
    ("Sexual violence", "sexual-violence"),
    ("Stalking", "stalking"),
    ("Someone using abuse", "perpetrators"),
    ("Housing", "housing"),
    ("Clare's Law", "clares-law"),
)
GATE = (
    "The referral pathways are for professionals (for example GPs, teachers, housing officers, "
    "social workers, health visitors and police officers). Are you asking as a professional?\n"
    "If you want support for yourself, just tell me what you need and where you live, and I will "
    "find services you can contact yourself. If you are in danger now, call 999."
)
DASH_FIRST = (
    "The DASH risk checklist decides between the two domestic abuse pathways below: "
    "high risk goes to the MARAC, standard or medium risk to a specialist service."
)


# --- Reading the conversation -------------------------------------------------------------


def _text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def _situations(tracker: Tracker) -> set[str]:
    from_buttons = {
        e.get("value")
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == "situation" and isinstance(e.get("value"), str)
    }
    return detect_situations(_text(tracker)) | from_buttons


def _role(tracker: Tracker) -> str | None:
    role = detect_role(_text(tracker)) or tracker.get_slot("user_role")
    if not role and _intent(tracker) == "identify_professional":
        role = "professional"
    return role


def _borough(tracker: Tracker) -> str | None:
    """The borough named in this message, else the one this pathway conversation used, else the
    survivor search's (that slot only fills for search intents, so it is rarely set here)."""
    named = [
        e.get("value")
        for e in tracker.latest_message.get("entities") or []
        if e.get("entity") == "borough" and isinstance(e.get("value"), str)
    ]
    for value in (*named, tracker.get_slot("pathway_borough"), tracker.get_slot("borough")):
        if isinstance(value, str) and value and value != "any":
            return value
    return None


def _remembered(tracker: Tracker) -> list[str]:
    value = tracker.get_slot("pathways")
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# --- Writing the answer -------------------------------------------------------------------


def _borough_buttons(intent: str) -> list[dict]:
    return [
        {"title": label, "payload": f'/{intent}{{"borough": "{borough}"}}'}
        for borough, label in borough_labels().items()
    ]


def _lookup(pathway_ids: list[str], borough: str | None) -> list[PathwayAnswer]:
    return pathway_answers(pathway_ids, borough if borough in borough_labels() else None)


async def give_pathways(
    dispatcher: CollectingDispatcher, pathway_ids: list[str], borough: str | None
) -> None:
    # The directory is synchronous (SQLAlchemy); keep it off the action server's event loop.
    answers = await asyncio.to_thread(_lookup, pathway_ids, borough)
    if not answers:
        dispatcher.utter_message(
            text="I could not find that pathway just now. Please ask your safeguarding lead."
        )
        return
    if len(answers) > 1:
        dispatcher.utter_message(
            text=f"This needs {len(answers)} pathways: "
            + "; ".join(a.title for a in answers)
            + ". Steps first, then contacts."
        )
    if {DA_HIGH, DA_STANDARD} <= {a.id for a in answers}:
        dispatcher.utter_message(text=DASH_FIRST)
    for answer in answers:
        dispatcher.utter_message(text=steps_text(answer))
    for answer in answers:
        dispatcher.utter_message(text=contacts_text(answer, borough))
    if not borough and any(a.has_borough_contacts for a in answers):
        dispatcher.utter_message(
            text="Which borough does the person live in? I will give its local contacts.",
            buttons=_borough_buttons("ask_pathway_contacts"),
        )


def _gate(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        text=GATE,
        buttons=[{"title": "Yes, I'm a professional", "payload": "/identify_professional"}],
    )


# --- Actions ------------------------------------------------------------------------------


class ActionProfessionalPathway(Action):
    """identify_professional / ask_pathway: the pathway(s) for the situation described."""

    def name(self) -> str:
        return "action_professional_pathway"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        role = _role(tracker)
        found = pathway_ids_for(_situations(tracker))
        pathway_ids = found or _remembered(tracker)
        events = [SlotSet("pathways", pathway_ids)] if found else []
        if not role:
            _gate(dispatcher)
            return events
        events.append(SlotSet("user_role", role))
        if not pathway_ids:
            dispatcher.utter_message(
                text="Thank you. What has happened, or what are you worried about? "
                'Tell me in a few words (for example "a patient disclosed domestic abuse"), '
                "or choose:",
                buttons=[
                    {"title": title, "payload": f'/ask_pathway{{"situation": "{sid}"}}'}
                    for title, sid in SITUATION_BUTTONS
                ],
            )
            return events
        borough = _borough(tracker)
        await give_pathways(dispatcher, pathway_ids, borough)
        return [*events, SlotSet("pathway_borough", borough)]


class ActionPathwayThresholds(Action):
    """ask_pathway_threshold: "what counts as high risk?" from the pathways' own thresholds."""

    def name(self) -> str:
        return "action_pathway_thresholds"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        found = pathway_ids_for(_situations(tracker))
        # With nothing said yet, "high risk" means domestic abuse: the DASH thresholds.
        pathway_ids = found or _remembered(tracker) or [DA_HIGH, DA_STANDARD]
        answers = await asyncio.to_thread(_lookup, pathway_ids, None)
        for answer in answers:
            if answer.thresholds:
                lines = [f"{answer.title}: when it applies"]
                lines += [f"- {t}" for t in answer.thresholds]
                dispatcher.utter_message(text="\n".join(lines))
        if not any(a.thresholds for a in answers):
            dispatcher.utter_message(text="That pathway has no thresholds: follow its steps.")
        return [SlotSet("pathways", pathway_ids)] if found else []


class ActionPathwayContacts(Action):
    """ask_pathway_contacts: "which borough's MARAC?", "contacts for Westminster"."""

    def name(self) -> str:
        return "action_pathway_contacts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        found = pathway_ids_for(_situations(tracker))
        pathway_ids = found or _remembered(tracker)
        events = [SlotSet("pathways", pathway_ids)] if found else []
        if not _role(tracker):
            _gate(dispatcher)
            return events
        if not pathway_ids:
            dispatcher.utter_message(
                text="Which situation do you need contacts for? Tell me in a few words, "
                'for example "domestic abuse, high risk".'
            )
            return events
        borough = _borough(tracker)
        answers = await asyncio.to_thread(_lookup, pathway_ids, borough)
        if not borough and any(a.has_borough_contacts for a in answers):
            dispatcher.utter_message(
                text="Use the contacts of the borough where the person lives (not where you "
                "work). Which borough is it?",
                buttons=_borough_buttons("ask_pathway_contacts"),
            )
            return events
        for answer in answers:
            dispatcher.utter_message(text=contacts_text(answer, borough))
        return [*events, SlotSet("pathway_borough", borough)]
