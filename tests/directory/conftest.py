"""Directory fixtures: a migrated, seeded database on SQLite (copied from one template per
run) and on the real PostgreSQL (`postgres_url` from the root conftest: a fresh database)."""

from __future__ import annotations

import shutil

import pytest

from directory.db import upgrade
from tests.conftest import seed_directory


def _prepare(url: str) -> str:
    return seed_directory(url, pathways=False)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("directory-template") / "directory.sqlite3"
    _prepare(f"sqlite:///{path}")
    from directory.db import get_engine

    get_engine(f"sqlite:///{path}").dispose()
    return path


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path):
    path = tmp_path / "directory.sqlite3"
    shutil.copy(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def pg_url(postgres_url):
    return _prepare(postgres_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    """A seeded directory on each back end."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return request.getfixturevalue(name)


@pytest.fixture
def empty_sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    return url
