"""Words for people, in English and in the languages of translations/<code>.yml.

English: the directory layer's own words are in directory/wording.yml (`say("covers",
boroughs="Westminster")`); the bot's are the domain's responses, the widget's in
webchat/src/wording.js. Translations of all three, and of the vocabulary's labels, are in
translations/<code>.yml, one file per language, as translators review them (README: "Reviewing
a language"). A missing key or placeholder is an error, never a blank line; a line not yet
translated is said in English.

The language is the caller's: `with speaking("es"): ...` makes `say` and the vocabulary's labels
answer in Spanish within that block (and in threads started from it: a context variable).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Iterator
from pathlib import Path

import yaml

WORDING = Path(__file__).with_name("wording.yml")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
ENGLISH = "en"
FULL = "full"  # a language whose every line is translated; others have the danger lines only

_speaking: contextvars.ContextVar[str] = contextvars.ContextVar("speaking", default=ENGLISH)


@functools.cache
def wording() -> dict:
    return yaml.safe_load(WORDING.read_text())


@functools.cache
def translation_files() -> dict[str, dict]:
    """Language code -> its translation file, read whole."""
    found = {}
    for path in sorted(TRANSLATIONS.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[data["language"]] = data
    return found


@functools.cache
def full_languages() -> frozenset[str]:
    """The languages the assistant speaks throughout (besides English)."""
    return frozenset(c for c, d in translation_files().items() if d.get("support") == FULL)


def translated(section: str, key: str, language: str | None = None) -> str | None:
    """The translation of `key` in a translation file's `section` (responses, wording, labels,
    widget), or None when the language has none yet."""
    language = language or _speaking.get()
    if language == ENGLISH:
        return None
    entry = ((translation_files().get(language) or {}).get(section) or {}).get(key)
    text = entry.get("text") if isinstance(entry, dict) else None
    return text or None


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[None]:
    token = _speaking.set(language if language in full_languages() else ENGLISH)
    try:
        yield
    finally:
        _speaking.reset(token)


def current_language() -> str:
    return _speaking.get()


def say(key: str, **values) -> str:
    template = translated("wording", key) or wording()[key]
    return template.format(**values)


def short_label(code: str) -> str | None:
    return translated("wording", f"short_labels.{code}") or wording()["short_labels"].get(code)


def listing(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + say("and") + items[-1]
