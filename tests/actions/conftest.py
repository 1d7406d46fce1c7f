"""A seeded directory (services and pathways) for the actions to search, one per package run."""

from __future__ import annotations

import pytest

from tests.conftest import seed_directory


@pytest.fixture(scope="package")
def directory_url(tmp_path_factory):
    return seed_directory(f"sqlite:///{tmp_path_factory.mktemp('actions') / 'directory.sqlite3'}")


@pytest.fixture(autouse=True)
def _directory(directory_url, monkeypatch):
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", directory_url)
