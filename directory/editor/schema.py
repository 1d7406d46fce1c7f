"""Make sure the editor's tables exist before the CLI or the web app uses them."""

from __future__ import annotations

from sqlalchemy import inspect

from directory.db import get_engine
from directory.editor.models import EDITOR_TABLES


def has_editor_tables(url: str | None = None) -> bool:
    existing = set(inspect(get_engine(url)).get_table_names())
    return all(table.name in existing for table in EDITOR_TABLES)


def ensure_schema(url: str | None = None) -> None:
    """Runs the directory's migrations (0001_directory, 0002_editor) when the editor's tables
    are missing; a no-op on a current database."""
    if has_editor_tables(url):
        return
    from directory import db

    db.upgrade(url)
