"""File formats: HSDS 3.0 JSON and a one-row-per-service CSV, both ways.

Readers return `Records`: organizations and services as plain dicts (see directory.serialize),
each with where it came from (`Origin`: file and row), plus any parse errors. Writers take the
same dicts. Both formats round-trip losslessly through `service_to_dict`.

HSDS JSON: `{"hsds_version": "3.0", "services": [<compiled service object>, ...]}`. Ids are
UUIDs derived from our slugs; the slug and the fields HSDS has no place for travel in the
`x_vawg` extension object of each service (HSDS allows extra properties). Taxonomy tags are
HSDS `attributes` with their `taxonomy_term`. A refuge's or a confidential location never
carries an address (directory.rules.address_hidden). The reader also takes a page of an Open
Referral UK feed (`{"contents": [<service>, ...], ...}`, as `/api/oruk/services?full=true`).
Where each service's details came from is `x_vawg.source_url` (the public page),
`x_vawg.source_document` (a named document, where no page exists), `x_vawg.source_checked`
(the date it was read, YYYY-MM-DD) and `x_vawg.source_evidence` (the page's lines that give
each published contact, one per line). What a service's pages say about interpreters is HSDS's
own `interpretation_services` (not the extension). Every export is validated against the HSDS
3.0 schemas in directory/hsds/ before it is written, and every HSDS import before it is planned.

CSV: one row per service (an organization without services gets a row with only the
organization columns); the spreadsheet row number (header = row 1) names a bad row. Lists
of ids are ";"-separated; phones, schedules and locations are one per line inside the cell,
with " | " between parts:
  phones:    number | description | type
  schedules: days | opens | closes | description      (days like MO,TU,WE; times HH:MM)
  locations: name | borough | confidential | description | address | city | postcode

Modules: `records` (what readers return), `hsds_json`, `csv_file`; this package re-exports their
public names.
"""

from directory.formats.csv_file import CSV_COLUMNS, LINE_COLUMNS, read_csv, write_csv
from directory.formats.hsds_json import (
    EXTENSION,
    EXTENSION_FIELDS,
    HSDS_FIELDS,
    InvalidExport,
    hsds_service,
    hsds_taxonomy,
    hsds_term,
    read_hsds_json,
    write_hsds_json,
)
from directory.formats.records import ImportIssue, Origin, Records

__all__ = [
    "CSV_COLUMNS",
    "EXTENSION",
    "EXTENSION_FIELDS",
    "HSDS_FIELDS",
    "LINE_COLUMNS",
    "ImportIssue",
    "InvalidExport",
    "Origin",
    "Records",
    "hsds_service",
    "hsds_taxonomy",
    "hsds_term",
    "read_csv",
    "read_hsds_json",
    "write_csv",
    "write_hsds_json",
]
