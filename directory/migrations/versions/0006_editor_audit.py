"""An append-only audit trail: a hash chain, and the database refusing changes to it.

Revision ID: 0006_editor_audit
Revises: 0005_service_sources
Create Date: 2026-12-02

Each audit event gets `prev_hash` (the hash of the event before it) and `hash` (of its own
content and prev_hash; see directory.editor.models.audit_hash); events recorded before this
revision are chained here, in id order. `editor_audit_head` keeps the newest hash and the count.
Triggers refuse UPDATE and DELETE on editor_audit_event (and TRUNCATE on PostgreSQL); someone
who can drop them can still tamper, which `python -m directory.editor verify-audit` then shows.
A later batch rebuild of editor_audit_event on SQLite drops these triggers: create them again.
"""

import json
from types import SimpleNamespace

import sqlalchemy as sa
from alembic import op

from directory.editor.models import GENESIS_HASH, audit_hash

revision = "0006_editor_audit"
down_revision = "0005_service_sources"
branch_labels = None
depends_on = None

REFUSAL = "the audit trail is append-only"


def upgrade() -> None:
    op.add_column("editor_audit_event", sa.Column("prev_hash", sa.String(64)))
    op.add_column("editor_audit_event", sa.Column("hash", sa.String(64)))
    events = sa.table(
        "editor_audit_event",
        *(sa.column(name) for name in ("id", "entity_type", "entity_id", "action", "actor_id")),
        *(sa.column(name) for name in ("change_id", "note", "prev_hash", "hash")),
        sa.column("changes", sa.Text),
        sa.column("at", sa.DateTime),
    )
    bind = op.get_bind()
    previous, count = GENESIS_HASH, 0
    for row in bind.execute(sa.select(events).order_by(events.c.id)).all():
        # `changes` is stored as JSON text; audit_hash wants it as the model reads it.
        event = SimpleNamespace(**row._asdict() | {"changes": json.loads(row.changes)})
        digest = audit_hash(previous, event)
        bind.execute(
            events.update().where(events.c.id == row.id).values(prev_hash=previous, hash=digest)
        )
        previous, count = digest, count + 1
    with op.batch_alter_table("editor_audit_event") as table:
        table.alter_column("prev_hash", existing_type=sa.String(64), nullable=False)
        table.alter_column("hash", existing_type=sa.String(64), nullable=False)
        table.create_unique_constraint("uq_editor_audit_event_prev_hash", ["prev_hash"])
    head = op.create_table(
        "editor_audit_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "count": count, "hash": previous}])

    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION editor_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER editor_audit_append_only BEFORE UPDATE OR DELETE ON "
            "editor_audit_event FOR EACH ROW EXECUTE FUNCTION editor_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER editor_audit_no_truncate BEFORE TRUNCATE ON editor_audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION editor_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER editor_audit_no_{event.lower()} BEFORE {event} ON "
                f"editor_audit_event BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER editor_audit_append_only ON editor_audit_event")
        op.execute("DROP TRIGGER editor_audit_no_truncate ON editor_audit_event")
        op.execute("DROP FUNCTION editor_audit_append_only()")
    else:
        op.execute("DROP TRIGGER editor_audit_no_update")
        op.execute("DROP TRIGGER editor_audit_no_delete")
    op.drop_table("editor_audit_head")
    with op.batch_alter_table("editor_audit_event") as table:
        table.drop_constraint("uq_editor_audit_event_prev_hash", type_="unique")
        table.drop_column("hash")
        table.drop_column("prev_hash")
