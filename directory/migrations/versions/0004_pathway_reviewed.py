"""Pathway review dates and structured sources (issue 14).

Revision ID: 0004_pathway_reviewed
Revises: 0003_pathways
Create Date: 2026-12-01

`pathway.reviewed` is the day someone last checked the pathway against its sources (empty on
every pathway written before this revision: they were never reviewed, so the editor lists them
as due). `pathway.unsourced` holds the claims no public source was found for. `pathway_source`
rows are the sources themselves; `pathway.source` keeps their rendered text.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_pathway_reviewed"
down_revision = "0003_pathways"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pathway", sa.Column("reviewed", sa.Date))
    op.add_column("pathway", sa.Column("unsourced", sa.Text))
    op.create_table(
        "pathway_source",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "pathway_id",
            sa.String,
            sa.ForeignKey("pathway.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("read_on", sa.Date, nullable=False),
        sa.Column("page_date", sa.String),
        sa.Column("supports", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pathway_source")
    with op.batch_alter_table("pathway") as batch:
        batch.drop_column("unsourced")
        batch.drop_column("reviewed")
