"""Where each service's details came from, and its accessibility.

Revision ID: 0005_service_sources
Revises: 0004_pathway_reviewed
Create Date: 2026-12-01

source_url (a public https page) or source_document (a named document, where there is no
page), source_checked (the date it was read) and source_evidence (verbatim lines of it giving
each published contact). Sourced is not verified: contact_verified stays a maintainer's word.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_service_sources"
down_revision = "0004_pathway_reviewed"
branch_labels = None
depends_on = None

COLUMNS = (
    ("accessibility", sa.Text),
    ("source_url", sa.String),
    ("source_document", sa.Text),
    ("source_checked", sa.Date),
    ("source_evidence", sa.Text),
)


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch rebuild would drop the data_version triggers.
    for name, kind in COLUMNS:
        op.add_column("service", sa.Column(name, kind))


def downgrade() -> None:
    with op.batch_alter_table("service") as table:
        for name, _ in COLUMNS:
            table.drop_column(name)
