"""Fixtures for the professionals' directory site (/find/): the seeded directory (services,
then pathways) built once per run, and the web app on it.

No __init__.py here: the package would be called `site`, which is Python's own module.
"""

from __future__ import annotations

import shutil

import pytest

from directory.db import get_engine
from directory.web import create_app
from tests.conftest import seed_directory


@pytest.fixture(scope="session")
def site_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("site-directory") / "directory.sqlite3"
    url = seed_directory(f"sqlite:///{path}")
    get_engine(url).dispose()
    return path


def make_app(url: str, **config):
    return create_app(
        {"TESTING": True, "SECRET_KEY": "test-only-key", "DIRECTORY_DATABASE_URL": url, **config}
    )


@pytest.fixture(scope="session")
def make_site_app():
    """make_site_app(url, **config): the web app on another directory or with other settings."""
    return make_app


@pytest.fixture(scope="session")
def site_url(site_template, tmp_path_factory):
    """A read-only copy for the tests that only look (one for the whole run)."""
    path = tmp_path_factory.mktemp("site-read-only") / "directory.sqlite3"
    shutil.copyfile(site_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def site_app(site_url):
    return make_app(site_url)


@pytest.fixture
def client(site_app):
    return site_app.test_client()


@pytest.fixture
def writable_url(site_template, tmp_path):
    """A copy of the seeded directory a test may change."""
    path = tmp_path / "directory.sqlite3"
    shutil.copyfile(site_template, path)
    url = f"sqlite:///{path}"
    yield url
    get_engine(url).dispose()
