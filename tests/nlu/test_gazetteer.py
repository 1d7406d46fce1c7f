"""The spaCy gazetteer on its own: canonical values, spans, and the danger safety net.

Fast (no Rasa): builds the pipeline from the data files in-process. `rasa test nlu` scores
entity spans and labels only; these tests also check the canonical values slots receive.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.nlp.build import build_nlp, expand
from bot.nlp.ruler import danger_phrases

HELD_OUT = Path(__file__).parent / "held_out.yml"
DIMENSIONS = {"borough", "strand", "need"}
ANNOTATION = re.compile(r"\[([^\]]+)\]\((\{[^)]*\})?\)|\[([^\]]+)\](\{[^}]*\})")


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _entities(nlp, text: str) -> set[tuple[str, str, str]]:
    return {
        (ent.text.lower(), ent.label_, ent.ent_id_)
        for ent in nlp(text).ents
        if ent.label_ in DIMENSIONS
    }


def _held_out() -> list[tuple[str, str, set[tuple[str, str, str]]]]:
    """(intent, plain text, {(span, label, value)}) for every held-out example."""
    import json

    examples = []
    for block in yaml.safe_load(HELD_OUT.read_text())["nlu"]:
        for line in block["examples"].splitlines():
            line = line.strip()[2:] if line.strip().startswith("- ") else ""
            if not line:
                continue
            gold = set()
            for match in re.finditer(r"\[([^\]]+)\](\{[^}]*\})", line):
                meta = json.loads(match.group(2))
                if meta["entity"] in DIMENSIONS:
                    gold.add((match.group(1).lower(), meta["entity"], meta["value"]))
            text = re.sub(r"\[([^\]]+)\](\{[^}]*\})", r"\1", line)
            examples.append((block["intent"], text, gold))
    return examples


def test_held_out_entities_with_canonical_values(nlp):
    true_pos = false_pos = false_neg = 0
    misses = []
    for _intent, text, spans in _held_out():
        # What the bot acts on is the canonical value, not where the phrase starts ("boss
        # took my passport" and "took my passport" are the same finding).
        found = {(label, value) for _, label, value in _entities(nlp, text)}
        gold = {(label, value) for _, label, value in spans}
        true_pos += len(found & gold)
        false_pos += len(found - gold)
        false_neg += len(gold - found)
        if found != gold:
            misses.append((text, sorted(gold - found), sorted(found - gold)))
    f1 = 2 * true_pos / (2 * true_pos + false_pos + false_neg)
    print(f"gazetteer value-level F1 on held-out: {f1:.3f} ({len(misses)} messages differ)")
    assert f1 >= 0.95, misses


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I need a refuge in Westminster", {("need", "refuge"), ("borough", "westminster")}),
        ("RBKC", {("borough", "kensington-and-chelsea")}),
        ("H&F", {("borough", "hammersmith-and-fulham")}),
        ("Hammersmith and Fulham", {("borough", "hammersmith-and-fulham")}),
        ("WCC", {("borough", "westminster")}),
        ("my postcode is W2 1AA", {("borough", "westminster")}),
        ("sw1a2aa", {("borough", "westminster")}),
        ("I'm in Croydon", {("borough", "croydon")}),
        ("i live in manchester", {("borough", "outside-london")}),
        ("Shepherd’s Bush", {("borough", "hammersmith-and-fulham")}),
        ("somewhere safe to stay", {("need", "refuge")}),
        ("he checks my phone", {("strand", "domestic-abuse")}),
        ("they want me to marry my cousin back home", {("strand", "forced-marriage")}),
        # Described, not named: exploitation, honour, marriage, images, Clare's Law, faith.
        ("the boss has my passport", {("strand", "modern-slavery")}),
        ("they don't pay me", {("strand", "modern-slavery")}),
        ("i sleep at the restaurant", {("strand", "modern-slavery")}),
        ("older boys make him sell drugs in other towns", {("strand", "modern-slavery")}),
        ("I can't leave the house", set()),  # coercive control as often as slavery
        ("you'll ruin the family name", {("strand", "honour-based-abuse")}),
        ("her in-laws watch everything she does", {("strand", "honour-based-abuse")}),
        ("they'll take her to bangladesh to marry", {("strand", "forced-marriage")}),
        ("a ceremony to become a woman", {("strand", "fgm")}),
        ("my ex posted nudes of me online", {("need", "online-abuse")}),
        ("can i find out if he has a record", {("need", "disclosure-scheme")}),
        ("abused as a child", {("strand", "sexual-violence")}),
        ("comes to work with bruises", {("strand", "domestic-abuse")}),
        ("he needs help to stop being abusive", {("need", "perpetrator-programme")}),
        ("my husband refuses to give me a get", {("audience", "jewish")}),
        ("I'm a muslim woman", {("audience", "muslim")}),
        ("mi marido me pega", {("language", "es")}),
        ("زوجي يضربني", {("language", "ar")}),
        ("whats galops number", {("service", "galop-helpline")}),
        ("do Karma Nirvana help boys", {("service", "karma-nirvana-helpline")}),
        ("is jewish women's aid open", {("service", "jwa-helpline")}),
    ],
)
def test_surface_forms_map_to_canonical_ids(nlp, text, expected):
    found = {(ent.label_, ent.ent_id_) for ent in nlp(text).ents}
    assert found == expected


def test_every_held_out_danger_message_without_a_phrase_is_left_to_the_classifier(nlp):
    """Most held-out danger messages carry a gazetteer danger phrase: the override is a real
    safety net, not decoration. (Recall of the whole pipeline is measured by rasa test nlu.)"""
    danger = [text for intent, text, _ in _held_out() if intent == "immediate_danger"]
    flagged = [t for t in danger if danger_phrases(nlp(t))]
    assert len(flagged) / len(danger) >= 0.6, sorted(set(danger) - set(flagged))


def test_danger_phrases_do_not_fire_on_ordinary_requests(nlp):
    calm = [
        text
        for intent, text, _ in _held_out()
        if intent not in {"immediate_danger"} and not intent.startswith("faq")
    ]
    fired = [t for t in calm if danger_phrases(nlp(t))]
    assert not fired


def test_phrase_expansion():
    assert list(expand("(he's|she's) (here|)")) == ["he's here", "he's", "she's here", "she's"]
    with pytest.raises(ValueError):
        list(expand("(a (b|c))"))


def test_every_phrase_pattern_matches_its_own_text(nlp):
    """A phrase that cannot match itself is a silent hole (as "i'm in danger" was, when
    contractions were re-joined token by token)."""
    from bot.nlp.build import all_patterns

    misses = []
    for pattern in all_patterns():
        if not isinstance(pattern["pattern"], str):
            continue  # postcode token patterns, tested above
        doc = nlp(pattern["pattern"])
        found = {(span.label_, span.start_char, span.end_char) for span in doc.ents}
        found |= {(span.label_, span.start_char, span.end_char) for span in danger_phrases(doc)}
        if (pattern["label"], 0, len(pattern["pattern"])) not in found:
            misses.append((pattern["label"], pattern["pattern"]))
    assert not misses, f"{len(misses)} patterns never match their own text, e.g. {misses[:5]}"


@pytest.mark.parametrize(
    "text", ["i'm in danger", "I'm not safe", "i'm bleeding", "I'm hiding in the bathroom"]
)
def test_contractions_in_danger_phrases_are_caught(nlp, text):
    assert danger_phrases(nlp(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("they want to take her to sudan to be 'purified' this summer", "fgm"),
        (
            "my brother says i \u2018shamed the family\u2019 and now they watch me",
            "honour-based-abuse",
        ),
        ('is it "coercive control" if he checks everything', "domestic-abuse"),
        ("i'm scared for my  kids' lives", "immediate_danger"),
    ],
)
def test_quotes_and_extra_spaces_do_not_hide_a_phrase(nlp, text, value):
    """People quote euphemisms; spaCy makes each quote (and each extra space) a token of its
    own. The ruler matches as if they were not there, and the span is still the typed text."""
    doc = nlp(text)
    found = {ent.ent_id_: ent for ent in doc.ents}
    if danger_phrases(doc):
        found["immediate_danger"] = danger_phrases(doc)[0]
    assert value in found, [(e.text, e.ent_id_) for e in doc.ents]
    ent = found[value]
    assert text[ent.start_char : ent.end_char] == ent.text


def test_a_longer_description_never_hides_the_danger_inside_it(nlp):
    # "they chain me" is danger; "they chain me at night", the longer match, modern slavery.
    # Entities may not overlap; danger phrases are kept apart, so both are found.
    doc = nlp("they chain me at night and today the door was open")
    assert [span.text for span in danger_phrases(doc)] == ["they chain me"]
    assert "modern-slavery" in {ent.ent_id_ for ent in doc.ents}
