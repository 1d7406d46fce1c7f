"""Score whole conversations: does the reply name a fitting service or pathway for this person?

An item (tests/e2e/held_out/*.yml) is a list of `turns` a person sends, and what a fitting
reply to the last turn is: any service of `fitting` named by its card, any pathway of
`pathways` given (its title), the `faq` answer, and the danger lines when `danger` is true.
Services are read off the reply by their card's first line (the service's name), pathways by
their title, the FAQ by its response text: what a person would read, not what the model chose.

Used by tests/e2e/test_end_to_end.py (asserts the targets) and bench/bench_end_to_end.py
(prints the figures for any set of items, e.g. a tuning set).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HELD_OUT = Path(__file__).parent / "held_out"
CATEGORIES = {
    "sv": "survivor",
    "pr": "professional",
    "mt": "multi_turn",
    "oa": "outside_area",
    "df": "definition",
    "dg": "danger",
}
# The danger reply's two lines that must always be there: 999 and the Silent Solution.
DANGER_MARKERS = (re.compile(r"\b999\b"), re.compile(r"\b55\b"))


def load_items(folder: Path = HELD_OUT) -> list[dict]:
    """The items of every .yml file in `folder` (or of one file)."""
    items = []
    for path in [folder] if folder.is_file() else sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text()) or []:
            item.setdefault("category", CATEGORIES.get(item["id"].split("-")[0], path.stem))
            items.append(item)
    return items


@dataclass(frozen=True)
class Catalogue:
    """How to recognise each service, pathway and FAQ answer in a reply."""

    service_names: dict[str, str]  # card first line -> service id
    pathway_titles: dict[str, str]  # title -> pathway id
    faq_texts: dict[str, str]  # faq name -> response text

    @classmethod
    def load(cls, database_url: str, domain_folder: Path) -> Catalogue:
        from sqlalchemy import text

        from directory.db import session_scope

        # Plain SQL: the catalogue of any version of the directory (a baseline's too).
        with session_scope(database_url) as session:
            names = dict(session.execute(text("SELECT name, id FROM service")).all())
            titles = dict(session.execute(text("SELECT title, id FROM pathway")).all())
        faqs = {}
        for path in domain_folder.glob("*.yml"):
            for name, variations in (
                yaml.safe_load(path.read_text()).get("responses") or {}
            ).items():
                if name.startswith("utter_faq/") and variations:
                    faqs[name.removeprefix("utter_faq/")] = variations[0]["text"]
        return cls(names, titles, faqs)


@dataclass
class Reply:
    texts: list[str]
    services: list[str]  # ids, in the order shown
    pathways: list[str]
    danger: bool

    @classmethod
    def read(cls, messages: list[dict], catalogue: Catalogue) -> Reply:
        texts = [m["text"] for m in messages if m.get("text")]
        services = []
        for text in texts:
            first_line = text.split("\n", 1)[0].strip()
            if first_line in catalogue.service_names:
                services.append(catalogue.service_names[first_line])
        whole = "\n".join(texts)
        # Services named in the text too (a pathway's contacts, a definition's "call the
        # Forced Marriage Unit"), after the cards.
        services += [
            sid
            for name, sid in catalogue.service_names.items()
            if sid not in services and len(name) > 8 and name in whole
        ]
        pathways = [pid for title, pid in catalogue.pathway_titles.items() if title in whole]
        danger = all(marker.search(whole) for marker in DANGER_MARKERS) and "Silent" in whole
        return cls(texts, services, pathways, danger)

    def has_faq(self, text: str) -> bool:
        return any(text.strip() in t for t in self.texts)


@dataclass
class Outcome:
    item: dict
    reply: Reply
    fitting: bool  # named a fitting service / pathway / FAQ answer (whatever the item asks)
    danger_ok: bool  # danger lines present when needed
    danger_without_answer: bool  # danger lines for a non-danger item, and no fitting answer

    @property
    def passed(self) -> bool:
        # In danger, the 999 and Silent Solution lines are the answer that matters; what else
        # the reply names is scored for everyone else.
        if self.item.get("danger"):
            return self.danger_ok
        return self.fitting


def score_item(item: dict, reply: Reply, catalogue: Catalogue) -> Outcome:
    wanted = item.get("fitting") or []
    pathways = item.get("pathways") or []
    faq = item.get("faq")
    checks = []
    if wanted:
        checks.append(bool(set(wanted) & set(reply.services)))
    if pathways:
        checks.append(bool(set(pathways) & set(reply.pathways)))
    if faq:
        checks.append(reply.has_faq(catalogue.faq_texts.get(faq, "\0missing")))
    # Any one fitting kind of answer is enough (a professional asking about a service may get
    # the service or the pathway); an item that asks for nothing but safety passes on danger.
    fitting = any(checks) if checks else True
    danger = bool(item.get("danger"))
    return Outcome(
        item=item,
        reply=reply,
        fitting=fitting,
        danger_ok=reply.danger or not danger,
        danger_without_answer=(not danger) and reply.danger and not (checks and fitting),
    )


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def rate(self, category: str | None = None) -> tuple[int, int]:
        chosen = [o for o in self.outcomes if category in (None, o.item["category"])]
        return sum(o.passed for o in chosen), len(chosen)

    def danger_recall(self) -> tuple[int, int]:
        danger = [o for o in self.outcomes if o.item.get("danger")]
        return sum(o.reply.danger for o in danger), len(danger)

    def danger_without_answer(self) -> tuple[int, int]:
        calm = [o for o in self.outcomes if not o.item.get("danger")]
        return sum(o.danger_without_answer for o in calm), len(calm)

    def lines(self) -> list[str]:
        out = []
        for category in dict.fromkeys(o.item["category"] for o in self.outcomes):
            passed, total = self.rate(category)
            out.append(f"{category:14s} {passed:4d}/{total:<4d} {passed / total:6.1%}")
        passed, total = self.rate()
        out.append(f"{'all':14s} {passed:4d}/{total:<4d} {passed / total:6.1%}")
        hit, total = self.danger_recall()
        out.append(f"danger recall  {hit:4d}/{total:<4d} {hit / max(total, 1):6.1%}")
        bad, calm = self.danger_without_answer()
        out.append(f"danger, no answer, on non-danger items {bad}/{calm} {bad / max(calm, 1):.1%}")
        return out

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]

    def shown_not_fitting(self) -> Counter:
        """Services shown first to people they do not fit: what the ranking gets wrong."""
        counts: Counter = Counter()
        for o in self.outcomes:
            if (
                o.reply.services
                and o.item.get("fitting")
                and o.reply.services[0] not in o.item["fitting"]
            ):
                counts[o.reply.services[0]] += 1
        return counts


def play(
    items: list[dict], send: Callable[[str, str], list[dict]], new_sender, catalogue
) -> Report:
    """Each item in its own conversation; the reply to its last turn is scored."""
    report = Report()
    for item in items:
        sender = new_sender()
        messages: list[dict] = []
        for turn in item["turns"]:
            messages = send(sender, turn)
        report.outcomes.append(score_item(item, Reply.read(messages, catalogue), catalogue))
    return report


def by_category(items: list[dict]) -> dict[str, list[dict]]:
    grouped = defaultdict(list)
    for item in items:
        grouped[item["category"]].append(item)
    return dict(grouped)


@dataclass(frozen=True)
class ReplyLanguages:
    """How to tell which language a reply is in: by the assistant's own lines (responses and
    the directory's card lines), each a pattern with its {placeholders} as wildcards. A reply is
    in `code` when one of its lines is a line of that language and none is an English one
    (service names and the services' own English details are neither)."""

    lines: dict[str, list[re.Pattern]]  # language code ("en" too) -> its line patterns

    @classmethod
    def load(cls, translations_folder: Path, domain_folder: Path, wording: Path) -> ReplyLanguages:
        def pattern(text: str) -> re.Pattern | None:
            parts = re.split(r"\{\w+\}", text.strip())
            if len("".join(parts).strip()) < 12:
                return None  # too short to tell a language by ("Covers {boroughs}")
            return re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL)

        english = []
        for path in domain_folder.glob("*.yml"):
            if path.name == "translations.yml":
                continue
            for variations in (yaml.safe_load(path.read_text()).get("responses") or {}).values():
                english.append(variations[0].get("text", ""))
        english += [v for v in yaml.safe_load(wording.read_text()).values() if isinstance(v, str)]
        lines = {"en": [p for t in english if (p := pattern(t))]}
        for path in translations_folder.glob("*.yml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            texts = [
                entry.get("text") or ""
                for section in ("responses", "wording")
                for entry in (data.get(section) or {}).values()
            ]
            lines[data["language"]] = [p for t in texts if (p := pattern(t))]
        return cls(lines)

    def speaks(self, texts: list[str], code: str) -> bool:
        def said_in(language: str) -> bool:
            return any(p.search(t) for t in texts for p in self.lines.get(language, []))

        return said_in(code) and (code == "en" or not said_in("en"))
