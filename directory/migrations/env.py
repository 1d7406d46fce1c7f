"""Alembic environment for the directory. Run through `directory.db.upgrade(url)` or
`python -m directory upgrade`; the URL comes from the Alembic config (set by `upgrade`)."""

from __future__ import annotations

import contextlib
import importlib

from alembic import context
from sqlalchemy import create_engine

import directory.models

# Teammates' tables share the declarative Base; import them when present so autogenerate
# and metadata-aware migrations see the whole schema.
for optional in ("directory.editor.models", "directory.pathways.models", "directory.insight"):
    with contextlib.suppress(ImportError):
        importlib.import_module(optional)

target_metadata = directory.models.Base.metadata
config = context.config


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
