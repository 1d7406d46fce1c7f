"""The policies' last resort: the same helpful buttons as the NLU fallback, never a dead end."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher


class ActionFallbackButtons(Action):
    def name(self) -> str:
        return "action_fallback_buttons"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_fallback")
        # Forget the message we could not place, so a form in progress carries on as it was.
        return [UserUtteranceReverted()]
