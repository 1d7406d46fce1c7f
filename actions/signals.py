"""What a conversation has told us about the person and what they need: signals, not one intent.

Each message is read for every signal at once, whatever intent the classifier chose:

- strands, needs, place, audience (who the person is) and language: entities from the spaCy
  gazetteer (bot/nlp), canonical ids only;
- age: "I'm 15", "15 years old" (a number only: it filters by age and implies an audience);
- role: a professional who says so in any form (directory.pathways.situations);
- urgency: the danger check (the intent immediate_danger, set by bot.nlu.danger).

`Signals.of(tracker)` merges this message with what earlier turns said (kept in slots), so a
follow-up such as "I'm a man" or "Fulham" narrows the last answer instead of starting again.
Nothing the person typed is kept: slots hold ids and numbers only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from directory.pathways.situations import (
    TERM_SITUATIONS,
    describes_own_abuse,
    detect_role,
    detect_situations,
    is_professional_question,
    pathways_for,
)
from directory.taxonomy import vocabulary

SKIPPED = "any"  # a question the person skipped: search without that criterion
DANGER_INTENT = "immediate_danger"
PROFESSIONAL_INTENTS = frozenset(
    {"identify_professional", "ask_pathway", "ask_pathway_threshold", "ask_pathway_contacts"}
)
CHILD_AGE, ADULT_AGE, OLDER_AGE = 16, 18, 60
PERPETRATOR_NEED = "perpetrator-programme"
# Danger is answered first even when the classifier only half thinks so: the answer follows
# in the same reply, so a false alarm costs a few lines, a miss could cost a life.
DANGER_MIN_CONFIDENCE = 0.15
# The classifier's word that a question is a professional's, when nothing else says so.
PROFESSIONAL_MIN_CONFIDENCE = 0.7
DESCRIBED_WORDS = 8  # "I'm a GP" says who; a message this long also says what happened
# "I'm 15", "im 15 years old", "aged 70", "she's 13" (a daughter, a friend): the age of the
# person the help is for. Never "he's 40" (usually the abuser) or "my 3 year old" (a child of
# the person asking, who is not the one the services must accept).
_AGE = re.compile(
    r"\b(?:i'?m|i am|aged|age|she'?s|she is)\s+(?:only\s+|just\s+)?(\d{1,2})"
    r"(?:\s*(?:yo|y/o|yrs?\s*old|years?\s*old))?"
    r"(?!\s*(?:weeks?|months?|mins?|minutes?|hours?|days?|am|pm|times|%|:|\.\d|\d))\b"
)
# The age of someone the person writes about: "my mum is 80", "an 83 year old patient", "a 14
# year old boy". Only a relative or a person word counts ("my 3 year old" is the writer's own
# child, who is not the one the services must accept); a parent's or grandparent's age ("my dad
# is 79", "he is 79" after "I'm worried about my dad") says only whether they are an older
# person (_ELDER).
_THEIR_AGE = re.compile(
    r"\b(\d{2})[\s-]*(?:yo|y/o|yrs?[\s-]*old|years?[\s-]*old)\s+"
    r"(?:patient|client|woman|lady|man|gentleman|person|pupil|student|girl|boy|resident|tenant|"
    r"service user|neighbour|widow|pensioner|niece|nephew|granddaughter|grandson|lad|teenager)\b"
)
_ELDER = re.compile(
    r"\b(?:my (?:mum|mom|mother|mam|nan|nana|gran|granny|grandma|grandmother|dad|father|grandad|"
    r"granddad|grandfather|grandpa|aunt|auntie|uncle|neighbour)|he|she)"
    r"\s+(?:is|who is|who's|'s|aged)\s+"
    r"(?:nearly\s+|almost\s+|over\s+)?(\d{2})\b"
)
# A man harmed by a female partner, told by a friend or relative ("his girlfriend hits him"),
# or a man abused as a boy.
_MALE_VICTIM = re.compile(
    r"\b(?:his|my (?:best |close |)(?:mate|friend|brother|son|dad|father|uncle|cousin)'?s) "
    r"(?:girlfriend|gf|wife|fiancee|partner|ex|ex-wife|ex wife|ex-girlfriend)\b.{0,60}"
    r"(?<!by )\bhim\b|\b(?:as a|when i was a) (?:boy|lad)\b"
)
# LGBT+ said in a longer phrase ("my family found out i'm gay"), unless denied ("I'm not gay").
_LGBT = re.compile(r"\b(?:gay|lesbian|bisexual|bi|queer|trans|transgender|non-binary|nonbinary)\b")
_NOT_LGBT = re.compile(
    r"\b(?:not|n't|never been)\s+(?:gay|lesbian|bi|bisexual|queer)\b|\bi'?m straight\b"
)
# Someone at work holding a person's papers: modern slavery, in any order of words.
_WORK_CONTROL = re.compile(
    r"\b(?:owner|boss|manager|employer|gaffer|foreman|agent|agency|supervisor|patr[aã]o|patroa)\b"
    r".{0,40}\b(?:keeps?|kept|took|takes|has|have|holds?|holding|taken|got)\b.{0,15}"
    r"\b(?:passports?|documents|papers|id|visa)\b"
)
# "Sexual thoughts about children": help to stop (Stop It Now), a sexual-violence service.
_THOUGHTS_ABOUT_CHILDREN = re.compile(
    r"\b(?:sexual )?(?:thoughts|urges|feelings|attraction)\b.{0,40}"
    r"\b(?:children|kids|a child|minors)\b"
)
# Tracking, following or watching by a current partner is coercive control: domestic abuse,
# whose services fit better than stalking's ("my boyfriend tracks my location"). Not an ex, and
# not someone else's partner ("my boyfriend's ex").
_CURRENT_PARTNER = re.compile(
    r"\bmy (?:boyfriend|bf|husband|partner|girlfriend|gf|wife|fiance|fiancee)\b(?!'s|’s)"
)
# Someone abused by a wife or girlfriend who has not said who they are is most often a man.
_FEMALE_PARTNER = re.compile(
    r"\bmy (?:wife|girlfriend|gf|missus|misses|fiancee|ex-wife|ex wife|ex-girlfriend|"
    r"ex girlfriend)\b"
)
_MALE = re.compile(
    r"\b(?:i'?m|i am)\s+\d{1,2}\s*,?\s*(?:and\s+)?(?:male|a male|a man|a guy|a lad)\b"
)
# A rape or sexual assault in the last days: a sexual assault referral centre (the Havens)
# can still take forensic evidence. FGM in a pregnancy: an FGM clinic (midwives refer to it).
_RECENT = re.compile(
    r"\b(?:last night|yesterday|this morning|tonight|today|earlier|at the weekend|on saturday|"
    r"on friday|on sunday|hours ago|few days ago|this week|"
    r"(?:[1-7]|one|two|three|four|five|six|seven|a couple of) days? ago)\b"
)
_PREGNANT = re.compile(
    r"\b(?:pregnan\w*|expecting a baby|giving birth|the birth|antenatal|midwife)\b"
)
# A child telling of a parent's violence (_child_at_home).
_PARENT = re.compile(
    r"\b(?:dad|daddy|father|mum|mummy|mom|mommy|mother|step ?dad|step-dad|stepfather|step ?mum|"
    r"stepmother|parents)\b"
)
_VIOLENCE = re.compile(
    r"\b(?:hits?|hitting|beats?|beating|hurts?|hurting|punch\w*|kick\w*|slap\w*|attack\w*|"
    r"strangl\w*|chok\w*)\b"
)
# Who is speaking about their own same-sex partner (the audience men/women comes first).
_SAME_SEX = {
    "men": re.compile(r"\bmy (?:boyfriend|bf|husband|fiance|male partner)\b"),
    "women": re.compile(r"\bmy (?:girlfriend|gf|wife|fiancee|female partner)\b"),
}


def _ranked(tracker: Tracker, intent: str) -> float:
    """The classifier's confidence in `intent` for this message (0 when not ranked)."""
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        if ranked.get("name") == intent:
            return float(ranked.get("confidence") or 0.0)
    return 0.0


def _entity_values(tracker: Tracker, entity: str, guessed: bool = False) -> list[str]:
    """Values of `entity` found by phrase, or (`guessed`) by the learned strand guesser, whose
    entities alone carry a confidence (bot.nlu.gazetteer)."""
    values = []
    for found in tracker.latest_message.get("entities") or []:
        value = found.get("value")
        if (
            found.get("entity") == entity
            and (found.get("confidence") is not None) == guessed
            and isinstance(value, str)
            and value not in values
        ):
            values.append(value)
    return values


def _known(taxonomy: str, values: list[str]) -> list[str]:
    vocab = vocabulary()
    return [v for v in values if vocab.knows(taxonomy, v)]


def age_in(text: str) -> int | None:
    """The first age a message gives ("I'm 15", "she's 13", "16 years old"), else None."""
    match = _AGE.search(text.lower())
    if not match:
        return None
    age = int(match.group(1))
    return age if 5 <= age <= 99 else None


def _text(tracker: Tracker) -> str:
    return " ".join((tracker.latest_message.get("text") or "").lower().replace("’", "'").split())


def _list_slot(tracker: Tracker, name: str) -> list[str]:
    value = tracker.get_slot(name)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _text_slot(tracker: Tracker, name: str) -> str | None:
    value = tracker.get_slot(name)
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True)
class Signals:
    """Everything known so far, each as canonical ids (never the person's words)."""

    strands: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    borough: str | None = None  # a place id, "outside-london", or SKIPPED
    audiences: tuple[str, ...] = ()
    age: int | None = None
    languages: tuple[str, ...] = ()
    named: tuple[str, ...] = ()  # this message: service ids asked about by name
    role: str | None = None  # a professional role id, None for someone seeking help
    urgent: bool = False  # this message: danger now
    situations: frozenset = field(default_factory=frozenset)  # this message's pathway situations
    professional_question: bool = False  # this message asks as a professional would
    described: bool = False  # this message says more than who is asking (a situation)
    new: frozenset = field(default_factory=frozenset)  # which signals this message gave

    @classmethod
    def of(cls, tracker: Tracker) -> Signals:
        text = _text(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        remembered = cls.remembered(tracker)
        strands = _known("strand", _entity_values(tracker, "strand"))
        if not strands and not remembered.strands:
            # A guess starts a conversation's strand; it never replaces one said before (a
            # follow-up "we live in kensal town, is that kensington" describes nothing).
            strands = _known("strand", _entity_values(tracker, "strand", guessed=True))
        needs = _known("need", _entity_values(tracker, "need"))
        boroughs = _entity_values(tracker, "borough")
        audiences = _known("audience", _entity_values(tracker, "audience"))
        languages = _known("language", _entity_values(tracker, "language"))
        named = _entity_values(tracker, "service")
        age = age_in(text)
        if age is None and (said := _entity_values(tracker, "age")):
            age = int(said[0])  # in another language (bot.nlu.languages)
        if age is None and (their := _THEIR_AGE.search(text)):
            age = int(their.group(1))
        elder = _ELDER.search(text)
        if elder and int(elder.group(1)) >= OLDER_AGE:
            audiences.append("older-people")
        if (_MALE_VICTIM.search(text) or _MALE.search(text)) and "women" not in audiences:
            audiences.append("men")
        said_role = detect_role(text)
        if (
            _FEMALE_PARTNER.search(text)
            and not {"women", "lgbt"} & {*audiences, *remembered.audiences}
            and said_role is None
        ):
            audiences.append("men")
        recent_assault = "sexual-violence" in strands and _RECENT.search(text)
        if recent_assault and "sarc" not in needs:
            needs.append("sarc")
        if "fgm" in strands and _PREGNANT.search(text) and "fgm-clinic" not in needs:
            needs.append("fgm-clinic")
        if PERPETRATOR_NEED in needs:
            needs = [PERPETRATOR_NEED]  # help to stop: the rest (children, money) is context
            if _THOUGHTS_ABOUT_CHILDREN.search(text) and "sexual-violence" not in strands:
                strands.append("sexual-violence")  # not a perpetrator of domestic abuse
        if _WORK_CONTROL.search(text) and "modern-slavery" not in strands:
            strands.append("modern-slavery")
        if strands == ["stalking"] and _CURRENT_PARTNER.search(text):
            strands = ["domestic-abuse"]
        if {"forced-marriage", "honour-based-abuse"} & set(strands) and "modern-slavery" in strands:
            strands.remove("modern-slavery")  # a family holding her passport: the marriage
        if _NOT_LGBT.search(text):
            audiences = [a for a in audiences if a != "lgbt"]
        elif _LGBT.search(text) and "lgbt" not in audiences:
            audiences.append("lgbt")
        if age is not None and age < ADULT_AGE:
            audiences.append("young-people")
        elif age is not None and age >= OLDER_AGE:
            audiences.append("older-people")
        for gender, partner in _SAME_SEX.items():
            if gender in audiences and partner.search(text):
                audiences.append("lgbt")
        if "young-people" in audiences and "women" in audiences:
            audiences.remove("women")  # a girl: services for young people, not adult women's
        audiences = _known("audience", list(dict.fromkeys(audiences)))
        # The "I'm a professional" button says so; the classifier's guess of that intent does
        # not (a survivor's "I'm a ..." looks like it).
        button = text.startswith("/identify_professional")
        role = said_role or ("professional" if button else None)
        new = {
            name
            for name, value in (
                ("strands", strands),
                ("needs", needs),
                ("borough", boroughs),
                ("audiences", audiences),
                ("age", age is not None),
                ("languages", languages),
                ("named", named),
                ("role", role),
            )
            if value
        }
        return cls(
            strands=tuple(strands) or remembered.strands,
            needs=tuple(needs) or remembered.needs,
            borough=boroughs[0] if boroughs else remembered.borough,
            audiences=tuple(dict.fromkeys([*remembered.audiences, *audiences])),
            age=age if age is not None else remembered.age,
            languages=tuple(languages) or remembered.languages,
            named=tuple(named),
            role=role or remembered.role,
            urgent=intent == DANGER_INTENT
            or bool(tracker.latest_message.get("urgency"))
            or _child_at_home(text, age, strands)
            or _ranked(tracker, DANGER_INTENT) >= DANGER_MIN_CONFIDENCE,
            situations=frozenset(
                _situations(text, age if age is not None else remembered.age)
                | _button_situations(tracker)
                | {TERM_SITUATIONS[t] for t in (*strands, *needs) if t in TERM_SITUATIONS}
            ),
            professional_question=is_professional_question(text)
            or (
                intent in PROFESSIONAL_INTENTS
                and _ranked(tracker, intent) >= PROFESSIONAL_MIN_CONFIDENCE
                and not describes_own_abuse(text)
            ),
            described=len(text.split()) >= DESCRIBED_WORDS,
            new=frozenset(new),
        )

    @classmethod
    def remembered(cls, tracker: Tracker) -> Signals:
        age = tracker.get_slot("age")
        return cls(
            strands=tuple(_list_slot(tracker, "strands")),
            needs=tuple(_list_slot(tracker, "needs")),
            borough=_text_slot(tracker, "borough"),
            audiences=tuple(_list_slot(tracker, "audiences")),
            age=int(age) if isinstance(age, int | float) else None,
            languages=tuple(_list_slot(tracker, "languages")),
            role=_text_slot(tracker, "user_role"),
        )

    def with_skipped(self, question: str | None) -> Signals:
        """The person skipped `question` ("borough" or "need"): search without it."""
        if question == "borough":
            return replace(self, borough=SKIPPED)
        if question == "need":
            return replace(self, needs=())
        return self

    @property
    def pathways(self) -> list[str]:
        return pathways_for(set(self.situations))

    def slot_events(self, tracker: Tracker | None = None) -> list[dict[str, Any]]:
        """The slots to set: only those that change (every event is stored and re-sent with
        the whole conversation on each later turn)."""
        values = {
            "strands": list(self.strands),
            "needs": list(self.needs),
            "borough": self.borough,
            "audiences": list(self.audiences),
            "age": float(self.age) if self.age is not None else None,
            "languages": list(self.languages),
            "user_role": self.role,
        }
        current = tracker.slots if tracker is not None else {}
        return [
            SlotSet(name, value)
            for name, value in values.items()
            if tracker is None or _empty(current.get(name)) != _empty(value)
        ]


def _empty(value: Any) -> Any:
    return None if value in ([], "", None) else value


def _child_at_home(text: str, age: int | None, strands: list[str]) -> bool:
    """A child telling of violence at home ("im 12 and my dad beats my mum"): the danger lines
    too, so they know that 999 is for them as well."""
    return (
        age is not None
        and age < CHILD_AGE
        and bool(_PARENT.search(text))
        and ("domestic-abuse" in strands or bool(_VIOLENCE.search(text)))
    )


def _situations(text: str, age: int | None) -> set[str]:
    found = detect_situations(text)
    if age is not None and age >= OLDER_AGE:
        found.discard("children")  # an older person's son or daughter is an adult
    if age is not None and age < ADULT_AGE:
        found.add("children")  # "a 15 year old", "one of our 3 year olds"
    return found


def _button_situations(tracker: Tracker) -> set[str]:
    return set(_entity_values(tracker, "situation"))
