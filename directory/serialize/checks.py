"""Field checks of a normalised service or organization dict: `validate_service(data)` lists
`FieldError(field, message)`s (empty: valid). Always call it before `service_from_dict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from directory.models import GENDERS, REFERRAL_ROUTES, SCOPES, STATUSES
from directory.places import OUTSIDE_LONDON, is_known_borough
from directory.rules import (
    DAYS,
    PHONE_TYPES,
    SLUG,
    SOURCE_ADDRESS,
    TIME,
    WEB_ADDRESS,
    address_hidden,
    valid_email,
    valid_uk_phone,
)
from directory.serialize.fields import DATE_FIELDS, LIST_FIELDS, SET_TAXONOMY
from directory.taxonomy import vocabulary

# What a service's pages say about interpreters: a sentence or two, not a page.
INTERPRETATION_MAX = 300


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"field '{self.field}': {self.message}"


def validate_service(data: dict, organization_ids: set[str] | None = None) -> list[FieldError]:
    """Field errors of a normalised service dict (empty list: valid)."""
    errors: list[FieldError] = []
    vocab = vocabulary()

    def error(field: str, message: str) -> None:
        errors.append(FieldError(field, message))

    if not data.get("id") or not SLUG.match(str(data["id"])):
        error("id", f"{data.get('id')!r} is not an id (lower-case letters, digits and hyphens)")
    if not data.get("name"):
        error("name", "is required")
    org = data.get("organization_id")
    if not org:
        error("organization_id", "is required")
    elif organization_ids is not None and org not in organization_ids:
        error("organization_id", f"unknown organization {org!r}")
    for field, allowed in (
        ("status", STATUSES),
        ("scope", SCOPES),
        ("referral_route", REFERRAL_ROUTES),
        ("gender", GENDERS),
    ):
        if data.get(field) not in allowed:
            error(field, f"{data.get(field)!r} is not one of {', '.join(allowed)}")
    url = data.get("url")
    if url and not WEB_ADDRESS.match(url):
        error("url", f"{url!r} is not a secure web address (https://...)")
    email = data.get("email")
    if email and not valid_email(email):
        error("email", f"{email!r} is not an email address")
    for field in ("minimum_age", "maximum_age"):
        age = data.get(field)
        if age is not None and (
            not isinstance(age, int) or isinstance(age, bool) or not 0 <= age <= 120
        ):
            error(field, f"{age!r} is not an age in years")
    low, high = data.get("minimum_age"), data.get("maximum_age")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        error("maximum_age", f"{high} is below the minimum age {low}")
    for field in DATE_FIELDS:
        if data.get(field):
            try:
                date.fromisoformat(str(data[field]))
            except ValueError:
                error(field, f"{data[field]!r} is not a date (YYYY-MM-DD)")
    interpreting = data.get("interpretation_services")
    if interpreting is not None and not isinstance(interpreting, str):
        error("interpretation_services", "must be text")
    elif interpreting and len(interpreting.strip()) > INTERPRETATION_MAX:
        error(
            "interpretation_services",
            f"is {len(interpreting.strip())} characters; at most {INTERPRETATION_MAX}",
        )
    source = data.get("source_url")
    if source and not SOURCE_ADDRESS.match(source):
        error("source_url", f"{source!r} is not a web address (https://...)")
    for i, phone in enumerate(data.get("phones") or []):
        number = phone.get("number")
        if not number:
            error(f"phones[{i}].number", "is required")
        elif not valid_uk_phone(number):
            error(f"phones[{i}].number", f"{number!r} is not a valid UK phone number")
        if phone.get("type") not in PHONE_TYPES:
            error(
                f"phones[{i}].type", f"{phone.get('type')!r} is not one of {', '.join(PHONE_TYPES)}"
            )
    for i, schedule in enumerate(data.get("schedules") or []):
        days = (schedule.get("byday") or "").split(",")
        if not days or any(d not in DAYS for d in days):
            error(f"schedules[{i}].byday", f"{schedule.get('byday')!r} is not days like MO,TU")
        for field in ("opens_at", "closes_at"):
            if not TIME.match(str(schedule.get(field) or "")):
                error(f"schedules[{i}].{field}", f"{schedule.get(field)!r} is not a time HH:MM")
    for borough in data.get("boroughs") or []:
        if borough == OUTSIDE_LONDON or not is_known_borough(borough):
            error("boroughs", f"unknown borough {borough!r}")
    if data.get("scope") == "local" and not data.get("boroughs"):
        error("boroughs", "a local service needs at least one borough")
    for key, taxonomy in (*SET_TAXONOMY.items(), ("languages", "language")):
        for code in data.get(key) or []:
            if not vocab.knows(taxonomy, code):
                error(key, f"unknown {taxonomy} term {code!r}")
    for key, fields in LIST_FIELDS.items():
        for i, row in enumerate(data.get(key) or []):
            for f in fields:
                value = row.get(f)
                if isinstance(value, str) and ("|" in value or "\n" in value):
                    error(f"{key}[{i}].{f}", "must not contain '|' or a line break")
    for i, location in enumerate(data.get("locations") or []):
        if not location.get("name"):
            error(f"locations[{i}].name", "is required")
        has_address = location.get("address_1") or location.get("postal_code")
        if has_address and address_hidden(data.get("needs"), location):
            error(
                f"locations[{i}].address_1",
                "a refuge or confidential location must not have an address (use boroughs)",
            )
        borough = location.get("borough")
        if borough and not is_known_borough(borough):
            error(f"locations[{i}].borough", f"unknown borough {borough!r}")
    return errors


def validate_organization(data: dict) -> list[FieldError]:
    errors = []
    if not data.get("id") or not SLUG.match(str(data["id"])):
        errors.append(FieldError("organization_id", f"{data.get('id')!r} is not an id"))
    if not data.get("name"):
        errors.append(FieldError("organization_name", "is required"))
    website = data.get("website")
    if website and not WEB_ADDRESS.match(website):
        errors.append(
            FieldError(
                "organization_website", f"{website!r} is not a secure web address (https://...)"
            )
        )
    return errors
