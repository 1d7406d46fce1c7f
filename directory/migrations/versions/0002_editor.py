"""The maintainers' editor: accounts, sessions, sign-in failures, proposals, audit trail.

Revision ID: 0002_editor
Revises: 0001_directory
Create Date: 2024-01-02

Proposals and audit events name their entity by (entity_type, entity_id) rather than by a
foreign key, so they outlive nothing and serve services and referral pathways alike.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_editor"
down_revision = "0001_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editor_maintainer",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.CheckConstraint("role IN ('editor', 'reviewer')", name="editor_maintainer_role"),
    )
    op.create_table(
        "editor_session",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "maintainer_id", sa.Integer, sa.ForeignKey("editor_maintainer.id"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_editor_session_maintainer_id", "editor_session", ["maintainer_id"])
    op.create_table(
        "editor_login_failure",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_editor_login_failure_key", "editor_login_failure", ["key"])
    op.create_index("ix_editor_login_failure_at", "editor_login_failure", ["at"])
    op.create_table(
        "editor_change",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("base", sa.Text),
        sa.Column("base_version", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("open_key", sa.String(260), unique=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("editor_maintainer.id"), nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("editor_maintainer.id")),
        sa.Column("review_note", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("decided_at", sa.DateTime),
        sa.CheckConstraint(
            "status IN ('draft', 'in_review', 'published', 'rejected', 'withdrawn')",
            name="editor_change_status",
        ),
    )
    op.create_index("ix_editor_change_entity_id", "editor_change", ["entity_id"])
    op.create_table(
        "editor_audit_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("entity_type", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("editor_maintainer.id")),
        sa.Column("change_id", sa.Integer, sa.ForeignKey("editor_change.id")),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_editor_audit_event_at", "editor_audit_event", ["at"])
    op.create_index(
        "ix_editor_audit_event_entity", "editor_audit_event", ["entity_type", "entity_id"]
    )


def downgrade() -> None:
    for table in (
        "editor_audit_event",
        "editor_change",
        "editor_login_failure",
        "editor_session",
        "editor_maintainer",
    ):
        op.drop_table(table)
