"""A migrated, seeded directory (services, then pathways) in a temporary SQLite file."""

from __future__ import annotations

import pytest

from directory.db import get_engine
from tests.conftest import seed_directory


@pytest.fixture
def directory_url(tmp_path, monkeypatch):
    url = seed_directory(f"sqlite:///{tmp_path / 'directory.sqlite3'}")  # every migration
    # The actions read the directory named by the environment, as in production.
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", url)
    yield url
    get_engine(url).dispose()
