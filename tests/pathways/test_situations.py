"""Recognising a professional and the situation they describe."""

from __future__ import annotations

import pytest

from directory.pathways.situations import detect_role, detect_situations, pathways_for

DA = ["domestic-abuse-high-risk", "domestic-abuse-standard-medium-risk"]


def _pathways(text: str) -> list[str]:
    return pathways_for(detect_situations(text))


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("I'm a GP", "gp"),
        ("as a teacher, what do I do", "teacher"),
        ("I work as a housing officer", "housing-officer"),
        ("I am a social worker in Westminster", "social-worker"),
        ("I'm a health visitor", "health-visitor"),
        ("I’m a police officer", "police"),
        ("I'm a professional", "professional"),
        ("a patient disclosed abuse", "gp"),
        ("one of my clients was raped", "professional"),
        ("Year 4 class teacher in White City. A boy told me", "teacher"),
        ("SENCO at a primary in North Kensington", "teacher"),
        ("Support worker in a hostel, one of our residents", "professional"),
        ("I interpret for the council", "professional"),
    ],
)
def test_a_professional_role_is_recognised(text, role):
    assert detect_role(text) == role


@pytest.mark.parametrize(
    "text",
    [
        "my partner hits me",
        "my doctor told me to call you",
        "I'm a student and my boyfriend hits me",
        "I need a refuge in Westminster",
        "the police came to my house last night",
        "police in my area did nothing",
        "i need a solicitor for a non molestation order",
        "where can i find a solicitor in fulham",
    ],
)
def test_a_survivor_is_not_taken_for_a_professional(text):
    assert detect_role(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a patient disclosed domestic abuse", DA),
        ("she scored 16 on the DASH, how do I refer to MARAC", ["domestic-abuse-high-risk"]),
        ("a medium risk DA case", ["domestic-abuse-standard-medium-risk"]),
        ("DA and the children are at home", [*DA, "children-at-risk"]),
        ("a pupil disclosed her dad hits her mum", [*DA, "children-at-risk"]),
        ("a 15 year old told me she has had FGM", ["fgm-known-under-18"]),
        ("a girl may be taken abroad for FGM in the holidays", ["fgm-risk-or-adult"]),
        ("FGM", ["fgm-known-under-18", "fgm-risk-or-adult"]),
        ("my client may have been trafficked", ["modern-slavery"]),
        ("her family are forcing her to marry", ["forced-marriage"]),
        ("threats over family honour", ["honour-based-abuse"]),
        ("her ex is stalking her", ["stalking"]),
        ("she was raped at the weekend", ["sexual-violence"]),
        ("he is worried about his own behaviour", ["perpetrators"]),
        ("can I refer them to couples counselling", ["perpetrators"]),
        ("she needs the sanctuary scheme", ["housing"]),
        ("how does Clare's Law work", ["clares-law"]),
        ("I'm worried about a child in a family I visit", ["children-at-risk"]),
        ("hello", []),
    ],
)
def test_situations_map_to_pathways(text, expected):
    assert _pathways(text) == expected
