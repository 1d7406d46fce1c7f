"""What the actions count (directory.insight): searches, gaps, danger replies and pathways, by
vocabulary ids only, never anything the person typed."""

from __future__ import annotations

import pytest

from directory import insight
from tests.actions.helpers import PRIVATE_TEXT, run


@pytest.fixture
def counter(directory_url):
    counter = insight.Counter(directory_url)
    insight.install(counter)
    yield counter
    insight.install(None)


def _counts(counter) -> dict[tuple, int]:
    return {key[1:]: n for key, n in counter.pending().items()}


def test_a_search_is_counted_once_by_its_ids(counter):
    run({}, entities=[("borough", "westminster"), ("need", "refuge"), ("audience", "women")])
    counts = _counts(counter)
    assert counts == {
        ("search", "westminster", "not-given", "refuge", "women", "not-given", "survivor", "-"): 1
    }
    every_value = {v for key in counts for v in key}
    assert not any(word in " ".join(every_value) for word in ("Jane", "07700", "Acacia"))


def test_an_out_of_area_search_and_one_with_no_area_have_fixed_ids(counter):
    run({}, entities=[("borough", "camden"), ("strand", "stalking")])
    run({}, entities=[("strand", "stalking")])
    boroughs = {key[1] for key in _counts(counter) if key[0] == "search"}
    assert boroughs == {"outside-area", "not-given"}


def test_a_widened_search_is_a_gap(counter):
    # No local FGM clinic for men in Kensington and Chelsea: the search is widened.
    run(
        {},
        entities=[
            ("borough", "kensington-and-chelsea"),
            ("need", "fgm-clinic"),
            ("audience", "men"),
        ],
    )
    gaps = {key[-1]: n for key, n in _counts(counter).items() if key[0] == "gap"}
    assert gaps == {"widened": 1}


def test_a_search_with_nothing_local_in_the_partnership_is_a_gap(counter):
    # Legal advice: London-wide and national services only, none in the borough itself.
    run({}, entities=[("borough", "kensington-and-chelsea"), ("need", "legal-advice")])
    run({}, entities=[("borough", "camden"), ("need", "legal-advice")])  # not ours: no gap
    gaps = {key: n for key, n in _counts(counter).items() if key[0] == "gap"}
    assert gaps == {
        (
            "gap",
            "kensington-and-chelsea",
            "not-given",
            "legal-advice",
            "not-given",
            "-",
            "-",
            "no-local",
        ): 1
    }


def test_the_danger_reply_is_counted(counter):
    run({}, intent="immediate_danger", text="he's outside")
    assert _counts(counter)[("danger", "-", "-", "-", "-", "-", "survivor", "-")] == 1


def test_a_pathway_shown_is_counted_with_its_id(counter):
    run(
        {"borough": "westminster"},
        intent="ask_pathway",
        text="I'm a midwife and a woman I saw today disclosed domestic abuse",
    )
    pathways = {(key[1], key[-1], key[-2]) for key in _counts(counter) if key[0] == "pathway"}
    assert ("westminster", "domestic-abuse-high-risk", "professional") in pathways


def test_nothing_is_counted_where_the_process_does_not_count(directory_url):
    insight.install(None)
    messages, _ = run({}, entities=[("need", "refuge")], text=PRIVATE_TEXT)
    assert messages  # answered as ever
