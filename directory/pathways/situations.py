"""Which pathway(s) a professional's message is about, and who they say they are.

Phrases live in directory/pathways/phrases.yml.
Matching is whole-word and case-insensitive. The text is only matched, never stored or logged.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

PHRASES = Path(__file__).resolve().parent / "phrases.yml"
# "I'm a", "as the", "I work as a senior" ... then the role word (up to two words between).
SELF_IDENTIFICATION = (
    r"(?:i'?m|i am|as|work as|working as|we'?re|we are)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,2}?"
)

DA_HIGH = "domestic-abuse-high-risk"
DA_STANDARD = "domestic-abuse-standard-medium-risk"
CHILDREN = "children-at-risk"
FGM_KNOWN = "fgm-known-under-18"
FGM_RISK = "fgm-risk-or-adult"
# Situations whose own pathway is already the answer (the rest need the rules in `pathways_for`).
DIRECT = (
    "modern-slavery",
    "forced-marriage",
    "honour-based-abuse",
    "stalking",
    "sexual-violence",
    "perpetrators",
    "housing",
    "clares-law",
)
# The order answers are given in: the most urgent and most specific first.
ORDER = (
    "honour-based-abuse",
    "forced-marriage",
    FGM_KNOWN,
    FGM_RISK,
    DA_HIGH,
    DA_STANDARD,
    CHILDREN,
    "modern-slavery",
    "sexual-violence",
    "stalking",
    "housing",
    "perpetrators",
    "clares-law",
)


def _phrase_regex(phrases: list[str], prefix: str = "") -> re.Pattern:
    alternatives = "|".join(
        re.escape(p.lower()) for p in sorted({str(p) for p in phrases}, key=len, reverse=True)
    )
    return re.compile(rf"(?<![\w-]){prefix}(?:{alternatives})(?![\w-])")


@cache
def _patterns() -> dict[str, dict[str, re.Pattern]]:
    data = yaml.safe_load(PHRASES.read_text())
    return {
        "role": {k: _phrase_regex(v, SELF_IDENTIFICATION) for k, v in data["role"].items()},
        "role_context": {k: _phrase_regex(v) for k, v in data["role_context"].items()},
        "situation": {k: _phrase_regex(v) for k, v in data["situation"].items()},
    }


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("’", "'"))


def detect_role(text: str) -> str | None:
    """The role a writer gives themselves ("I'm a GP", "a patient told me"), else None."""
    text = _normalise(text)
    for label in ("role", "role_context"):
        for role, pattern in _patterns()[label].items():
            if pattern.search(text):
                return role
    return None


def detect_situations(text: str) -> set[str]:
    text = _normalise(text)
    return {key for key, pattern in _patterns()["situation"].items() if pattern.search(text)}


def pathways_for(situations: set[str]) -> list[str]:
    """Pathway ids for the situations found, in answer order."""
    found = set(situations) & set(DIRECT)
    risk_given = situations & {DA_HIGH, DA_STANDARD}
    if risk_given:
        found |= risk_given
    elif "domestic-abuse" in situations:
        found |= {DA_HIGH, DA_STANDARD}  # the DASH decides between them: give both
    if situations & {"fgm", "fgm-known", "fgm-risk"}:
        known, adult = "fgm-known" in situations, "fgm-adult" in situations
        if known:
            found.add(FGM_KNOWN)
        if adult or "fgm-risk" in situations or (known and adult):
            found.add(FGM_RISK)
        if not (known or adult or "fgm-risk" in situations):
            found |= {FGM_KNOWN, FGM_RISK}
    # A child mentioned alongside domestic abuse, or on its own, is a children's pathway. Other
    # pathways (FGM, forced marriage...) already say what to do for under-18s.
    if "children" in situations and (risk_given or "domestic-abuse" in situations or not found):
        found.add(CHILDREN)
    return [pathway_id for pathway_id in ORDER if pathway_id in found]
