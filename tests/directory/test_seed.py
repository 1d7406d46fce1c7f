"""The seed data is real: every entry says where its details came from, and every published
phone number and email is backed by a line quoted from that source."""

import re
from datetime import date

import yaml
from sqlalchemy import func, select

from directory.db import session_scope
from directory.exporting import load_all
from directory.models import Location, Service
from directory.rules import SOURCE_ADDRESS
from directory.seed import SEED_FILES
from directory.validation import validate_database

# Helplines the assistant names in its own replies and fallbacks: each must stay seeded.
CORE_HELPLINES = {
    "national-domestic-abuse-helpline": "08082000247",
    "rape-crisis-support-line": "08085002222",
    "mens-advice-line": "08088010327",
    "galop-helpline": "08009995428",
    "national-stalking-helpline": "08088020300",
    "karma-nirvana-helpline": "08005999247",
    "forced-marriage-unit": "02070080151",
    "modern-slavery-helpline": "08000121700",
    "samaritans": "116123",
}


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_seed_loads_and_validates(sqlite_url):
    with session_scope(sqlite_url) as session:
        assert validate_database(session) == []
        assert session.execute(select(func.count()).select_from(Service)).scalar() >= 50


def _seeded(sqlite_url) -> list[dict]:
    with session_scope(sqlite_url) as session:
        return load_all(session)[1]


def test_every_entry_says_where_its_details_came_from(sqlite_url):
    services = _seeded(sqlite_url)
    for service in services:
        sid = service["id"]
        url, document = service["source_url"], service["source_document"]
        assert url or document, f"{sid} has no source"
        if url:
            assert SOURCE_ADDRESS.match(url), f"{sid}: {url} is not a public web page"
        assert service["source_checked"], f"{sid} does not say when its source was read"
        assert date.fromisoformat(service["source_checked"]) <= date.today()


def test_every_published_contact_is_quoted_from_its_source(sqlite_url):
    for service in _seeded(sqlite_url):
        if not (service["phones"] or service["email"] or service["url"]):
            continue
        sid = service["id"]
        evidence = service["source_evidence"] or ""
        assert service["source_url"] or service["source_document"], f"{sid} has no source"
        quoted = [_digits(line) for line in evidence.splitlines()]
        for phone in service["phones"]:
            assert any(
                _digits(phone["number"]) in line for line in quoted
            ), f"{sid}: {phone['number']} is not in a line quoted from its source"
        if service["email"]:
            assert service["email"].lower() in evidence.lower(), f"{sid}: {service['email']}"


def test_the_core_helplines_are_seeded(sqlite_url):
    by_id = {s["id"]: s for s in _seeded(sqlite_url)}
    for sid, number in CORE_HELPLINES.items():
        assert sid in by_id and by_id[sid]["status"] == "active", sid
        assert number in {_digits(p["number"]) for p in by_id[sid]["phones"]}, sid


def test_the_seed_names_no_private_reference():
    # Sources are public pages or named public documents, never an internal list.
    for path in SEED_FILES:
        assert "services.md" not in path.read_text(), path


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
        if not service["phones"] and not service["url"] and not service["email"]:
            assert service["application_process"], f"{service['id']} has no contact, no route"
            assert service["contact_verified"] is False


def test_seed_is_idempotent(sqlite_url):
    from directory.seed import load_seed

    with session_scope(sqlite_url) as session:
        assert load_seed(session) == 0


def test_the_seed_names_every_local_service_of_the_partnerships_documents():
    text = "\n".join(path.read_text() for path in SEED_FILES)
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
    assert all(yaml.safe_load(path.read_text())["organizations"] for path in SEED_FILES)


def test_interpreting_is_noted_only_with_the_sources_words_for_it(sqlite_url):
    """An entry says a service offers interpreting only where a page it quotes says so: the
    evidence or the notes hold a quoted line about interpreters, translation or languages."""
    services = {s["id"]: s for s in _seeded(sqlite_url)}
    interpreted = {sid: s for sid, s in services.items() if s["interpretation_services"]}
    assert {
        "national-domestic-abuse-helpline",
        "modern-slavery-helpline",
        "fgm-clinic-kensington-and-chelsea",
    } <= interpreted.keys()
    claim = re.compile(r"interpret|translat|languages?\b", re.IGNORECASE)
    for sid, service in interpreted.items():
        assert len(service["interpretation_services"]) <= 300, sid
        quoted = (service["source_evidence"] or "") + "\n" + (service["notes"] or "")
        assert claim.search(quoted), f"{sid}: no quoted line about interpreting"
    # A Polish-speaking service is in the directory, in Polish, with a sourced number.
    assert "pl" in services["opoka-polish-helpline"]["languages"]
