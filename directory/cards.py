"""Turn directory matches into short, plain-text service cards: the one place a card is laid
out, for the bot's replies (actions/search.py) and the editor's preview alike. Pathway answers
are laid out beside it, in directory/pathways/formatting.py.

The conversational wording lives in the domain (responses), the card's own words in
directory/wording.yml; this module only lays out the directory's own fields: name, what they
do, who it is for, how to contact them (phone as `tel:` text, website, email, hours) and
whether you can contact them yourself. Text only: the widget renders it as text and makes its
own links. The directory site (directory/web/find.py) lays out its own HTML with the same
lines: `referral_line` (a professional's framing too), `provenance_line` and `shown_address`.
"""

from __future__ import annotations

import re

import phonenumbers

from directory.matching import Match
from directory.taxonomy import vocabulary
from directory.wording import ENGLISH, current_language, listing, say


def tel_uri(number: str) -> str:
    """An RFC 3966 global number, dialable from anywhere: '0808 2000 247' -> 'tel:+448082000247'.
    Short codes have no global form and stay as dialled: '999' -> 'tel:999', '116 123' ->
    'tel:116123'; so does Relay UK's textphone prefix ('18001 101' -> 'tel:18001101')."""
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed):
        return "tel:" + phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return "tel:" + re.sub(r"\D", "", number)


def _contact_lines(card) -> list[str]:
    lines = [
        say("card_call", number=number, tel=tel_uri(number))
        + (say("card_call_what", what=what) if what else "")
        for number, what in card.phones
    ]
    if card.email:
        lines.append(say("card_email", email=card.email))
    if card.url:
        lines.append(card.url)
    if card.open_24_7:
        lines.append(say("card_24_7"))
    elif card.hours:
        lines.append(say("card_hours", hours=card.hours))
    if not (card.phones or card.email or card.url) and card.application_process:
        lines.append(card.application_process)  # how to reach a service with no public contact
    return lines


def provenance_line(card) -> str | None:
    """Sourced is not verified: say where the details were read, and when."""
    if card.verified:
        return None
    if not card.source_checked:
        return say("card_unconfirmed")
    month = card.source_checked.strftime("%B %Y")
    if card.source_host is None:
        return say("card_from_document", month=month)
    if any(card.source_host == h or card.source_host.endswith("." + h) for h in card.website_hosts):
        return say("card_from_their_website", month=month)
    return say("card_from_a_web_page", month=month)


def referral_line(card, for_professional: bool = False) -> str:
    """To the person: whether they can contact the service themselves. To a professional (the
    directory site): the route by its vocabulary label, self-referral, referral or both."""
    if for_professional:
        return vocabulary().label("referral_route", card.referral_route)
    if card.self_referral or card.referral_route in ("self", "both"):
        return say("card_self_referral")
    return say("card_referral_needed")


def is_refuge(service: dict) -> bool:
    return "refuge" in (service.get("needs") or [])


def shown_address(service: dict, location: dict) -> str | None:
    """A location's street address for people, or None: never a refuge's, never a confidential
    location's (the rule the field checks enforce and the HSDS export keeps), so a record that
    slipped past validation still does not put a refuge on a map."""
    if location.get("confidential") or is_refuge(service):
        return None
    parts = [location.get(f) for f in ("address_1", "city", "postal_code")]
    return ", ".join(p for p in parts if p) or None


def language_line(card) -> str | None:
    """In another language than English: the details that follow are the service's own, in
    English, and the languages it works in (English and those it lists)."""
    if current_language() == ENGLISH:
        return None
    names = [say("language_english")]
    names += [vocabulary().label("language", code) for code in card.languages if code != "en"]
    return say("card_in_english", languages=listing(names))


def service_text(match: Match) -> str:
    card = match.service
    lines = [card.name, language_line(card), card.description]
    if card.interpretation:
        lines.append(say("card_interpreting", how=card.interpretation))
    if who := card.who_for:  # in words of the language spoken: made each time, so once here
        lines.append(say("card_for", who=who))
    lines += _contact_lines(card)
    lines.append(referral_line(card))
    lines.append(provenance_line(card))
    return "\n".join(line for line in lines if line)
