"""An action that fails the way a real one can: with the slot value in the exception message
(as a database error carries its query parameters). Used by test_actions_server.py."""

from rasa_sdk import Action


class ActionThatFails(Action):
    def name(self) -> str:
        return "action_that_fails"

    async def run(self, dispatcher, tracker, domain):
        raise ValueError(f"no services for {tracker.get_slot('need')}")
