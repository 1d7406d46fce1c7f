"""Make sure the editor's tables exist before the CLI or the web app uses them."""

from __future__ import annotations

from sqlalchemy import inspect

from directory.db import get_engine
from directory.editor.models import EDITOR_TABLES

# The newest table each later migration adds: 0004_pathway_reviewed adds pathway review dates
# and sources, which the editor's pathway screens show; 0006_editor_audit the audit chain's head.
LATEST_TABLES = ("pathway_source", "editor_audit_head")


def has_editor_tables(url: str | None = None) -> bool:
    existing = set(inspect(get_engine(url)).get_table_names())
    return all(table.name in existing for table in EDITOR_TABLES)


def is_current(url: str | None = None) -> bool:
    existing = set(inspect(get_engine(url)).get_table_names())
    return has_editor_tables(url) and all(name in existing for name in LATEST_TABLES)


def ensure_schema(url: str | None = None) -> None:
    """Runs the directory's migrations when the editor's tables or any of LATEST_TABLES are
    missing; a no-op on a current database."""
    if is_current(url):
        return
    from directory import db

    db.upgrade(url)
