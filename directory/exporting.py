"""Export the directory: `export_text(session, "hsds-json" | "csv") -> str`.

CSV exports are opened in spreadsheets, which run a cell starting with =, +, -, @, a tab or a
carriage return as a formula (CSV injection). `guard_csv` puts a single quote before such a
cell, and before a cell that already starts with a quote; `unguard_csv` (used by the importer)
takes exactly that quote off again, so export -> import gives back every value unchanged
(a phone "+44 20 ..." is exported as "'+44 20 ..." and imported as "+44 20 ...").
"""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from directory.formats import write_csv, write_hsds_json
from directory.models import Organization, Service
from directory.serialize import SERVICE_CHILDREN, organization_to_dict, service_to_dict


def load_all(session) -> tuple[list[dict], list[dict]]:
    """Every organization and service as dicts, ordered by id (deterministic output)."""
    organizations = [
        organization_to_dict(o)
        for o in session.execute(select(Organization).order_by(Organization.id)).scalars()
    ]
    services = [
        service_to_dict(s)
        for s in session.execute(
            select(Service).order_by(Service.id).options(*SERVICE_CHILDREN)
        ).scalars()
    ]
    return organizations, services


def export_text(session, format: str) -> str:
    organizations, services = load_all(session)
    if format == "hsds-json":
        return write_hsds_json(organizations, services)
    if format == "csv":
        return guard_csv(write_csv(organizations, services))
    raise ValueError(f"unknown format {format!r}")


# --- CSV formula guard -----------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"


def guard_cell(value: str) -> str:
    return GUARD + value if value.startswith((*FORMULA_STARTS, GUARD)) else value


def unguard_cell(value: str) -> str:
    """Undoes `guard_cell`. A quote before anything else was typed by a person (e.g. "'til
    late"), not added by an export, so it stays."""
    if value.startswith(GUARD) and value[1:].startswith((*FORMULA_STARTS, GUARD)):
        return value[1:]
    return value


def _map_cells(text: str, change) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline=""), strict=True):
        writer.writerow([change(cell) for cell in row])
    return out.getvalue()


def guard_csv(text: str) -> str:
    return _map_cells(text, guard_cell)


def unguard_csv(text: str) -> str:
    """The file with export guards removed; malformed CSV is returned as it is, for the reader
    to report with its row."""
    try:
        return _map_cells(text, unguard_cell)
    except csv.Error:
        return text
