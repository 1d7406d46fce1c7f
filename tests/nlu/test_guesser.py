"""The learned guessers (bot/nlp/guesser.py): what they guess, when they keep quiet, and that
their training examples stay apart from every held-out set.

Fast (no Rasa): builds the pipeline in-process. The messages below were written for these
tests; none is a training example (the first test would say so).
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import spacy
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy import sparse

from bot.nlp.build import GUESSERS, build_nlp
from bot.nlp.guesser import DIMENSIONS, EXAMPLES, _content, guesses, load_examples
from bot.nlp.ruler import danger_phrases
from bot.nlu.danger import URGENCY, DangerOverride, has_danger_words
from directory.taxonomy import vocabulary
from tests.conftest import PROJECT_ROOT, nlu_examples
from tests.e2e.scoring import load_items

DESCRIBED = [
    ("he sits in his car across the road from my flat most nights", "stalking"),
    (
        "my aunties keep telling everyone i have ruined the family's good name and my brothers "
        "say they will deal with me",
        "honour-based-abuse",
    ),
    ("my pastor says my son has a demon and needs to be beaten to get it out", "faith-based-abuse"),
    (
        "my mum says i will be going to have the special ceremony in the village like my sisters",
        "fgm",
    ),
    ("he won't let me have my own bank account and reads all my messages", "domestic-abuse"),
]


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _close(a: set[str], b: set[str]) -> bool:
    """Near copies: half the words shared, or nearly all of the shorter message's."""
    if min(len(a), len(b)) < 5:
        return False
    shared = len(a & b)
    return shared / len(a | b) >= 0.5 or shared / min(len(a), len(b)) >= 0.85


def _held_out_messages() -> list[str]:
    messages = [turn for item in load_items() for turn in item["turns"]]
    for path in (PROJECT_ROOT / "tests" / "nlu").glob("held_out*.yml"):
        messages += [text for _, text, _ in nlu_examples(path)]
    return messages


@pytest.mark.parametrize("dimension", sorted(GUESSERS))
def test_the_examples_are_kept_apart_from_every_held_out_set(dimension):
    held_out = [_words(m) for m in _held_out_messages()]
    assert len(held_out) > 500
    examples = load_examples(dimension)
    close = [text for text, _ in examples if any(_close(_words(text), h) for h in held_out)]
    assert not close, close[:10]


@pytest.mark.parametrize("dimension", sorted(GUESSERS))
def test_the_examples_use_known_terms_once_each(dimension):
    examples = load_examples(dimension)
    assert len(examples) >= 500
    texts = [text.lower() for text, _ in examples]
    assert len(texts) == len(set(texts))
    # Every term has examples, and so does "none of them" (what a follow-up looks like).
    labelled = {t for _, terms in examples for t in terms}
    vocab = vocabulary()
    assert labelled == (set(vocab.terms[dimension]) if dimension in vocab.terms else {dimension})
    assert sum(1 for _, terms in examples if not terms) >= 50


def test_every_dimension_guessed_has_its_examples_file():
    assert set(GUESSERS) <= set(DIMENSIONS)
    assert {p.stem for p in EXAMPLES.glob("*.yml")} == set(GUESSERS)


@pytest.mark.parametrize(("text", "strand"), DESCRIBED)
def test_a_described_strand_is_guessed_where_no_phrase_names_it(nlp, text, strand):
    doc = nlp(text)
    assert not [ent for ent in doc.ents if ent.label_ == "strand"]
    guessed = guesses(doc, "strand")
    assert guessed and guessed[0][0] == strand, guessed
    assert all(p >= GUESSERS["strand"]["threshold"] for _, p in guessed)


def test_a_strand_named_by_phrase_is_not_guessed_over(nlp):
    doc = nlp("is there stalking support in chelsea, he follows me everywhere")
    assert "stalking" in {ent.ent_id_ for ent in doc.ents if ent.label_ == "strand"}
    assert guesses(doc, "strand") == []


@pytest.mark.parametrize(
    "text", ["yes", "yes please", "Fulham please", "im a woman", "W10", "no", "skip"]
)
def test_a_follow_up_that_describes_nothing_gets_no_guess(nlp, text):
    assert guesses(nlp(text), "strand") == []


def test_places_say_where_not_what(nlp):
    guesser = nlp.get_pipe("strand_guesser")
    texts = [f"he sits outside my flat in {place} most nights" for place in ("fulham", "soho")]
    contents = [_content(nlp(t)) for t in texts]
    assert contents[0] == contents[1] == "he sits outside my flat in someplace most nights"
    assert guesser.probabilities(contents[0]) == guesser.probabilities(contents[1])


def test_hand_built_features_equal_the_vectorizers_and_survive_saving(nlp, tmp_path):
    guesser = nlp.get_pipe("strand_guesser")
    text = _content(nlp(DESCRIBED[0][0]))
    row = sparse.hstack([v.transform([text]) for v in guesser.vectorizers.values()]).tocsr()
    expected = 1 / (1 + np.exp(-(np.asarray(row @ guesser.coef.T)[0] + guesser.intercept)))
    assert np.allclose(list(guesser.probabilities(text).values()), expected, atol=1e-6)
    nlp.to_disk(tmp_path / "saved")
    loaded = spacy.load(tmp_path / "saved")
    assert guesses(loaded(DESCRIBED[0][0]), "strand") == guesses(nlp(DESCRIBED[0][0]), "strand")
    assert loaded.get_pipe("strand_guesser").probabilities(text) == pytest.approx(
        guesser.probabilities(text)
    )


@pytest.mark.parametrize(
    "text",
    [
        "the man next door is screaming at her and i can hear things being thrown",
        "she texted me saying he wont let her out of the car and shes scared",
    ],
)
def test_danger_no_phrase_or_word_foresaw_makes_the_message_urgent(nlp, text):
    doc = nlp(text)
    assert not danger_phrases(doc) and not has_danger_words(text)
    assert guesses(doc, "danger")
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], doc)
    DangerOverride().process([message])
    assert message.get(URGENCY) is True
    assert message.get("intent") is None  # a signal: the message keeps its intent


@pytest.mark.parametrize(
    "text",
    [
        "he used to lock me in the flat years ago, im safe now and want counselling",
        "he hit me last year and i still have nightmares",
        "what is a MARAC referral",
        "i am looking for a refuge in westminster",
    ],
)
def test_past_abuse_and_questions_are_not_guessed_danger(nlp, text):
    assert guesses(nlp(text), "danger") == []


@pytest.mark.parametrize(
    ("text", "unreadable"),
    [
        ("mi chiedo dove trovare un consultorio vicino", True),  # no danger pattern, no known word
        ("Xagee ka heli karaa taageero dhaqaale", True),
        ("where can i find counselling near me", False),
        ("is there a support group for women", False),
    ],
)
def test_a_message_no_example_can_read_gets_the_999_lines(nlp, text, unreadable):
    """Words the guessers never saw give no evidence either way: no guess, but the danger
    check errs on the side of the 999 lines (in English: which language is unknown)."""
    doc = nlp(text)
    assert not guesses(doc, "danger") and not guesses(doc, "strand")
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], doc)
    DangerOverride().process([message])
    assert bool(message.get(URGENCY)) is unreadable
    assert message.get("message_language") is None
