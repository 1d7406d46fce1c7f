"""CSV exports cannot run formulas in a spreadsheet, and still import back exactly."""

from __future__ import annotations

import csv
import io

import pytest

from directory.db import session_scope
from directory.exporting import export_text, guard_cell, load_all, unguard_cell
from directory.importing import apply_plan, plan_import, read_text
from directory.models import Organization
from directory.store import apply_service_change

# What spreadsheets run as a formula when a cell starts with it (OWASP's list).
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
SERVICE = "national-domestic-abuse-helpline"
TRICKY = {
    "name": "@Home: National Domestic Abuse Helpline",
    "description": '=HYPERLINK("https://attacker.example","Click for help")',
    "hours": "+ evenings by appointment",
    "eligibility_description": "-- anyone aged 16 or over",
    "notes": "'Quoted' is how the service writes it",
    "accessibility": "''two quotes, typed by a person",
    "phones": [
        {"number": "+44 20 7946 0123", "description": "-from abroad", "type": "voice"},
        {"number": "0808 2000 247", "description": "=free", "type": "voice"},
    ],
}


@pytest.fixture
def tricky_url(sqlite_url):
    with session_scope(sqlite_url) as session:
        apply_service_change(session, SERVICE, TRICKY)
        organization = session.get(Organization, "refuge")
        organization.name = "-Refuge-"
        organization.description = "@refuge on social media"
    return sqlite_url


def exported(url) -> str:
    with session_scope(url) as session:
        return export_text(session, "csv")


def test_no_exported_cell_starts_with_a_formula(tricky_url):
    rows = list(csv.reader(io.StringIO(exported(tricky_url), newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) > 50
    assert [c for c in cells if c.startswith(DANGEROUS)] == []
    (helpline,) = [dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[0] == SERVICE]
    assert helpline["name"] == "'@Home: National Domestic Abuse Helpline"
    assert helpline["description"].startswith("'=HYPERLINK(")
    assert helpline["phones"].startswith("'+44 20 7946 0123 | -from abroad")  # only the cell start
    assert helpline["notes"] == "''Quoted' is how the service writes it"
    assert helpline["organization_name"] == "'-Refuge-"


def test_export_then_import_gives_back_every_value_exactly(tricky_url, empty_sqlite_url):
    text = exported(tricky_url)
    with session_scope(tricky_url) as session:
        plan = plan_import(session, read_text(text, "csv", "directory.csv"))
        assert plan.ok, plan.errors
        assert (plan.added, plan.changed, plan.retired) == ([], {}, [])
        assert not plan.organizations_changed
        assert SERVICE in plan.unchanged
        original = load_all(session)
    with session_scope(empty_sqlite_url) as session:
        apply_plan(session, plan_import(session, read_text(text, "csv", "directory.csv")))
    with session_scope(empty_sqlite_url) as session:
        copied = load_all(session)
    assert copied == original
    helpline = next(s for s in copied[1] if s["id"] == SERVICE)
    assert [p["number"] for p in helpline["phones"]] == ["+44 20 7946 0123", "0808 2000 247"]
    assert helpline["name"] == TRICKY["name"] and helpline["notes"] == TRICKY["notes"]
    assert helpline["accessibility"] == TRICKY["accessibility"]


@pytest.mark.parametrize(
    "value", ["", "plain", "'", "''", "'=", "=1+2", "-1", "+44 20", "@x", "\tx", "\rx", "'tis"]
)
def test_the_guard_is_undone_exactly(value):
    guarded = guard_cell(value)
    assert not guarded.startswith(DANGEROUS)
    assert unguard_cell(guarded) == value


def test_a_quote_typed_in_a_spreadsheet_is_kept_unless_it_guards_a_formula():
    assert unguard_cell("'til late") == "'til late"
    assert unguard_cell("'+44 20 7946 0123") == "+44 20 7946 0123"  # someone guarded it by hand
