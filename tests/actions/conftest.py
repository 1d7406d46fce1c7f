"""A seeded directory (services and pathways) for the actions to search, one per package run."""

from __future__ import annotations

import pytest

from directory.db import session_scope, upgrade
from directory.pathways.seed import load_pathways
from directory.seed import load_seed


@pytest.fixture(scope="package")
def directory_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'directory.sqlite3'}"
    upgrade(url)
    with session_scope(url) as session:
        load_seed(session)
    with session_scope(url) as session:
        load_pathways(session)
    return url


@pytest.fixture(autouse=True)
def _directory(directory_url, monkeypatch):
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", directory_url)
