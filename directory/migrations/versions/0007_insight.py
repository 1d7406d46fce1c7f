"""Insight counters (directory.insight) and the `analyst` role.

Revision ID: 0007_insight
Revises: 0006_editor_audit
Create Date: 2026-12-03

`insight_count` holds one count per day and combination of vocabulary ids: no text, no
conversation id, no time finer than a day (the column is a DATE), no row id. The primary key
(the day and the combination) is what the counters' atomic upsert (INSERT … ON CONFLICT DO
UPDATE) conflicts on.

The maintainers' role check gains `analyst` (sees the insight dashboard only). On SQLite the
table is rebuilt (batch mode); foreign keys from other tables to it are deferred to the end of
the transaction, when the rebuilt table has its old name again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_insight"
down_revision = "0006_editor_audit"
branch_labels = None
depends_on = None

DIMENSIONS = ("borough", "strand", "need", "audience", "language", "asker", "detail")
WIDTHS = {"language": 16, "asker": 16}


def _roles(roles: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA defer_foreign_keys = ON")
    listed = ", ".join(f"'{role}'" for role in roles)
    with op.batch_alter_table(
        "editor_maintainer", recreate="always" if bind.dialect.name == "sqlite" else "auto"
    ) as table:
        table.drop_constraint("editor_maintainer_role", type_="check")
        table.create_check_constraint("editor_maintainer_role", f"role IN ({listed})")


def upgrade() -> None:
    op.create_table(
        "insight_count",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        *(sa.Column(name, sa.String(WIDTHS.get(name, 64)), nullable=False) for name in DIMENSIONS),
        sa.Column("count", sa.Integer, nullable=False),
        # The combination is the key: no row id to tell the order rows were made in, and on
        # SQLite no hidden rowid (WITHOUT ROWID).
        sa.PrimaryKeyConstraint("day", "event", *DIMENSIONS, name="pk_insight_count"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_insight_count_event_day", "insight_count", ["event", "day", "count"])
    _roles(("editor", "reviewer", "analyst"))


def downgrade() -> None:
    analysts = op.get_bind().execute(
        sa.text("SELECT count(*) FROM editor_maintainer WHERE role = 'analyst'")
    )
    if analysts.scalar():
        raise RuntimeError("Give the analysts another role (or none) before this downgrade.")
    _roles(("editor", "reviewer"))
    op.drop_table("insight_count")
