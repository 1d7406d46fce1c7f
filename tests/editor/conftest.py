"""Fixtures for the editor: a migrated temp directory with two services, maintainers of each
role, and Flask test clients signed in as each (CSRF on)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from directory import db
from directory.editor.accounts import create_maintainer, start_session
from directory.models import Organization
from directory.serialize import normalise_service_dict, service_from_dict
from directory.taxonomy import sync_taxonomies
from directory.web import create_app
from tests.editor.helpers import PASSWORD, signed_in

HELPLINE = {
    "id": "national-domestic-abuse-helpline",
    "organization_id": "refuge",
    "name": "National Domestic Abuse Helpline",
    "description": "Free, confidential support for anyone experiencing domestic abuse.",
    "url": "https://www.nationaldahelpline.org.uk",
    "scope": "national",
    "hours": "24 hours a day, 7 days a week",
    "open_24_7": True,
    "contact_verified": True,
    "last_verified": date.today().isoformat(),
    "phones": [{"number": "0808 2000 247", "description": "free, 24/7"}],
    "strands": ["domestic-abuse"],
    "needs": ["helpline", "refuge"],
}
WGN = {
    "id": "wgn-advice-line",
    "organization_id": "wgn",
    "name": "WGN Freephone Advice Line",
    "description": "Advice for women affected by any form of violence.",
    "scope": "pan-london",
    "contact_verified": False,
    "phones": [{"number": "0808 801 0660"}],
    "strands": ["sexual-violence"],
    "needs": ["helpline", "counselling"],
    "boroughs": [],
}


@pytest.fixture(scope="session")
def template_database(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Migrated, with two services and three maintainers; built once (migrations and password
    hashing are slow) and copied for each test."""
    path = tmp_path_factory.mktemp("editor-template") / "directory.sqlite3"
    url = f"sqlite:///{path}"
    tokens: dict[str, str] = {}
    db.upgrade(url)
    with db.session_scope(url) as session:
        sync_taxonomies(session)
        session.add(Organization(id="refuge", name="Refuge"))
        session.add(Organization(id="wgn", name="Women and Girls Network"))
        session.flush()
        for entry in (HELPLINE, WGN):
            service_from_dict(session, normalise_service_dict(entry))
        for email, role in (
            ("editor@example.org", "editor"),
            ("reviewer@example.org", "reviewer"),
            ("reviewer2@example.org", "reviewer"),
        ):
            tokens[email] = start_session(
                session, create_maintainer(session, email, PASSWORD, role)
            )
    db.get_engine(url).dispose()
    return path, tokens


@pytest.fixture
def database_url(template_database, tmp_path):
    path = tmp_path / "directory.sqlite3"
    shutil.copyfile(template_database[0], path)
    url = f"sqlite:///{path}"
    yield url
    db.get_engine(url).dispose()


@pytest.fixture
def maintainers(database_url):
    """editor@, reviewer@ and reviewer2@example.org (in the template database)."""
    return ("editor@example.org", "reviewer@example.org", "reviewer2@example.org")


@pytest.fixture
def app(database_url, maintainers, template_database):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-key",
            "DIRECTORY_DATABASE_URL": database_url,
            # The template database's sessions were started when the test run began.
            "EDITOR_IDLE_TIMEOUT": timedelta(hours=6),
        }
    )
    app.config["TEST_SESSION_TOKENS"] = template_database[1]
    return app


@pytest.fixture
def as_editor(app):
    return signed_in(app, "editor@example.org")


@pytest.fixture
def as_reviewer(app):
    return signed_in(app, "reviewer@example.org")


@pytest.fixture
def as_reviewer2(app):
    return signed_in(app, "reviewer2@example.org")
