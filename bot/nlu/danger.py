"""A safety net under the intent classifier: danger phrases always mean `immediate_danger`.

Missing a danger message is the worst failure this product can have, so the classifier is not
trusted alone. The spaCy pipeline marks phrases such as "he's outside" or "going to kill me"
(bot/nlp/gazetteers/danger.yml) as danger spans (bot/nlp/ruler.py); when one is present, this
component sets the intent to immediate_danger with full confidence, whatever DIET or the fallback
classifier said. Words such as "knife" or "strangled", wherever they stand
(bot/nlu/danger_words.yml), set `urgency` in the parse data instead: the message keeps its
intent, and the answer follows the danger lines (actions/signals.py reads both). So does the
learned danger guesser (bot/nlp/guesser.py) for a message no phrase or word foresaw: a false
alarm costs a few lines above the answer. It goes last in the NLU pipeline.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.guesser import guesses
from bot.nlp.ruler import danger_phrases

DANGER_INTENT = "immediate_danger"
DANGER_WORDS = Path(__file__).with_name("danger_words.yml")
URGENCY = "urgency"


@functools.cache
def _danger_words() -> re.Pattern:
    patterns = yaml.safe_load(DANGER_WORDS.read_text())
    return re.compile("|".join(f"(?:{p})" for p in patterns.values()))


def has_danger_words(text: str) -> bool:
    """Words that make any message urgent wherever they stand (bot/nlu/danger_words.yml)."""
    return bool(_danger_words().search(" ".join(text.lower().replace("’", "'").split())))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class DangerOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerOverride:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            guessed = doc is not None and bool(guesses(doc, "danger"))
            if guessed or has_danger_words(message.get(TEXT) or ""):
                # A signal, not an intent: "he strangled me last year, can I get counselling"
                # is still a request for counselling, answered after the danger lines. It
                # travels in the message's parse data, where actions/signals.py reads it.
                message.set(URGENCY, True, add_to_output=True)
            if doc is None or not danger_phrases(doc):
                continue
            danger = {"name": DANGER_INTENT, "confidence": 1.0}
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != DANGER_INTENT
            ]
            message.set(INTENT, danger, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [danger, *ranking], add_to_output=True)
        return messages
