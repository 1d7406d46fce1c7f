"""Learned guesses at the strand and the need, for a message that describes without naming.

The gazetteer (bot/nlp/ruler.py) finds the strands and needs a message names or describes in
words we listed. Whatever else people write ("he sits in his car across the road every night",
"they say I brought shame on them", "I can't go back there tonight") it misses, and the search
then falls back to every strand or need. This component reads such a message as a whole: word
and character n-grams (robust to typos and text-speak), one logistic regression per term. It
runs only when the gazetteer found nothing in its dimension, and only on a message long enough
to describe something: a follow-up such as "yes" or "Fulham" keeps what was said before.

One component per dimension (`dimension: strand` or `need`). Guesses go to
`doc.spans["<dimension>_guesses"]`, one span over the message per term at or above the
threshold; bot.nlu.gazetteer turns them into entities with a confidence (phrase entities have
none). Trained when the pipeline is built (bot/nlp/build.py), in seconds, from:

- bot/nlp/examples/<dimension>.yml: messages labelled with their terms (or none), written for
  this by people who had not read the held-out sets (tests/nlu/test_guesser.py keeps them apart);
- the gazetteers' own phrases for the dimension (a sample of each description's expansions).

Saved as plain arrays and a vocabulary (no pickle). No `from __future__ import annotations`:
spaCy validates the factory's arguments from their real annotations.
"""

import json
import math
import random
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.language import Language
from spacy.tokens import Doc, Span

from bot.nlp.ruler import DANGER_LABEL

EXAMPLES = Path(__file__).resolve().parent / "examples"
DIMENSIONS = ("strand", "need", "danger")
ENTITY_DIMENSIONS = ("strand", "need")  # guesses that become entities; danger is a signal
# A word-pair and a character view of the same text: typos break words, not most 3-grams.
_VIEWS = {
    "words": {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
    "chars": {"analyzer": "char_wb", "ngram_range": (2, 5)},
}
_FILES = ("vocabulary.json", "weights.npz")
_GRAMS = "vawg_guesser_grams"
_NOT_WHAT = {"borough", "audience", "language"}  # words that say where or who, not what
# A message most of whose words the examples never had (another language, mostly) gives the
# models no evidence, only their intercepts: no guess then.
MIN_KNOWN_WORDS = 0.4
# Set on a doc by the danger guesser when it found too few known words to judge; the danger
# check (bot.nlu.danger) reads it.
UNKNOWN_WORDS = "vawg_unknown_words"


def _spans_key(dimension: str) -> str:
    return f"{dimension}_guesses"


def guesses(doc: Doc, dimension: str) -> list[tuple[str, float]]:
    """(term, probability) of each guess in `dimension` on `doc`, best first."""
    spans = doc.spans.get(_spans_key(dimension), [])
    return [(span.label_, float(span.kb_id_ or 0) / 1000) for span in spans]


def _content(doc: Doc) -> str:
    """The message with each place named replaced by one word: where says nothing of what."""
    words = []
    for token in doc:
        if token.ent_type_ == "borough":
            if token.ent_iob_ == "B":
                words.append("someplace")
        else:
            words.append(token.lower_)
    return " ".join(words)


@lru_cache(maxsize=1)
def _analyzers() -> dict:
    # Every guesser's vectorizers share these settings, so one count of n-grams serves all.
    return {view: TfidfVectorizer(**options).build_analyzer() for view, options in _VIEWS.items()}


def _count_grams(text: str) -> dict[str, Counter]:
    return {view: Counter(analyze(text)) for view, analyze in _analyzers().items()}


def load_examples(dimension: str, folder: Path = EXAMPLES) -> list[tuple[str, list[str]]]:
    """(text, terms) of each example in `folder/<dimension>.yml`: its terms under
    "<dimension>s", or a yes/no under "<dimension>" (yes is the one term, named after it)."""
    items = yaml.safe_load((folder / f"{dimension}.yml").read_text()) or []
    examples = []
    for item in items:
        value = item.get(f"{dimension}s", item.get(dimension))
        examples.append((str(item["text"]), [dimension] if value is True else list(value or [])))
    return examples


class TermGuesser:
    def __init__(self, nlp: Language, name: str, dimension: str, threshold: float, min_words: int):
        if dimension not in DIMENSIONS:
            raise ValueError(f"dimension must be one of {DIMENSIONS}, not {dimension!r}")
        self.name = name
        self.dimension = dimension
        self.threshold = threshold
        self.min_words = min_words
        self.labels: list[str] = []
        self.vectorizers: dict[str, TfidfVectorizer] = {}
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)
        self._views: list = []

    # --- training ---------------------------------------------------------------------------
    def fit(self, examples: list[tuple[Doc, list[str]]], c: float = 8.0) -> None:
        """`examples`: docs as the entity ruler left them, with their strands (or none)."""
        texts = [_content(doc) for doc, _ in examples]
        self.labels = sorted({s for _, strands in examples for s in strands})
        self.vectorizers = {
            view: TfidfVectorizer(sublinear_tf=True, min_df=2, **options)
            for view, options in _VIEWS.items()
        }
        features = sparse.hstack(
            [v.fit_transform(texts) for v in self.vectorizers.values()]
        ).tocsr()
        coef, intercept = [], []
        for label in self.labels:
            target = np.array([label in strands for _, strands in examples])
            model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
            model.fit(features, target)
            coef.append(model.coef_[0])
            intercept.append(model.intercept_[0])
        self.coef = np.array(coef, dtype=np.float32)
        self.intercept = np.array(intercept, dtype=np.float32)
        self._cache_analyzers()

    def _cache_analyzers(self) -> None:
        # sklearn recomputes idf_ from a sparse matrix on every access: read it once.
        self._rows = np.ascontiguousarray(self.coef.T)  # one row of weights per feature
        self._views, offset = [], 0
        for view, vectorizer in self.vectorizers.items():
            vocabulary = vectorizer.vocabulary_
            idf = vectorizer.idf_.tolist()
            self._views.append((view, vocabulary, idf, offset))
            offset += len(vocabulary)

    # --- inference --------------------------------------------------------------------------
    def probabilities(self, text: str) -> dict[str, float]:
        return self._probabilities(_count_grams(text))

    def _probabilities(self, grams: dict[str, Counter]) -> dict[str, float]:
        """The same tf-idf rows as the vectorizers' transform, built by hand: a sparse matrix
        per message cost ten times more than the arithmetic."""
        if not self.labels:
            return {}
        columns, weights = [], []
        for view, vocabulary, idf, offset in self._views:
            counts = grams[view]
            found = [(vocabulary[gram], n) for gram, n in counts.items() if gram in vocabulary]
            if found:
                view = [(1 + math.log(n)) * idf[i] for i, n in found]
                norm = math.sqrt(sum(w * w for w in view))
                columns += [offset + i for i, _ in found]
                weights += [w / norm for w in view]
        scores = self.intercept.copy()
        if columns:
            scores += np.array(weights, dtype=np.float32) @ self._rows[columns]
        return dict(zip(self.labels, (1 / (1 + np.exp(-scores))).tolist(), strict=True))

    def known_share(self, grams: dict[str, Counter]) -> float:
        """The share of the message's words that some training example had."""
        words = [gram for gram in grams["words"] if " " not in gram]
        if not words:
            return 0.0
        vocabulary = self.vectorizers["words"].vocabulary_
        return sum(word in vocabulary for word in words) / len(words)

    def __call__(self, doc: Doc) -> Doc:
        key = _spans_key(self.dimension)
        doc.spans[key] = []
        # Found by phrase already: an entity of the dimension, or its spans (danger phrases).
        named = any(ent.label_ == self.dimension for ent in doc.ents) or bool(
            doc.spans.get(self.dimension)
        )
        words = sum(1 for token in doc if token.is_alpha and token.ent_type_ not in _NOT_WHAT)
        if named or words < self.min_words:
            return doc
        # The n-grams are counted once per message, for every guesser (doc.user_data).
        grams = doc.user_data.get(_GRAMS)
        if grams is None:
            grams = doc.user_data[_GRAMS] = _count_grams(_content(doc))
        if self.known_share(grams) < MIN_KNOWN_WORDS:
            if self.dimension == "danger":
                doc.user_data[UNKNOWN_WORDS] = True
            return doc
        probabilities = self._probabilities(grams)
        guesses = sorted(
            ((p, label) for label, p in probabilities.items() if p >= self.threshold),
            reverse=True,
        )
        # The probability rides in kb_id (a span has no free attribute that survives to_bytes).
        doc.spans[key] = [
            Span(doc, 0, len(doc), label=label, kb_id=str(round(p * 1000))) for p, label in guesses
        ]
        return doc

    # --- storage ----------------------------------------------------------------------------
    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        vocabulary = {
            "labels": self.labels,
            "views": {
                view: {
                    "vocabulary": {k: int(i) for k, i in v.vocabulary_.items()},
                    "idf": v.idf_.tolist(),
                }
                for view, v in self.vectorizers.items()
            },
        }
        (path / _FILES[0]).write_text(json.dumps(vocabulary))
        np.savez_compressed(path / _FILES[1], coef=self.coef, intercept=self.intercept)

    def from_disk(self, path, exclude=()) -> "TermGuesser":
        path = Path(path)
        saved = json.loads((path / _FILES[0]).read_text())
        self.labels = saved["labels"]
        self.vectorizers = {}
        for view, options in _VIEWS.items():
            vectorizer = TfidfVectorizer(
                sublinear_tf=True, vocabulary=saved["views"][view]["vocabulary"], **options
            )
            vectorizer.idf_ = np.array(saved["views"][view]["idf"])
            self.vectorizers[view] = vectorizer
        weights = np.load(path / _FILES[1])
        self.coef, self.intercept = weights["coef"], weights["intercept"]
        self._cache_analyzers()
        return self


def gazetteer_examples(
    patterns: list[dict], dimension: str, per_term: int = 300, seed: int = 7
) -> list[tuple[str, list[str]]]:
    """A sample of the gazetteer's phrases in `dimension`, each labelled with its term (danger
    phrases, labelled DANGER in the ruler, with the one term "danger")."""
    by_term: dict[str, list[str]] = {}
    for pattern in patterns:
        if not isinstance(pattern["pattern"], str):
            continue
        if pattern["label"] == dimension:
            by_term.setdefault(pattern["id"], []).append(pattern["pattern"])
        elif pattern["label"] == DANGER_LABEL and dimension == "danger":
            by_term.setdefault(dimension, []).append(pattern["pattern"])
    rng = random.Random(seed)  # noqa: S311 (a fixed sample, not a secret)
    examples = []
    for term, phrases in sorted(by_term.items()):
        chosen = rng.sample(phrases, min(per_term, len(phrases)))
        examples += [(phrase, [term]) for phrase in chosen]
    return examples


# Each dimension's settings, and the figures behind them: GUESSERS in bot/nlp/build.py.
@Language.factory(
    "vawg_term_guesser",
    requires=["doc.ents"],
    default_config={"dimension": "strand", "threshold": 0.7, "min_words": 3},
)
def make_term_guesser(
    nlp: Language, name: str, dimension: str, threshold: float, min_words: int
) -> "TermGuesser":
    return TermGuesser(nlp, name, dimension, threshold, min_words)
