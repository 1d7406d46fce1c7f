"""Rasa's ResponseSelector, consulted only when the message is a question for it.

The stock ResponseSelector runs its model on every message, though its answer is only ever used
when the intent is its retrieval intent (`faq`): the FAQ rule is the only reader. That inference
was about 14 % of the Rasa server's CPU per message under load. This subclass trains exactly as
the stock one does and skips the inference when the intent classifier chose anything else.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    def process(self, messages: list[Message]) -> list[Message]:
        if self.retrieval_intent is None:  # selecting for every retrieval intent: always run
            return super().process(messages)
        asked = [
            message
            for message in messages
            if (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == self.retrieval_intent
        ]
        super().process(asked)  # sets the selection on each asked message in place
        return messages
