import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from directory.db import get_engine, session_scope, upgrade
from directory.models import Location
from directory.serialize import service_to_dict
from directory.store import InvalidChange, StaleEdit, apply_service_change


def _version(url):
    with session_scope(url) as session:
        return session.execute(text("SELECT data_version FROM directory_state")).scalar()


def test_upgrade_head_is_repeatable_and_has_every_table(db_url):
    upgrade(db_url)  # already at head: a no-op
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {
        "organization", "service", "location", "service_at_location", "phone", "schedule",
        "service_area", "language", "taxonomy", "taxonomy_term", "attribute", "directory_state",
    } <= tables  # fmt: skip
    with get_engine(db_url).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_every_write_bumps_the_data_version(db_url):
    before = _version(db_url)
    with session_scope(db_url) as session:
        session.execute(text("UPDATE phone SET description = 'x' WHERE number = '999'"))
    assert _version(db_url) > before


def test_confidential_location_cannot_hold_an_address(db_url):
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        session.add(Location(id="x", name="Refuge", confidential=True, address_1="1 Street"))


def test_edits_bump_version_and_detect_stale_writes(db_url):
    from directory.models import Service

    with session_scope(db_url) as session:
        before = service_to_dict(session.get(Service, "angelou-partnership"))
    with session_scope(db_url) as session:
        service = apply_service_change(
            session, "angelou-partnership", {"hours": "Weekdays"}, expected_version=1
        )
        assert service.version == 2
        unchanged = apply_service_change(session, "angelou-partnership", {"hours": "Weekdays"})
        assert unchanged.version == 2
    with pytest.raises(StaleEdit), session_scope(db_url) as session:
        apply_service_change(
            session, "angelou-partnership", {"hours": "Mondays"}, expected_version=1
        )
    with (
        pytest.raises(InvalidChange, match="phones\\[0\\].number"),
        session_scope(db_url) as session,
    ):
        apply_service_change(session, "angelou-partnership", {"phones": [{"number": "0800 12"}]})
    with session_scope(db_url) as session:
        data = service_to_dict(session.get(Service, "angelou-partnership"))
        assert data["hours"] == "Weekdays" and data["phones"] == before["phones"]


def test_create_a_service_with_children(sqlite_url):
    new = {
        "organization_id": "hestia",
        "name": "Test service",
        "scope": "local",
        "boroughs": ["westminster"],
        "strands": ["stalking"],
        "needs": ["idva"],
        "languages": ["so"],
        "phones": [{"number": "020 7946 0000", "description": "test"}],
    }
    with session_scope(sqlite_url) as session:
        service = apply_service_change(session, "test-service", new, create=True)
        assert service.version == 1
        data = service_to_dict(service)
    assert data["boroughs"] == ["westminster"] and data["languages"] == ["so"]
    assert data["phones"] == [{"number": "020 7946 0000", "type": "voice", "description": "test"}]
