"""Engine, sessions and schema upgrades. SQLite by default; PostgreSQL via DIRECTORY_DATABASE_URL.

Written in SQLAlchemy 2.0 style (`future=True`, `select()`) on the 1.4 that Rasa pins.
`upgrade(url=None)` runs the Alembic migrations (directory/migrations) to head; the CLI's
`init-db` and `upgrade` and the tests use it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'directory.sqlite3'}"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    return os.environ.get("DIRECTORY_DATABASE_URL", DEFAULT_URL)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys (and ON DELETE CASCADE) are off by default in SQLite; WAL lets the bot read
    # while the editor writes.
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 5000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1] if "///" in url else ""
        if not path or path == ":memory:":
            engine = create_engine(url, future=True)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLAlchemy 1.4 opens a new file connection per checkout by default; a pool keeps the
        # per-message freshness check of the matching index cheap.
        engine = create_engine(
            url,
            future=True,
            poolclass=QueuePool,
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def make_session(url: str | None = None) -> Session:
    return sessionmaker(get_engine(url), future=True)()


@contextmanager
def session_scope(url: str | None = None):
    """A session that commits on success and rolls back on any error: nothing half-written."""
    session = make_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal "%" in a password must be doubled.
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision` (all migrations, including teammates' 0002/0003)."""
    from alembic import command

    url = url or database_url()
    engine = get_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


__all__ = ["Session", "database_url", "get_engine", "make_session", "session_scope", "upgrade"]
