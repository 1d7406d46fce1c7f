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

Danger in other languages (issue 18): each language's patterns (bot/nlu/danger_languages/) are
searched in the folded message (`fold`); a match sets `urgency` and `message_language`, and the
danger lines come in that language.
"""

from __future__ import annotations

import functools
import re
import unicodedata
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

from bot.nlp.guesser import UNKNOWN_WORDS, guesses
from bot.nlp.ruler import danger_phrases
from directory.wording import full_languages

DANGER_INTENT = "immediate_danger"
FALLBACK_INTENT = "nlu_fallback"
DANGER_WORDS = Path(__file__).with_name("danger_words.yml")
DANGER_LANGUAGES = Path(__file__).with_name("danger_languages")
URGENCY = "urgency"
# The language of a message found in danger in another language than English: the action
# answers with the danger lines in that language (domain/translations.yml).
MESSAGE_LANGUAGE = "message_language"

# Arabic-script letters typed in several forms (and Persian and Urdu keyboards' own): one each.
_LETTER_VARIANTS = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ې": "ي", "ے": "ي",
     "ة": "ه", "ۀ": "ه", "ہ": "ه", "ھ": "ه", "ک": "ك", "ـ": "", "’": "'", "ı": "i"}
)  # fmt: skip


def _fold_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return bare.translate(_LETTER_VARIANTS).casefold()


def fold(text: str) -> str:
    """What danger patterns are matched on, and written for: accents and other combining marks
    gone (people type "esta" for "está"), letter variants unified, lower case, one space."""
    return " ".join(_fold_letters(text).split())


def fold_pattern(pattern: str) -> str:
    """A pattern folded as the text is, but not its escapes (casefold would make \\B \\b)."""
    parts = re.split(r"(\\.)", pattern)
    return "".join(part if i % 2 else _fold_letters(part) for i, part in enumerate(parts))


@functools.cache
def _danger_words() -> re.Pattern:
    patterns = yaml.safe_load(DANGER_WORDS.read_text())
    return re.compile("|".join(f"(?:{p})" for p in patterns.values()))


@functools.cache
def danger_languages() -> dict[str, re.Pattern]:
    """Language code -> its danger patterns (bot/nlu/danger_languages/<code>.yml), folded."""
    found = {}
    for path in sorted(DANGER_LANGUAGES.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["language"]] = re.compile(
            "|".join(f"(?:{fold_pattern(p)})" for p in data["patterns"].values())
        )
    return found


def has_danger_words(text: str) -> bool:
    """Words that make any message urgent wherever they stand (bot/nlu/danger_words.yml)."""
    return bool(_danger_words().search(" ".join(text.lower().replace("’", "'").split())))


def danger_language(text: str) -> str | None:
    """The language in whose words `text` speaks of danger, if any but English: the one with
    the most matches (Spanish and Portuguese share some), the first in code order on a tie."""
    folded = fold(text)
    counts = {code: len(p.findall(folded)) for code, p in danger_languages().items()}
    best = max(counts, key=lambda code: counts[code], default=None)
    return best if best and counts[best] else None


# A message of at least this many words, most unknown to the danger guesser's examples and
# with few English function words, is in another language ("hi" or "need legal advice" is not).
UNREADABLE_MIN_WORDS = 4
ENGLISH_STOP_SHARE = 0.2


def _unreadable(doc) -> bool:
    if not doc.user_data.get(UNKNOWN_WORDS):
        return False
    words = [token for token in doc if token.is_alpha]
    if len(words) < UNREADABLE_MIN_WORDS:
        return False
    return sum(token.is_stop for token in words) / len(words) < ENGLISH_STOP_SHARE


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
        # Compiled as the model loads, not on the first person's message.
        _danger_words()
        danger_languages()
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            text = message.get(TEXT) or ""
            guessed = doc is not None and bool(guesses(doc, "danger"))
            phrases = doc is not None and bool(danger_phrases(doc))
            english = phrases or has_danger_words(text)
            # English lists are the surer where they speak: "strangulation" is French too.
            language = None if english else danger_language(text)
            # The language bot.nlu.languages detected, where its own patterns hear danger too
            # (Spanish and Portuguese share words).
            detected = message.get(MESSAGE_LANGUAGE)
            if (
                language
                and detected in danger_languages()
                and detected != language
                and danger_languages()[detected].search(fold(text))
            ):
                language = detected
            if language:
                message.set(MESSAGE_LANGUAGE, language, add_to_output=True)
            # Words in a language no list or example knows: it may be danger, and a false
            # alarm costs a few lines (in the message's language if it was detected, else in
            # English). In a language the assistant reads throughout, only when its patterns
            # read nothing in the message (bot.nlu.languages answers it with the fallback).
            read_nothing = (message.get(INTENT) or {}).get("name") == FALLBACK_INTENT
            unreadable = (
                doc is not None
                and not language
                and not english
                and (detected not in full_languages() or read_nothing)
                and _unreadable(doc)
            )
            if guessed or language or english or unreadable:
                # A signal, not an intent: "he strangled me last year, can I get counselling"
                # is still a request for counselling, answered after the danger lines. It
                # travels in the message's parse data, where actions/signals.py reads it.
                message.set(URGENCY, True, add_to_output=True)
            if not phrases:
                continue
            danger = {"name": DANGER_INTENT, "confidence": 1.0}
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r["name"] != DANGER_INTENT
            ]
            message.set(INTENT, danger, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [danger, *ranking], add_to_output=True)
        return messages
