"""Referral pathways for professionals (directory/pathways/models.py).

Revision ID: 0003_pathways
Revises: 0002_editor
Create Date: 2024-01-01

Contacts link to services by id without a foreign key: services are retired by status, never
deleted, and the pathway write API refuses an id the directory does not have.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_pathways"
down_revision = "0002_editor"
branch_labels = None
depends_on = None


def _pathway_fk():
    return sa.ForeignKey("pathway.id", ondelete="CASCADE")


def _child(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("pathway_id", sa.String, _pathway_fk(), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        *columns,
    )


def upgrade() -> None:
    op.create_table(
        "pathway",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("title", sa.String, nullable=False),
        sa.Column("situation", sa.Text, nullable=False),
        sa.Column("applies_to", sa.Text, nullable=False),
        sa.Column("legal_duty", sa.Text),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("status", sa.String, nullable=False, server_default="active"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    _child("pathway_step", sa.Column("text", sa.Text, nullable=False))
    _child("pathway_threshold", sa.Column("text", sa.Text, nullable=False))
    _child(
        "pathway_form",
        sa.Column("name", sa.String, nullable=False),
        sa.Column("note", sa.Text),
    )
    _child(
        "pathway_contact",
        sa.Column("label", sa.String, nullable=False),
        sa.Column("borough", sa.String),
        sa.Column("service_id", sa.String, index=True),
        sa.Column("phone", sa.String),
        sa.Column("route", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("professional_only", sa.Boolean, nullable=False, server_default=sa.true()),
    )


def downgrade() -> None:
    for name in ("pathway_contact", "pathway_form", "pathway_threshold", "pathway_step"):
        op.drop_table(name)
    op.drop_table("pathway")
