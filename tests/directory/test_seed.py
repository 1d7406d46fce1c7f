"""The seed data is real: every number and web address comes from services.md."""

import re
from pathlib import Path

import yaml
from sqlalchemy import func, select

from directory.db import session_scope
from directory.exporting import load_all
from directory.models import Location, Service
from directory.seed import SEED_FILE
from directory.validation import validate_database

SERVICES_MD = Path("/work/shared/reference/services.md")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _reference_numbers() -> set[str]:
    text = SERVICES_MD.read_text()
    numbers = re.findall(r"\+?\d[\d ]{1,14}\d", text)
    return {_digits(n) for n in numbers}


def _table_rows() -> list[str]:
    return [line for line in SERVICES_MD.read_text().splitlines() if line.startswith("| ")][2:]


def test_seed_loads_and_validates(sqlite_url):
    with session_scope(sqlite_url) as session:
        assert validate_database(session) == []
        assert session.execute(select(func.count()).select_from(Service)).scalar() >= 50


def test_every_phone_number_is_in_the_reference(sqlite_url):
    known = _reference_numbers()
    with session_scope(sqlite_url) as session:
        _, services = load_all(session)
    numbers = [p["number"] for s in services for p in s["phones"]]
    assert numbers
    for number in numbers:
        assert _digits(number) in known, f"{number} is not in services.md"


def test_every_url_is_given_by_the_reference(sqlite_url):
    text = SERVICES_MD.read_text()
    with session_scope(sqlite_url) as session:
        organizations, services = load_all(session)
    urls = [s["url"] for s in services if s["url"]] + [
        o["website"] for o in organizations if o["website"]
    ]
    assert urls
    for url in urls:
        host = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
        assert host in text, f"{url} is not given in services.md"


def test_every_helpline_in_the_reference_table_is_seeded(sqlite_url):
    with session_scope(sqlite_url) as session:
        _, services = load_all(session)
    seeded = {_digits(p["number"]) for s in services for p in s["phones"]}
    for row in _table_rows():
        contact = row.split("|")[3]
        for number in re.findall(r"\d[\d ]{5,14}\d", contact):
            assert _digits(number) in seeded, f"missing helpline: {row}"


def test_check_entries_are_unverified(sqlite_url):
    with session_scope(sqlite_url) as session:
        _, services = load_all(session)
    by_number = {_digits(p["number"]): s for s in services for p in s["phones"]}
    checked = 0
    for row in _table_rows():
        cells = [c.strip() for c in row.strip("|").split("|")]
        numbers = re.findall(r"\d[\d ]{5,14}\d", cells[2])
        if cells[-1] == "check" and numbers:  # the contact itself is "check"
            service = by_number[_digits(numbers[0])]
            assert service["contact_verified"] is False, service["id"]
            checked += 1
    assert checked >= 5


def test_refuges_have_no_address(sqlite_url):
    with session_scope(sqlite_url) as session:
        _, services = load_all(session)
        refuges = [s for s in services if "refuge" in s["needs"]]
        assert len([s for s in refuges if s["scope"] == "local"]) >= 3
        for service in refuges:
            assert all(
                not loc["address_1"] and not loc["postal_code"] for loc in service["locations"]
            )
        local = [s for s in refuges if s["id"].startswith("refuge-")]
        assert {b for s in local for b in s["boroughs"]} == {
            "hammersmith-and-fulham",
            "kensington-and-chelsea",
            "westminster",
        }
        assert (
            session.execute(select(Location).where(Location.address_1.is_not(None))).first() is None
        )


def test_services_without_contact_say_where_to_go(sqlite_url):
    with session_scope(sqlite_url) as session:
        _, services = load_all(session)
    for service in services:
        if not service["phones"] and not service["url"]:
            assert service["notes"], f"{service['id']} has no contact and no note"
            assert service["contact_verified"] is False


def test_seed_is_idempotent(sqlite_url):
    from directory.seed import load_seed

    with session_scope(sqlite_url) as session:
        assert load_seed(session) == 0


def test_seed_file_names_every_local_service_in_the_reference():
    text = SEED_FILE.read_text()
    for name in [
        "Angelou Partnership",
        "Advance",
        "Al-Hasaniya",
        "Women's Trust",
        "Butterfly Support Group",
        "Standing Together",
        "Chelsea and Westminster Hospital",
        "London Victim and Witness Service",
        "Richmond Fellowship",
        "Al-Aman",
        "YUVA",
        "For Baby's Sake",
        "Ascent",
        "FGM clinic",
        "Whole Housing Approach",
        "Specialist Domestic Abuse Courts",
        "Impact project",
        "Silent Solution",
    ]:
        assert name in text, name
    assert yaml.safe_load(text)["organizations"]
