"""Engine and sessions. SQLite by default; PostgreSQL via DIRECTORY_DATABASE_URL.

Written in SQLAlchemy 2.0 style (`future=True`, `select()`) on the 1.4 that Rasa pins.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'directory.sqlite3'}"


def database_url() -> str:
    return os.environ.get("DIRECTORY_DATABASE_URL", DEFAULT_URL)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    return create_engine(url or database_url(), future=True)


@contextmanager
def session_scope(url: str | None = None):
    """A session that commits on success and rolls back on any error: nothing half-written."""
    session = sessionmaker(get_engine(url), future=True)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


__all__ = ["Session", "database_url", "get_engine", "session_scope"]
