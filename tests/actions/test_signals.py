"""Signals: everything a message says about the person and their need, merged over turns."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.signals import SKIPPED, Signals, age_in
from tests.actions.helpers import tracker


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("im 15 and my mums bf hits her", 15),
        ("I am 70 and my son takes my pension", 70),
        ("she's 13", 13),
        ("i'm 16yo", 16),
        ("aged 82", 82),
        ("he's 40 and drinks", None),  # the abuser's age is not the person's
        ("my 3 year old is scared", None),  # a child of the person asking
        ("I'm 5 months pregnant", None),
        ("i'm 30 weeks gone", None),
    ],
)
def test_age(text, age):
    assert age_in(text) == age


def test_every_kind_of_signal_is_read_from_one_message():
    signals = Signals.of(
        tracker(
            "i'm 15, my boyfriend hurts me",
            entities=[
                ("strand", "domestic-abuse"),
                ("need", "helpline"),
                ("borough", "westminster"),
                ("audience", "deaf-disabled"),
                ("language", "ar"),
                ("need", "not-a-need"),  # unknown ids are dropped
            ],
        )
    )
    assert signals.strands == ("domestic-abuse",)
    assert signals.needs == ("helpline",)
    assert signals.borough == "westminster"
    assert signals.age == 15
    assert set(signals.audiences) == {"deaf-disabled", "young-people"}
    assert signals.languages == ("ar",)
    assert not signals.urgent and signals.role is None


def test_older_age_and_same_sex_partner_imply_audiences():
    older = Signals.of(tracker("I am 74 and my grandson takes my money"))
    assert older.audiences == ("older-people",)
    gay = Signals.of(tracker("my husband hits me", entities=[("audience", "men")]))
    assert set(gay.audiences) == {"men", "lgbt"}


@pytest.mark.parametrize(
    ("text", "age", "audiences"),
    [
        ("an 83 year old patient with bruising", 83, {"older-people"}),
        ("a 14 year old boy told me his uncle hits him", 14, {"young-people"}),
        ("my mum is 80 and my brother takes her pension", None, {"older-people"}),
        ("my dad is 45 and hits my mum", None, set()),  # a parent's age is not the person's
        ("my 3 year old daughter is scared", None, set()),
        ("my best mate's girlfriend hits him", None, {"men"}),
        ("i was abused as a boy", None, {"men"}),
    ],
)
def test_the_person_written_about(text, age, audiences):
    signals = Signals.of(tracker(text))
    assert signals.age == age
    assert set(signals.audiences) == audiences


def test_an_older_persons_son_is_not_a_child_at_risk():
    signals = Signals.of(tracker("an 83 year old patient, her son manages her money"))
    assert "children" not in signals.situations
    assert "children" in Signals.of(tracker("a patient, her son is 6")).situations


def test_urgency_comes_from_the_danger_check():
    assert Signals.of(tracker("he's outside", intent="immediate_danger")).urgent
    # A danger word anywhere: the intent stays, the urgency comes with it.
    words = tracker("he had a knife, i want counselling")
    words.latest_message["urgency"] = True  # set by bot.nlu.danger.DangerOverride
    words = Signals.of(words)
    assert words.urgent
    assert not Signals.of(tracker("i want counselling")).urgent


@pytest.mark.parametrize(
    ("text", "intent", "role"),
    [
        ("as a midwife, a woman told me her partner hits her", "ask_pathway", "health-visitor"),
        ("one of my patients disclosed abuse", "ask_pathway", "gp"),
        ("/identify_professional", "identify_professional", "professional"),  # the button
        ("I'm a Black woman and my ex hits me", "identify_professional", None),  # a guess
        ("my doctor said I should ask", "search_services", None),  # a survivor's own doctor
    ],
)
def test_a_professional_role_in_any_form(text, intent, role):
    assert Signals.of(tracker(text, intent=intent)).role == role


def test_a_follow_up_narrows_what_earlier_turns_said():
    before = {
        "strands": ["domestic-abuse"],
        "needs": ["counselling"],
        "borough": "westminster",
        "audiences": ["women"],
        "user_role": None,
    }
    signals = Signals.of(
        tracker("actually fulham", entities=[("borough", "hammersmith-and-fulham")], **before)
    )
    assert signals.borough == "hammersmith-and-fulham"  # replaced
    assert signals.strands == ("domestic-abuse",) and signals.needs == ("counselling",)  # kept
    assert signals.new == {"borough"}
    more = Signals.of(tracker("im deaf", entities=[("audience", "deaf-disabled")], **before))
    assert set(more.audiences) == {"women", "deaf-disabled"}  # who they are accumulates


def test_a_skipped_question_is_searched_without():
    signals = Signals.of(tracker("skip", intent="skip", needs=["refuge"]))
    assert signals.with_skipped("borough").borough == SKIPPED
    assert signals.with_skipped("need").needs == ()


def test_slots_hold_ids_and_numbers_only():
    signals = Signals.of(
        tracker("I'm 15 my name is Jane", entities=[("strand", "stalking")], user_role=None)
    )
    values = [e["value"] for e in signals.slot_events()]
    assert "Jane" not in repr(values)
    assert ["stalking"] in values and 15.0 in values


def test_a_child_telling_of_violence_at_home_is_urgent():
    child = Signals.of(
        tracker("im 12 and my dad beats my mum", entities=[("strand", "domestic-abuse")])
    )
    assert child.urgent
    # The audience pattern "my dad beats my mum" (young people) gives no strand: still urgent.
    assert Signals.of(
        tracker("im 12 and my dad beats my mum", entities=[("audience", "young-people")])
    ).urgent
    adult = Signals.of(
        tracker("im 30 and my dad beats my mum", entities=[("strand", "domestic-abuse")])
    )
    assert not adult.urgent


@pytest.mark.parametrize(
    ("text", "strands", "audiences"),
    [
        # A family holding her passport to marry her off: the marriage, not modern slavery.
        (
            "my dad has my passport and they arranged my nikah",
            ("forced-marriage", "modern-slavery"),
            {"strand": ("forced-marriage",)},
        ),
        # The boss holding papers, in words no phrase foresees: modern slavery.
        ("the owner of the restaurant keeps my passport", (), {"strand": ("modern-slavery",)}),
    ],
)
def test_the_situation_decides_what_a_passport_means(text, strands, audiences):
    signals = Signals.of(tracker(text, entities=[("strand", s) for s in strands]))
    assert signals.strands == audiences["strand"]


@pytest.mark.parametrize(
    ("text", "strands"),
    [
        ("my boyfriend tracks my location all the time", ("domestic-abuse",)),
        ("my husband follows me to work", ("domestic-abuse",)),
        ("my ex boyfriend tracks my location", ("stalking",)),
        ("my boyfriend's ex keeps following me", ("stalking",)),
        ("a man at work follows me home", ("stalking",)),
    ],
)
def test_stalking_by_a_current_partner_is_domestic_abuse(text, strands):
    signals = Signals.of(tracker(text, entities=[("strand", "stalking")]))
    assert signals.strands == strands


@pytest.mark.parametrize(
    ("text", "lgbt"),
    [
        ("my family found out im gay", True),
        ("I'm not gay, he was a stranger", False),
        ("im straight but a man assaulted me", False),
    ],
)
def test_lgbt_said_anywhere_unless_denied(text, lgbt):
    signals = Signals.of(tracker(text, entities=[("audience", "lgbt")] if "gay" in text else []))
    assert ("lgbt" in signals.audiences) is lgbt


def test_a_service_named_is_a_signal():
    signals = Signals.of(tracker("whats galops number", entities=[("service", "galop-helpline")]))
    assert signals.named == ("galop-helpline",)
    assert "named" in signals.new


def _with_guess(t: Tracker, dimension: str, value: str) -> Tracker:
    # The learned guessers' entities alone carry a confidence (bot.nlu.gazetteer).
    t.latest_message["entities"].append({"entity": dimension, "value": value, "confidence": 0.9})
    return t


def test_a_guessed_strand_starts_the_search():
    signals = Signals.of(
        _with_guess(tracker("he sits outside my flat most nights"), "strand", "stalking")
    )
    assert signals.strands == ("stalking",)
    assert "strands" in signals.new


def test_a_guess_never_replaces_a_strand_said_before_or_named_now():
    follow_up = tracker("we live near the broadway, is that fulham", strands=["domestic-abuse"])
    assert Signals.of(_with_guess(follow_up, "strand", "modern-slavery")).strands == (
        "domestic-abuse",
    )
    named = tracker("stalking, he waits for me", entities=[("strand", "stalking")])
    assert Signals.of(_with_guess(named, "strand", "domestic-abuse")).strands == ("stalking",)
