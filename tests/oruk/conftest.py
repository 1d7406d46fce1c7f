"""Fixtures for the Open Referral UK API: the seeded directory plus three services made for
these tests (a refuge at a confidential location, a refuge wrongly given an address, and a
drop-in with a public address), and a Flask test client on it.

Responses are fetched and checked with tests.oruk.helpers.fetch; the number validated and any
schema errors are printed after the run.
"""

from __future__ import annotations

import shutil

import pytest

from directory.db import get_engine, session_scope
from directory.models import Organization
from directory.serialize import normalise_service_dict, service_from_dict, validate_service
from tests.conftest import seed_directory
from tests.oruk.helpers import ADDRESSED_REFUGE, EXTRA, TALLY, make_client


def _write_extra(session) -> None:
    session.add(Organization(id="test-org", name="Test Organisation", description=""))
    session.flush()
    for entry in EXTRA:
        data = normalise_service_dict(entry)
        # The addressed refuge is refused by the checks: written directly on purpose.
        assert bool(validate_service(data, {"test-org"})) == (entry is ADDRESSED_REFUGE)
        service_from_dict(session, data)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory):
    paths = {}
    for name, extra in (("seeded", False), ("with_tests", True)):
        path = tmp_path_factory.mktemp(f"oruk-{name}") / "directory.sqlite3"
        url = seed_directory(f"sqlite:///{path}", pathways=False)
        if extra:
            with session_scope(url) as session:
                _write_extra(session)
        get_engine(url).dispose()
        paths[name] = path
    return paths


def _copy(templates, name: str, tmp_path) -> str:
    path = tmp_path / f"{name}.sqlite3"
    shutil.copy(templates[name], path)
    return f"sqlite:///{path}"


@pytest.fixture
def url(_templates, tmp_path) -> str:
    """The seeded directory with the three test services."""
    return _copy(_templates, "with_tests", tmp_path)


@pytest.fixture
def seeded_url(_templates, tmp_path) -> str:
    """The seeded directory only (every service valid: it round-trips)."""
    return _copy(_templates, "seeded", tmp_path)


@pytest.fixture
def client(url):
    return make_client(url)


def pytest_terminal_summary(terminalreporter):
    if TALLY.responses:
        terminalreporter.write_line(
            f"ORUK: {TALLY.responses} responses validated against the profile's OpenAPI "
            f"schemas, {len(TALLY.errors)} schema errors"
        )
