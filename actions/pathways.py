"""Referral pathways for professionals: steps first, then contacts for their borough.

Pathways are directory data (directory/pathways), read on every answer, so a maintainer's
published edit shows in the next reply. A professional's question is answered at once, in the
same turn as their role, however they said it (actions/signals.py). Nothing the user wrote is
logged or stored; the `pathways` slot holds pathway ids only.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.signals import Signals
from directory import insight
from directory.pathways.answers import PathwayAnswer, pathway_answers
from directory.pathways.formatting import contacts_text, steps_text
from directory.pathways.situations import DA_HIGH, DA_STANDARD
from directory.pathways.vocabulary import borough_labels

# --- Writing the answer -------------------------------------------------------------------


def _lookup(pathway_ids: list[str], borough: str | None) -> list[PathwayAnswer]:
    return pathway_answers(pathway_ids, borough if borough in borough_labels() else None)


def _local(borough: str | None) -> str | None:
    return borough if borough in borough_labels() else None


async def give_pathways(
    dispatcher: CollectingDispatcher,
    pathway_ids: list[str],
    borough: str | None,
    professional: bool = True,
) -> None:
    # The directory is synchronous (SQLAlchemy); keep it off the action server's event loop.
    answers = await asyncio.to_thread(_lookup, pathway_ids, borough)
    if not answers:
        dispatcher.utter_message(response="utter_pathway_missing")
        return
    if len(answers) > 1:
        dispatcher.utter_message(
            response="utter_pathways_several",
            count=len(answers),
            titles="; ".join(a.title for a in answers),
        )
    if {DA_HIGH, DA_STANDARD} <= {a.id for a in answers}:
        dispatcher.utter_message(response="utter_pathways_dash_first")
    for answer in answers:
        dispatcher.utter_message(text=steps_text(answer))
        insight.record(
            "pathway",
            detail=answer.id,
            borough=insight.borough_id(borough),
            asker=insight.asker_id(professional),
        )
    for answer in answers:
        dispatcher.utter_message(text=contacts_text(answer, _local(borough)))
    if not _local(borough) and any(a.has_borough_contacts for a in answers):
        dispatcher.utter_message(response="utter_pathway_which_borough")


async def give_thresholds(dispatcher: CollectingDispatcher, pathway_ids: list[str]) -> None:
    """ "What counts as high risk?" from the pathways' own thresholds."""
    answers = await asyncio.to_thread(_lookup, pathway_ids, None)
    for answer in answers:
        if answer.thresholds:
            lines = [f"{answer.title}: when it applies"]
            lines += [f"- {t}" for t in answer.thresholds]
            dispatcher.utter_message(text="\n".join(lines))
    if not any(a.thresholds for a in answers):
        dispatcher.utter_message(response="utter_pathway_no_thresholds")


async def give_contacts(
    dispatcher: CollectingDispatcher, pathway_ids: list[str], borough: str | None
) -> None:
    answers = await asyncio.to_thread(_lookup, pathway_ids, borough)
    if not _local(borough) and any(a.has_borough_contacts for a in answers):
        dispatcher.utter_message(
            response="utter_pathway_contacts_which_borough",
        )
        return
    for answer in answers:
        dispatcher.utter_message(text=contacts_text(answer, _local(borough)))


def remembered_pathways(tracker: Tracker) -> list[str]:
    value = tracker.get_slot("pathways")
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


async def answer_professional(
    dispatcher: CollectingDispatcher, tracker: Tracker, signals: Signals, intent: str
) -> list[dict[str, Any]]:
    """The pathway for what a professional described, at once; its contacts for the borough.

    With no role said, the steps are still given (the question is never dropped), under a
    line saying who they are for and how to get support for oneself instead."""
    found = signals.pathways
    pathway_ids = found or remembered_pathways(tracker)
    if not pathway_ids and signals.described:
        # A situation described in words we do not know: domestic abuse is the usual one, so
        # its pathways come first, with the choice of the others after.
        pathway_ids = [DA_HIGH, DA_STANDARD]
    events: list[dict[str, Any]] = [SlotSet("pathways", pathway_ids)] if found else []
    borough = signals.borough
    if not signals.role:
        dispatcher.utter_message(response="utter_pathways_for_professionals")
    if intent == "ask_pathway_threshold":
        # With nothing said yet, "high risk" means domestic abuse: the DASH thresholds.
        await give_thresholds(dispatcher, pathway_ids or [DA_HIGH, DA_STANDARD])
    elif intent == "ask_pathway_contacts" and pathway_ids:
        await give_contacts(dispatcher, pathway_ids, borough)
    elif pathway_ids:
        await give_pathways(dispatcher, pathway_ids, borough, professional=bool(signals.role))
    else:
        dispatcher.utter_message(response="utter_ask_situation")
    if pathway_ids and not found and signals.described:
        dispatcher.utter_message(response="utter_ask_situation")
    return events
