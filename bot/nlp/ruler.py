"""spaCy's entity ruler, blind to quotation marks and extra spaces.

People put euphemisms in quotes: to be 'purified', "the cut", his 'discipline'. spaCy makes each
quote a token (and each extra space), so a phrase pattern ("to be purified") no longer matches.
This ruler matches on the message without those tokens and marks each entity on the message's
own tokens, so offsets, tokens and features stay exactly as typed.

Registered as the factory `vawg_entity_ruler`: a saved pipeline names it in its config, so this
module must be imported before `spacy.load` (bot.nlu.gazetteer does). No `from __future__ import
annotations` here: spaCy validates the factory's arguments from their real annotations.
"""

from spacy.language import Language
from spacy.pipeline.entityruler import DEFAULT_ENT_ID_SEP, EntityRuler
from spacy.tokens import Doc


def _ignored(token) -> bool:
    return token.is_quote or token.is_space


class QuoteBlindEntityRuler(EntityRuler):
    def add_patterns(self, patterns: list) -> None:
        # A phrase with a quote of its own ("my kids' lives") becomes the token pattern of its
        # other words, as the messages it is matched against lose their quotes too.
        blind = []
        for pattern in patterns:
            if isinstance(pattern["pattern"], str):
                tokens = self.nlp.make_doc(pattern["pattern"])
                if any(_ignored(token) for token in tokens):
                    words = [{"LOWER": t.lower_} for t in tokens if not _ignored(t)]
                    pattern = {**pattern, "pattern": words}
            blind.append(pattern)
        super().add_patterns(blind)

    def match(self, doc: Doc) -> list:
        kept = [token.i for token in doc if not _ignored(token)]
        if len(kept) == len(doc):
            return super().match(doc)
        plain = Doc(doc.vocab, words=[doc[i].text for i in kept])
        # Longest first, as the base class sorts them, then mapped back onto doc's tokens.
        return [(key, kept[start], kept[end - 1] + 1) for key, start, end in super().match(plain)]


@Language.factory(
    "vawg_entity_ruler",
    assigns=["doc.ents", "token.ent_type", "token.ent_iob"],
    default_config={"phrase_matcher_attr": "LOWER", "validate": False, "overwrite_ents": False},
)
def make_quote_blind_entity_ruler(
    nlp: Language, name: str, phrase_matcher_attr: str, validate: bool, overwrite_ents: bool
) -> "QuoteBlindEntityRuler":
    return QuoteBlindEntityRuler(
        nlp,
        name,
        phrase_matcher_attr=phrase_matcher_attr,
        validate=validate,
        overwrite_ents=overwrite_ents,
        ent_id_sep=DEFAULT_ENT_ID_SEP,
    )
