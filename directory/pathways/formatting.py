"""Pathway answers as plain text: what the bot sends, and what the editor previews."""

from __future__ import annotations

from directory.pathways.answers import ContactLine, PathwayAnswer
from directory.pathways.vocabulary import borough_labels


def contact_text(contact: ContactLine) -> str:
    parts = [" or ".join(contact.phones) if contact.phones else "no number listed"]
    if contact.route:
        parts.append(contact.route.rstrip("."))
    if contact.hours:
        parts.append(f"Open: {contact.hours.rstrip('.')}")
    if contact.url:
        parts.append(contact.url)
    if contact.please_check and (contact.phones or contact.url):
        parts.append("Please check: not yet confirmed by our maintainers")
    line = f"- {contact.label}: " + ". ".join(parts) + "."
    return line + (" [professional referral]" if contact.professional_only else "")


def steps_text(answer: PathwayAnswer) -> str:
    lines = [answer.title, "", "Steps:"]
    lines += [f"{i}. {step}" for i, step in enumerate(answer.steps, start=1)]
    if answer.thresholds:
        lines += ["", "When it applies:"] + [f"- {t}" for t in answer.thresholds]
    if answer.legal_duty:
        lines += ["", f"Legal duty: {answer.legal_duty}"]
    if answer.forms:
        lines += ["", "Forms:"] + [f"- {form}" for form in answer.forms]
    return "\n".join(lines)


def contacts_text(answer: PathwayAnswer, borough: str | None) -> str:
    labels = borough_labels()
    where = f" in {labels[borough]}" if borough in labels else ""
    lines = [f"Contacts{where}: {answer.title}"]
    lines += [contact_text(c) for c in answer.contacts]
    if answer.has_borough_contacts and borough and borough not in labels:
        lines.append(
            "This assistant has local contacts only for Hammersmith & Fulham, Kensington & "
            "Chelsea and Westminster. Elsewhere, follow your local safeguarding procedures."
        )
    return "\n".join(lines)
