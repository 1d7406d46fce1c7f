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
# "I'm a", "as the", "I work as a senior", "I'm her" ... then the role word (up to two words
# between).
SELF_IDENTIFICATION = (
    r"(?:i'?m|i am|as|work as|working as|we'?re|we are)\s+"
    r"(?:(?:a|an|the|her|his|their|your)\s+)?(?:[\w&-]+\s+){0,2}?"
)
# A role said first, as a signature: "GP here", "A&E nurse.", "youth worker - ...", "police:",
# "Year 4 class teacher in White City", "SENCO at a primary".
LEADING_ROLE = r"^(?:[\w&-]+\s+){0,3}?"
LEADING_ROLE_END = r"(?:\s+here\b|\s*[:.,;(]|\s+[-–—])"
# ... or followed by where they work. Not for the police: "police in my area did nothing" is
# a survivor talking about them.
LEADING_ROLE_AT = r"\s+(?:in|at|from|for)\s"
# The words before it describe the role ("year 4 class"), never ask ("i need a solicitor for").
LEADING_ROLE_BEFORE_AT = (
    r"^(?:(?!(?:i|i'm|im|need|want|my|a|an|the|to|get|find|see|call|speak|talk|me|can|how|where"
    r"|who|is|are|do|does|any|some)\b)[\w&-]+\s+){0,3}?"
)
NOT_LEADING_AT = frozenset({"police"})
WORKPLACE = r"(?:i|we)\s+(?:work|am based|'m based|volunteer)\s+(?:in|at|for|with)\s+"
# Someone describing their own abuse is asking for themselves, whatever their job.
OWN_ABUSE = re.compile(
    r"\bmy (?:husband|partner|boyfriend|bf|wife|girlfriend|gf|ex|fiance|fiancee)\b(?!'s)"
    r"|\b(?:hits|hit|hurts|hurt|beats|beat|abuses|abused|controls|threatens|threatened|raped|"
    r"stalks|follows|strangled|choked) me\b"
    r"|\b(?:shouts?|shouting|screams?|screaming|swears?|swearing|spits?|spat) (?:abuse )?at me\b"
    r"|\bmy (?:kids|children|baby)\b"
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


def _leading_regex(phrases: list[str], at_work: bool) -> re.Pattern:
    alternatives = "|".join(
        re.escape(p.lower()) for p in sorted({str(p) for p in phrases}, key=len, reverse=True)
    )
    roles = rf"{LEADING_ROLE}(?:{alternatives}){LEADING_ROLE_END}"
    if at_work:
        roles += rf"|{LEADING_ROLE_BEFORE_AT}(?:{alternatives}){LEADING_ROLE_AT}"
    return re.compile(roles)


@cache
def _patterns() -> dict[str, dict[str, re.Pattern]]:
    data = yaml.safe_load(PHRASES.read_text())
    return {
        "role": {k: _phrase_regex(v, SELF_IDENTIFICATION) for k, v in data["role"].items()},
        "leading_role": {
            k: _leading_regex(v, k not in NOT_LEADING_AT) for k, v in data["role"].items()
        },
        "role_context": {
            **{k: _phrase_regex(v) for k, v in data["role_context"].items()},
            "workplace": _phrase_regex(data["workplace"], WORKPLACE),
        },
        "professional_question": {"any": _phrase_regex(data["professional_question"])},
        "situation": {k: _phrase_regex(v) for k, v in data["situation"].items()},
    }


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("’", "'"))


def detect_role(text: str) -> str | None:
    """The role a writer gives themselves ("I'm a GP", "GP here:", "a patient told me", "I
    work in probation"), else None. Someone describing their own abuse is asking for
    themselves ("I'm a nurse and my husband hits me"): None."""
    if describes_own_abuse(text):
        return None
    text = _normalise(text)
    for label in ("role", "leading_role", "role_context"):
        for role, pattern in _patterns()[label].items():
            if pattern.search(text):
                return "professional" if role == "workplace" else role
    return None


def describes_own_abuse(text: str) -> bool:
    """ "My husband...", "...hits me": the writer is asking for themselves."""
    return bool(OWN_ABUSE.search(_normalise(text)))


def is_professional_question(text: str) -> bool:
    """Words that on their own make it a professional's question ("how do I refer to the
    MARAC?"), used when no role is given."""
    return bool(_patterns()["professional_question"]["any"].search(_normalise(text)))


def detect_situations(text: str) -> set[str]:
    text = _normalise(text)
    return {key for key, pattern in _patterns()["situation"].items() if pattern.search(text)}


# The situation each directory strand or need is, for a professional's pathway.
TERM_SITUATIONS = {
    "domestic-abuse": "domestic-abuse",
    "sexual-violence": "sexual-violence",
    "stalking": "stalking",
    "honour-based-abuse": "honour-based-abuse",
    "forced-marriage": "forced-marriage",
    "fgm": "fgm",
    "modern-slavery": "modern-slavery",
    "perpetrator-programme": "perpetrators",
    "housing": "housing",
    "disclosure-scheme": "clares-law",
    "online-abuse": "sexual-violence",  # sharing intimate images is a sexual offence
}


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
