"""The directory's patterns for one value, each defined once: ids, days, times, email and web
addresses and UK phone numbers. The field checks (directory.serialize), the matching index
and the editor's forms all use these, so a rule cannot differ between them.
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import shortnumberinfo

# Schedule days as HSDS writes them (iCalendar BYDAY), Monday first like date.weekday().
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")  # our ids: lower-case letters, digits, hyphens
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")  # HH:MM, 24-hour clock
# https only for a link we show: the webchat links nothing else, and an http page can be
# tampered with on the way to someone looking for help.
WEB_ADDRESS = re.compile(r"^https://[^\s/]+\.[^\s]+$")
# Where details were read: a public page, even one still served over plain http (it is
# recorded, never linked to).
SOURCE_ADDRESS = re.compile(r"^https?://[^\s/]+\.[^\s]+$")
PHONE_TYPES = ("voice", "text", "textphone", "fax", "video", "sms")
RELAY_UK = "18001"  # Relay UK's prefix for textphone users, before any UK number
RELAY_UK_EMERGENCY = "18000"  # Relay UK's emergency number (999 by textphone)
REFUGE = "refuge"  # the need whose services never show where they are


def address_hidden(needs, location: dict) -> bool:
    """Whether a location's address must never be given: a refuge's, or any location marked
    confidential. The field checks refuse such an address; every export and the read API
    leave it out all the same."""
    return bool(location.get("confidential")) or REFUGE in (needs or ())


def valid_email(address: str) -> bool:
    """An email address in form (email-validator, as the editor's forms use; no DNS look-up)."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def valid_uk_phone(number: str) -> bool:
    """A UK number people can call or text: full numbers, short codes like 999 and 116 123,
    and Relay UK's textphone forms ("18000", "18001 101")."""
    compact = re.sub(r"\s", "", number)
    if compact == RELAY_UK_EMERGENCY:
        return True
    if compact.startswith(RELAY_UK) and len(compact) > len(RELAY_UK):
        return valid_uk_phone(number.strip()[len(RELAY_UK) :].strip())
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return False
    if phonenumbers.is_valid_number(parsed):
        return True
    return parsed.country_code == 44 and shortnumberinfo.is_valid_short_number_for_region(
        parsed, "GB"
    )
