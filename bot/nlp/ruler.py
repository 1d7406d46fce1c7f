"""spaCy's entity ruler, blind to quotation marks and extra spaces.

People put euphemisms in quotes: to be 'purified', "the cut", his 'discipline'. spaCy makes each
quote a token (and each extra space), so a phrase pattern ("to be purified") no longer matches.
This ruler matches on the message without those tokens and marks each entity on the message's
own tokens, so offsets, tokens and features stay exactly as typed.

Danger phrases (label DANGER) go to `doc.spans["danger"]`, not to the entities: entities may
not overlap, and a longer description ("they chain me at night", modern slavery) must never
hide the danger inside it. Both are kept.

Registered as the factory `vawg_entity_ruler`: a saved pipeline names it in its config, so this
module must be imported before `spacy.load` (bot.nlu.gazetteer does). No `from __future__ import
annotations` here: spaCy validates the factory's arguments from their real annotations.
"""

from spacy.language import Language
from spacy.pipeline.entityruler import DEFAULT_ENT_ID_SEP, EntityRuler
from spacy.tokens import Doc, Span

DANGER_LABEL = "DANGER"
DANGER_SPANS = "danger"


def danger_phrases(doc: Doc) -> list[Span]:
    return list(doc.spans.get(DANGER_SPANS, []))


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

    def __call__(self, doc: Doc) -> Doc:
        matches = self.match(doc)
        danger = [m for m in matches if self._label(m[0]) == DANGER_LABEL]
        self.set_annotations(doc, [m for m in matches if m not in danger])
        doc.spans[DANGER_SPANS] = [
            Span(doc, start, end, label=DANGER_LABEL) for _, start, end in danger
        ]
        return doc

    def _label(self, match_id) -> str:
        return self._ent_ids[match_id][0] if match_id in self._ent_ids else match_id

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
