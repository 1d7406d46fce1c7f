"""Eligibility and opening hours, defined once on the index (Index.eligible, Index.open_at)."""

from datetime import datetime

import pytest

from directory.index import Entry, Index, ServiceCard
from directory.taxonomy import vocabulary


def _entry(sid, schedules=(), open_24_7=False, gender="any", ages=(None, None), audiences=()):
    card = ServiceCard(sid, sid, "org", "", (), None, None, True, "national")
    return Entry(
        card=card,
        tier=2,
        boroughs=frozenset(),
        strands=frozenset(),
        needs=frozenset(),
        audiences=frozenset(audiences),
        languages=frozenset(),
        min_age=ages[0],
        max_age=ages[1],
        gender=gender,
        open_24_7=open_24_7,
        schedules=tuple((frozenset(days.split(",")), o, c) for days, o, c in schedules),
    )


def _open(index: Index, when: str) -> set[str]:
    mask = index.open_at(datetime.fromisoformat(when))
    return {e.card.id for e, is_open in zip(index.entries, mask, strict=True) if is_open}


@pytest.fixture
def hours():
    return Index(
        [
            _entry("office", [("MO,TU", "09:00", "17:00")]),
            _entry("late", [("FR", "22:00", "02:00")]),  # past midnight, into Saturday
            _entry("evening", [("SU", "18:00", "23:59")]),  # "23:59": until midnight
            _entry("always", open_24_7=True),
        ],
        version=1,
    )


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-11-30 09:00", {"office", "always"}),  # a Monday, opening minute
        ("2026-11-30 16:59", {"office", "always"}),
        ("2026-11-30 17:00", {"always"}),  # closing minute: closed
        ("2026-12-02 10:00", {"always"}),  # Wednesday: not one of its days
        ("2026-12-04 21:59", {"always"}),  # Friday
        ("2026-12-04 22:00", {"late", "always"}),
        ("2026-12-05 01:59", {"late", "always"}),  # Saturday, from Friday's schedule
        ("2026-12-05 02:00", {"always"}),
        ("2026-12-05 22:30", {"always"}),  # Saturday night is not a Friday
        ("2026-12-06 23:59", {"evening", "always"}),  # Sunday's last minute
        ("2026-12-07 00:00", {"always"}),  # Monday: Sunday's evening ended at midnight
    ],
)
def test_open_at_follows_days_times_and_midnight(hours, when, expected):
    assert _open(hours, when) == expected


def test_eligible_applies_gender_and_age_ranges():
    low, high = vocabulary().age_ranges["young-people"]
    index = Index(
        [
            _entry("women-only", gender="women"),
            _entry("men-only", gender="men"),
            _entry("adults", ages=(18, None)),
            _entry("youth", audiences=("young-people",)),  # no range of its own
            _entry("anyone"),
        ],
        version=1,
    )

    def eligible(audiences, age):
        mask = index.eligible(frozenset(audiences), age)
        return {e.card.id for e, ok in zip(index.entries, mask, strict=True) if ok}

    everyone = {"women-only", "men-only", "adults", "youth", "anyone"}
    assert eligible((), None) == everyone
    assert eligible(("men",), None) == everyone - {"women-only"}
    assert eligible(("women",), None) == everyone - {"men-only"}
    assert eligible(("women", "men"), None) == everyone
    assert (low, high) == (0, 25)  # the vocabulary's young-people range, which these use
    assert eligible((), 17) == everyone - {"adults"}
    assert eligible((), 25) == everyone
    assert eligible((), 26) == everyone - {"youth"}
    assert eligible(("men",), 17) == everyone - {"women-only", "adults"}
