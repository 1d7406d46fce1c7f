"""Entities from the spaCy gazetteer, with canonical values.

Rasa's SpacyEntityExtractor returns the matched text ("RBKC"); this one returns the pattern id
("kensington-and-chelsea"), so actions and the directory only ever see canonical values.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.spacy_entity_extractor import SpacyEntityExtractor

# Registers the entity ruler the saved spaCy pipeline names, before SpacyNLP loads it.
import bot.nlp.ruler  # noqa: F401
from bot.nlp.guesser import ENTITY_DIMENSIONS, guesses


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False, model_from="SpacyNLP"
)
class GazetteerEntityExtractor(SpacyEntityExtractor):
    @staticmethod
    def _extract_entities(doc) -> list[dict[str, Any]]:
        # The learned guesses (where no phrase was found in their dimension), after the
        # phrases; only they carry a confidence.
        guessed = [
            {
                "entity": dimension,
                "value": term,
                "start": 0,
                "end": len(doc.text),
                "confidence": probability,
            }
            for dimension in ENTITY_DIMENSIONS
            for term, probability in guesses(doc, dimension)
        ]
        return [
            {
                "entity": ent.label_,
                "value": ent.ent_id_ or ent.text,
                "start": ent.start_char,
                "end": ent.end_char,
                "confidence": None,
            }
            for ent in doc.ents
        ] + guessed
