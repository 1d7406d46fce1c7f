"""A safety net under the intent classifier: danger phrases always mean `immediate_danger`.

Missing a danger message is the worst failure this product can have, so the classifier is not
trusted alone. The spaCy pipeline marks phrases such as "he's outside" or "going to kill me"
(bot/nlp/gazetteers/danger.yml) with the DANGER label; when one is present, this component
sets the intent to immediate_danger with full confidence, whatever DIET or the fallback
classifier said. It goes last in the NLU pipeline.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.build import DANGER_LABEL

DANGER_INTENT = "immediate_danger"


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
            if doc is None or not any(ent.label_ == DANGER_LABEL for ent in doc.ents):
                continue
            danger = {"name": DANGER_INTENT, "confidence": 1.0}
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != DANGER_INTENT
            ]
            message.set(INTENT, danger, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [danger, *ranking], add_to_output=True)
        return messages
