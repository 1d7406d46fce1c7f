"""What each service's own pages say about interpreters (HSDS `service.interpretation_services`).

Revision ID: 0008_interpretation_services
Revises: 0007_insight
Create Date: 2026-12-06

A free-text column, as HSDS 3.0 has it: "A free text description of any interpretation services
available for accessing this service". Empty unless a source says so; the languages a service
works in directly stay in `language`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_interpretation_services"
down_revision = "0007_insight"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (SQLite has it): a batch rebuild would drop the data_version triggers.
    op.add_column("service", sa.Column("interpretation_services", sa.Text))


def downgrade() -> None:
    # Plain DROP COLUMN too (SQLite has it since 3.35), for the same reason: the triggers stay.
    op.drop_column("service", "interpretation_services")
