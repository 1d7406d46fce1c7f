"""Quick exit: after the neutral line (utter_quick_exit), end any form and clear every slot.

The action server cannot reach Rasa's tracker store, so the deletion happens there: our tracker
store (bot/tracker_store.py) sees `action_quick_exit` in the tracker and deletes the
conversation instead of saving it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher


class ActionQuickExit(Action):
    def name(self) -> str:
        return "action_quick_exit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return [ActiveLoop(None), AllSlotsReset()]
