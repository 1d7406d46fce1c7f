"""Pathway answers as plain text: what the bot sends, and what the editor previews. Their words
are in directory/wording.yml."""

from __future__ import annotations

from directory.pathways.answers import ContactLine, PathwayAnswer
from directory.pathways.vocabulary import borough_labels
from directory.wording import listing, say


def contact_text(contact: ContactLine) -> str:
    parts = [say("pathway_or").join(contact.phones) if contact.phones else say("pathway_no_number")]
    if contact.route:
        parts.append(contact.route.rstrip("."))
    if contact.hours:
        parts.append(say("pathway_hours", hours=contact.hours.rstrip(".")))
    if contact.url:
        parts.append(contact.url)
    if contact.please_check and (contact.phones or contact.url):
        parts.append(say("pathway_unconfirmed"))
    line = f"- {contact.label}: " + ". ".join(parts) + "."
    return line + (say("pathway_professional_only") if contact.professional_only else "")


def steps_text(answer: PathwayAnswer) -> str:
    lines = [answer.title, "", say("pathway_steps")]
    lines += [f"{i}. {step}" for i, step in enumerate(answer.steps, start=1)]
    if answer.thresholds:
        lines += ["", say("pathway_thresholds")] + [f"- {t}" for t in answer.thresholds]
    if answer.legal_duty:
        lines += ["", say("pathway_legal_duty", duty=answer.legal_duty)]
    if answer.forms:
        lines += ["", say("pathway_forms")] + [f"- {form}" for form in answer.forms]
    return "\n".join(lines)


def contacts_text(answer: PathwayAnswer, borough: str | None) -> str:
    labels = borough_labels()
    where = say("pathway_contacts_in", borough=labels[borough]) if borough in labels else ""
    lines = [say("pathway_contacts", where=where, title=answer.title)]
    lines += [contact_text(c) for c in answer.contacts]
    if answer.has_borough_contacts and borough and borough not in labels:
        lines.append(say("pathway_outside_partnership", partnership=listing(list(labels.values()))))
    return "\n".join(lines)
