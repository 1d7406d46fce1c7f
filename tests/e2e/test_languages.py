"""Danger in 14 languages (issue 18), through the real stack: every danger message of the
held-out set is answered with 999 and the Silent Solution, in the person's language.

tests/e2e/held_out_languages/ was written by someone who had read neither the danger patterns
(bot/nlu/danger_languages/) nor the translations (translations/); the first test keeps them
apart. Target: danger recall 100 % in every language.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot import translations
from bot.nlu.danger import DANGER_LANGUAGES, fold
from directory.wording import full_languages
from tests.conftest import new_sender
from tests.e2e.scoring import DANGER_MARKERS

HELD_OUT = Path(__file__).parent / "held_out_languages" / "languages.yml"
RECALL_TARGET = 1.0
# Measured 2026-12-06, with the five full languages read throughout (bot/nlu/languages.py;
# patterns tuned on bench/tuning_languages/ and the translators' and a helper's own messages,
# never on these): recall 161/168, 12/12 in every language but Amharic, Bengali, Spanish,
# Portuguese, Tigrinya (11/12) and French (10/12: a French message is now read, so the net for
# unreadable messages no longer catches what its danger patterns miss); 158 of the 161 in the
# person's language. 2026-12-04: 163/168, 139 in the person's language (the rest in English as
# unreadable). Floors are one item under what was measured, for retraining elsewhere; the
# target is 100 % in each.
MEASURED = {"am": 11, "bn": 11, "es": 11, "fr": 10, "pt": 11, "ti": 11}  # of 12; the others 12
RECALL_FLOOR = {code: (MEASURED.get(code, 12) - 1) / 12 for code in translations.languages()}
IN_LANGUAGE_FLOOR = 0.95  # 158/161 measured
CALM_ALARMED_MAX = 0.2  # 3/20 measured: the danger lines, then the answer


def _items() -> list[dict]:
    return yaml.safe_load(HELD_OUT.read_text(encoding="utf-8"))


def test_the_set_covers_every_language_and_is_kept_apart():
    by_language = defaultdict(list)
    for item in _items():
        by_language[item["language"]].append(item)
    assert set(by_language) == set(translations.languages())
    for language, items in by_language.items():
        assert sum(item["danger"] for item in items) >= 10, language
        assert any(not item["danger"] for item in items), language
    # No held-out message was copied into the patterns or the translations.
    written = " ".join(
        fold(path.read_text(encoding="utf-8"))
        for folder in (DANGER_LANGUAGES, translations.TRANSLATIONS)
        for path in folder.glob("*.yml")
    )
    copied = [
        i["id"] for i in _items() if len(i["text"].split()) > 3 and fold(i["text"]) in written
    ]
    assert not copied, copied


def test_the_tuning_set_shares_no_message_with_the_held_out_set():
    """bench/tuning_languages/ is tuned on; the held-out set never is."""
    tuning = Path(__file__).resolve().parents[2] / "bench" / "tuning_languages" / "languages.yml"
    tuned = {fold(item["text"]) for item in yaml.safe_load(tuning.read_text(encoding="utf-8"))}
    assert len(tuned) >= 200
    shared = [i["id"] for i in _items() if len(i["text"].split()) > 3 and fold(i["text"]) in tuned]
    assert not shared, shared


@functools.cache
def _danger_first_line(language: str) -> str:
    danger = translations.languages()[language]["responses"]["utter_immediate_danger"]
    return danger["text"].split("\n")[0]


@pytest.fixture(scope="module")
def replies(stack) -> dict[str, str]:
    return {
        item["id"]: "\n".join(m.get("text") or "" for m in stack.send(new_sender(), item["text"]))
        for item in _items()
    }


pytestmark = pytest.mark.stack


def _has_danger_lines(reply: str) -> bool:
    return all(marker.search(reply) for marker in DANGER_MARKERS)


def test_danger_is_answered_with_999_and_the_silent_solution_in_every_language(replies):
    hits, totals, in_language = defaultdict(int), defaultdict(int), defaultdict(int)
    for item in _items():
        if not item["danger"]:
            continue
        language, reply = item["language"], replies[item["id"]]
        totals[language] += 1
        hits[language] += _has_danger_lines(reply)
        in_language[language] += _danger_first_line(language) in reply
    print(f"\nlanguage  danger recall (target {RECALL_TARGET:.0%})  in the person's language")
    for language in sorted(totals):
        print(
            f"{language:>8}  {hits[language]:>3}/{totals[language]:<3}  {in_language[language]:>3}"
        )
    missed = {
        language: hits[language] / totals[language]
        for language in totals
        if hits[language] / totals[language] < RECALL_FLOOR[language]
    }
    assert not missed, missed


def test_the_danger_lines_come_in_the_language_they_were_asked_in(replies):
    """Lines in the person's language come from that language's danger patterns; a message no
    pattern or example can read gets them in English (bot.nlu.danger: unreadable)."""
    answered = [i for i in _items() if i["danger"] and _has_danger_lines(replies[i["id"]])]
    in_language = [i for i in answered if _danger_first_line(i["language"]) in replies[i["id"]]]
    print(f"\ndanger lines in the person's language: {len(in_language)}/{len(answered)}")
    assert len(in_language) / len(answered) >= IN_LANGUAGE_FLOOR


def test_calm_messages_in_the_full_languages_are_rarely_taken_for_danger(replies):
    """A calm message in Arabic, Spanish, Portuguese, French or Polish is read (bot.nlu.languages)
    and answered; the danger lines mean a danger pattern fired on it, which should be rare. In
    the other languages nothing but danger can be read, so a calm message of four words or more
    gets the danger lines as unreadable (by design: a false alarm costs a few lines), in its
    language when detection knows it."""
    calm = [i for i in _items() if not i["danger"] and i["language"] in full_languages()]
    alarmed = sum(_has_danger_lines(replies[i["id"]]) for i in calm)
    print(f"\ncalm messages in the full languages with the danger lines: {alarmed}/{len(calm)}")
    assert alarmed / len(calm) <= CALM_ALARMED_MAX  # ids not shown: the set is never tuned on
