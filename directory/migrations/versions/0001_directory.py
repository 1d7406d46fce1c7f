"""The directory: HSDS-aligned tables, taxonomy rows and the change counter.

Revision ID: 0001_directory
Revises:
Create Date: 2024-01-01

One revision for the whole directory schema (nothing is deployed yet, so it is edited in place).
Teammates chain on it: 0002_editor, then 0003_pathways.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_directory"
down_revision = None
branch_labels = None
depends_on = None

WATCHED_TABLES = (
    "organization",
    "service",
    "location",
    "service_at_location",
    "phone",
    "schedule",
    "service_area",
    "language",
    "attribute",
    "taxonomy",
    "taxonomy_term",
)


def _service_fk():
    return sa.ForeignKey("service.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "directory_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("data_version", sa.Integer, nullable=False, server_default="0"),
    )
    op.execute("INSERT INTO directory_state (id, data_version) VALUES (1, 0)")
    op.create_table(
        "taxonomy",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "taxonomy_term",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("taxonomy_id", sa.String, sa.ForeignKey("taxonomy.id"), nullable=False),
        sa.Column("code", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("parent_id", sa.String, sa.ForeignKey("taxonomy_term.id")),
        sa.UniqueConstraint("taxonomy_id", "code"),
    )
    op.create_table(
        "organization",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("website", sa.String),
        sa.Column("email", sa.String),
    )
    op.create_table(
        "service",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("organization_id", sa.String, sa.ForeignKey("organization.id"), nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("url", sa.String),
        sa.Column("email", sa.String),
        sa.Column("status", sa.String, nullable=False, server_default="active"),
        sa.Column("scope", sa.String, nullable=False),
        sa.Column("referral_route", sa.String, nullable=False, server_default="self"),
        sa.Column("application_process", sa.Text),
        sa.Column("fees_description", sa.Text),
        sa.Column("eligibility_description", sa.Text),
        sa.Column("minimum_age", sa.Integer),
        sa.Column("maximum_age", sa.Integer),
        sa.Column("gender", sa.String, nullable=False, server_default="any"),
        sa.Column("hours", sa.String),
        sa.Column("open_24_7", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("contact_verified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("last_verified", sa.Date),
        sa.Column("verification_source", sa.Text),
        sa.Column("notes", sa.Text),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "scope IN ('local', 'pan-london', 'national', 'emergency')", name="service_scope"
        ),
        sa.CheckConstraint(
            "status IN ('active', 'temporarily-closed', 'defunct')", name="service_status"
        ),
        sa.CheckConstraint(
            "referral_route IN ('self', 'professional', 'both')", name="service_referral_route"
        ),
        sa.CheckConstraint("gender IN ('any', 'women', 'men')", name="service_gender"),
    )
    op.create_index("ix_service_organization_id", "service", ["organization_id"])
    op.create_table(
        "location",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("organization_id", sa.String, sa.ForeignKey("organization.id")),
        sa.Column("location_type", sa.String, nullable=False, server_default="physical"),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("borough", sa.String),
        sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("address_1", sa.String),
        sa.Column("city", sa.String),
        sa.Column("postal_code", sa.String),
        # A refuge's address is never stored: confidential locations carry no address at all.
        sa.CheckConstraint(
            "NOT confidential OR (address_1 IS NULL AND postal_code IS NULL)",
            name="location_confidential_has_no_address",
        ),
    )
    op.create_table(
        "service_at_location",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("service_id", sa.String, _service_fk(), nullable=False),
        sa.Column("location_id", sa.String, sa.ForeignKey("location.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("description", sa.Text),
    )
    op.create_table(
        "phone",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("service_id", sa.String, _service_fk(), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("number", sa.String, nullable=False),
        sa.Column("type", sa.String, nullable=False, server_default="voice"),
        sa.Column("description", sa.String),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("service_id", sa.String, _service_fk(), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("freq", sa.String, nullable=False, server_default="WEEKLY"),
        sa.Column("byday", sa.String, nullable=False),
        sa.Column("opens_at", sa.String, nullable=False),
        sa.Column("closes_at", sa.String, nullable=False),
        sa.Column("description", sa.Text),
    )
    op.create_table(
        "service_area",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("service_id", sa.String, _service_fk(), nullable=False),
        sa.Column("borough", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.UniqueConstraint("service_id", "borough"),
    )
    op.create_index("ix_service_area_borough", "service_area", ["borough"])
    op.create_table(
        "language",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("service_id", sa.String, _service_fk(), nullable=False),
        sa.Column("code", sa.String, nullable=False),
        sa.Column("name", sa.String, nullable=False),
        sa.UniqueConstraint("service_id", "code"),
    )
    op.create_table(
        "attribute",
        sa.Column("id", sa.String, primary_key=True),
        sa.Column("link_id", sa.String, _service_fk(), nullable=False),
        sa.Column("link_entity", sa.String, nullable=False, server_default="service"),
        sa.Column("taxonomy_term_id", sa.String, sa.ForeignKey("taxonomy_term.id"), nullable=False),
        sa.Column("value", sa.String),
        sa.UniqueConstraint("link_id", "taxonomy_term_id"),
    )
    for table, column in (
        ("service_at_location", "service_id"),
        ("phone", "service_id"),
        ("schedule", "service_id"),
        ("service_area", "service_id"),
        ("language", "service_id"),
        ("attribute", "link_id"),
        ("attribute", "taxonomy_term_id"),
    ):
        op.create_index(f"ix_{table}_{column}", table, [column])
    _create_change_triggers()


def _create_change_triggers() -> None:
    """Every write to a directory table bumps directory_state.data_version, whoever writes
    (the bot never writes; the editor, the CLI and imports do). Readers compare it cheaply."""
    bump = "UPDATE directory_state SET data_version = data_version + 1 WHERE id = 1"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION directory_bump_data_version() RETURNS trigger AS $$ "
            f"BEGIN {bump}; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
        for table in WATCHED_TABLES:
            op.execute(
                f"CREATE TRIGGER directory_bump_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                "EXECUTE FUNCTION directory_bump_data_version()"
            )
        return
    for table in WATCHED_TABLES:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER directory_bump_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {bump}; END"
            )


def downgrade() -> None:
    for table in (
        "attribute",
        "language",
        "service_area",
        "schedule",
        "phone",
        "service_at_location",
        "location",
        "service",
        "organization",
        "taxonomy_term",
        "taxonomy",
    ):
        op.drop_table(table)
    op.drop_table("directory_state")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS directory_bump_data_version()")
