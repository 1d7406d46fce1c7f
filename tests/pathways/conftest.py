"""A migrated, seeded directory (services, then pathways) in a temporary SQLite file."""

from __future__ import annotations

import pytest

from directory.db import get_engine, session_scope, upgrade
from directory.pathways.seed import load_pathways
from directory.seed import load_seed


@pytest.fixture
def directory_url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'directory.sqlite3'}"
    upgrade(url)  # every migration, 0003_pathways included
    with session_scope(url) as session:
        load_seed(session)
    with session_scope(url) as session:
        load_pathways(session)
    # The actions read the directory named by the environment, as in production.
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", url)
    yield url
    get_engine(url).dispose()
