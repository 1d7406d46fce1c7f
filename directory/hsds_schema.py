"""Validate HSDS 3.0 objects against the Open Referral schemas shipped in directory/hsds/.

    schema_errors("service", obj) -> [SchemaError(field="phones[0].number", message=...)]

Used by the export (an export that breaks the standard is refused) and by the HSDS import (a
record that breaks it is refused, naming the record and field). The tables' relative `$ref`s
("phone.json") resolve from the shipped folder, so nothing is fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jsonschema

SCHEMA_DIR = Path(__file__).resolve().parent / "hsds" / "schema"


@dataclass(frozen=True)
class SchemaError:
    field: str  # "phones[0].number"; "" for the object itself
    message: str  # the schema validator's own message

    def __str__(self) -> str:
        return f"field '{self.field}': {self.message}" if self.field else self.message


@cache
def _validator(table: str) -> jsonschema.Draft7Validator:
    base = SCHEMA_DIR.as_uri() + "/"
    store = {base + p.name: json.loads(p.read_text()) for p in SCHEMA_DIR.glob("*.json")}
    schema = store[base + f"{table}.json"]
    resolver = jsonschema.RefResolver(base_uri=base, referrer=schema, store=store)
    return jsonschema.Draft7Validator(
        schema, resolver=resolver, format_checker=jsonschema.FormatChecker()
    )


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def schema_errors(table: str, obj) -> list[SchemaError]:
    """Every way `obj` breaks HSDS 3.0's schema for `table` ("service", "organization")."""
    errors = sorted(_validator(table).iter_errors(obj), key=lambda e: list(map(str, e.path)))
    return [SchemaError(_path(e.absolute_path), e.message) for e in errors]
