"""The language a conversation is answered in (issue 18), and the dispatcher that answers in it.

The reply follows the person: the language of this message when bot.nlu.languages could tell
(`message_language`); else the one chosen in the widget (sent with each message, see
bot/channels.py); else the conversation's so far (the slot). English unless it is one of the
full languages (directory.wording.full_languages): in the others only danger is answered, and in
the language it was spoken in (danger_response).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from directory.wording import ENGLISH, full_languages, translated

LANGUAGE_SLOT = "conversation_language"
MESSAGE_LANGUAGE = "message_language"  # parse data, bot.nlu.languages and bot.nlu.danger
CHOSEN = "language"  # the user event's metadata: the widget's choice
DANGER_RESPONSE = "utter_immediate_danger"


def _spoken(code: Any) -> str | None:
    return code if code == ENGLISH or code in full_languages() else None


def chosen_language(tracker: Tracker) -> str | None:
    event = tracker.get_last_event_for("user") or {}
    return _spoken((event.get("metadata") or {}).get(CHOSEN))


def reply_language(tracker: Tracker) -> str:
    return (
        _spoken(tracker.latest_message.get(MESSAGE_LANGUAGE))
        or chosen_language(tracker)
        or _spoken(tracker.get_slot(LANGUAGE_SLOT))
        or ENGLISH
    )


def danger_response(tracker: Tracker, language: str) -> str:
    """The danger lines in the language the danger was spoken in, if any has them (every
    language bot.nlu.danger knows has its lines in domain/translations.yml), else in the
    conversation's."""
    spoken = tracker.latest_message.get(MESSAGE_LANGUAGE)
    code = spoken if spoken and spoken != ENGLISH else language
    return DANGER_RESPONSE if code == ENGLISH else f"{DANGER_RESPONSE}_{code}"


class LanguageDispatcher:
    """A dispatcher whose responses are said in `language`: `utter_x` becomes `utter_x_<code>`
    (domain/translations.yml). Definitions (`utter_faq/<name>`, retrieval responses whose
    names Rasa reserves) are sent as their translated text. Anything not translated yet is
    said in English."""

    def __init__(self, dispatcher: CollectingDispatcher, language: str) -> None:
        self.dispatcher = dispatcher
        self.language = language

    def utter_message(self, response: str | None = None, **kwargs: Any) -> None:
        if response and self.language in full_languages():
            if "/" in response:
                if text := translated("responses", response, self.language):
                    self.dispatcher.utter_message(text=text, **kwargs)
                    return
            elif translated("responses", response, self.language):
                response = f"{response}_{self.language}"
        self.dispatcher.utter_message(response=response, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.dispatcher, name)
