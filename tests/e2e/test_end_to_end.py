"""Right service, first answer: the held-out conversations through the real stack.

tests/e2e/held_out/ was written by someone who had not read data/ (the training data), and is
never trained on: the first test keeps the two apart. Each item is played through the REST
channel as a person would type it, and scored on what the reply names (tests/e2e/scoring.py).

Issue 13's targets: a fitting service or pathway for at least 95 % of survivors, of
professionals and of multi-turn conversations; danger recall 100 %; at most 5 % of non-danger
messages get the danger reply without their answer. FLOORS below are what is met today, so a
change that loses ground fails; where a floor is under its target, the target is not met yet
(the closing note of the issue gives the figures).
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import PROJECT_ROOT, new_sender, nlu_examples
from tests.e2e.scoring import HELD_OUT, Catalogue, load_items, play

TARGETS = {"survivor": 0.95, "professional": 0.95, "multi_turn": 0.95}
# Measured 2026-12-03, with the learned strand and danger guessers (bot/nlp/guesser.py; their
# examples written apart from these items, and checked apart by tests/nlu/test_guesser.py):
# survivors 88.9 %, professionals 91.7 %, multi-turn 93.3 %, outside the area 90.3 %,
# definitions 94.3 %, danger recall 100 % (51/51); 2.6 % of non-danger messages got the danger
# lines without their answer (all 91.4 %, was 88.6 %). Unlike phrase lists, the guessers carried
# over: the tuning sets (their phrases tuned already) moved only from 98.1 % to 98.4 %.
# Measured 2026-12-02, later: survivors 86.6 %, professionals 89.0 %, multi-turn 91.7 %, outside
# the area 87.1 %, definitions 94.3 %, danger recall 92.2 % (47/51), 1.2 % danger lines without
# their answer (all 88.6 %). A fourth tuning set went from 89.1 % to 96.4 % on the same changes:
# the signals it taught carry over to these items only a little.
# Measured 2026-12-02: survivors 86.6 %, professionals 88.1 %, multi-turn 90.0 %, outside the
# area 87.1 %, definitions 94.3 %, danger recall 92.2 % (47/51); 1.2 % of non-danger messages
# got the danger lines without their answer. The day before: 84.3, 81.7, 83.3, 87.1, 94.3 and
# 90.2 %. The gain came from signals found on three tuning sets (bench/tuning/), never from
# reading these items.
# First round of issue 13 (2026-12-01): survivors 87.0 %, professionals 81.7 %, multi-turn
# 85.0 %, outside the area 90.3 %, definitions 94.3 %, danger recall 90.2 %.
# Before it (the form-and-gate dialogue and the 60-service directory, same items, same
# scoring): survivors 27.6 %, professionals 23.9 %, multi-turn 50.0 %, outside the area
# 61.3 %, definitions 94.3 %, danger recall 86.3 %.
# Floors are one item under what was measured, for the retraining on another machine.
FLOORS = {
    "survivor": 0.88,
    "professional": 0.9,
    "multi_turn": 0.91,
    "outside_area": 0.87,
    "definition": 0.91,
}
DANGER_RECALL_TARGET = 1.0
DANGER_RECALL_FLOOR = 0.98
DANGER_WITHOUT_ANSWER_MAX = 0.05


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def _training_examples() -> set[str]:
    return {
        _normal(text)
        for path in (PROJECT_ROOT / "data").rglob("*.yml")
        for _, text, _ in nlu_examples(path)
    }


def test_the_held_out_set_is_large_varied_and_never_trained_on():
    items = load_items()
    assert len(items) >= 400
    categories = {item["category"] for item in items}
    assert {"survivor", "professional", "multi_turn", "outside_area", "definition", "danger"} <= (
        categories
    )
    messages = [_normal(turn) for item in items for turn in item["turns"]]
    # Short replies ("yes", "skip", "fulham") are answers, not examples; anything longer in
    # both would mean the test was trained on.
    trained = _training_examples() & {m for m in messages if len(m.split()) > 2}
    assert not trained, sorted(trained)[:10]


def test_the_tuning_sets_share_no_message_with_the_held_out_set():
    """bench/tuning/ is tuned on (bench_end_to_end.py --failures); the held-out set never is."""
    held_out = {_normal(turn) for item in load_items() for turn in item["turns"]}
    tuning = {
        _normal(turn)
        for path in sorted((PROJECT_ROOT / "bench" / "tuning").glob("*.yml"))
        for item in load_items(path)
        for turn in item["turns"]
    }
    assert len(tuning) >= 600
    # Short common phrases ("i need a refuge", "he has a knife") occur in both by chance.
    shared = {m for m in tuning & held_out if len(m.split()) > 4}
    assert not shared, sorted(shared)[:10]


@pytest.fixture(scope="module")
def report(stack):
    catalogue = Catalogue.load(stack.database_url, PROJECT_ROOT / "domain")
    played = play(load_items(HELD_OUT), stack.send, new_sender, catalogue)
    print("\nheld-out end to end:\n" + "\n".join(played.lines()))
    return played


pytestmark = pytest.mark.stack


@pytest.mark.parametrize("category", sorted(FLOORS))
def test_a_fitting_answer_for_each_kind_of_person(report, category):
    passed, total = report.rate(category)
    assert total
    target = TARGETS.get(category)
    print(f"{category}: {passed}/{total} = {passed / total:.1%} (target {target})")
    assert passed / total >= FLOORS[category]


def test_danger_is_answered_with_999_and_the_silent_solution(report):
    hit, total = report.danger_recall()
    assert total >= 40
    print(f"danger recall: {hit}/{total} = {hit / total:.1%} (target {DANGER_RECALL_TARGET})")
    assert hit / total >= DANGER_RECALL_FLOOR


def test_danger_lines_never_replace_the_answer(report):
    bad, calm = report.danger_without_answer()
    assert bad / calm <= DANGER_WITHOUT_ANSWER_MAX
