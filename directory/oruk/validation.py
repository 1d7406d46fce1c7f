"""A read API response checked against the Open Referral UK profile's OpenAPI definition.

    response_errors("/services/{id}", body) -> ["organization.id: 'x' is not a 'uuid'", ...]

The definition (directory/oruk/schema/openapi.json) names its response schemas by their
raw.githubusercontent.com URLs; the copies beside it are registered under those URLs, so no
`$ref` is ever fetched. Schemas are JSON Schema 2020-12 (the definition's jsonSchemaDialect).
jsonschema is pinned below 4.18 by Rasa, so the copies are a RefResolver's store (the
`referencing` library comes with 4.18). Formats (uuid, email, uri, date-time) are checked too.
The profile's Page schema requires nothing, so a paginated response is also checked to have
every key of the envelope.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema

from directory.oruk.feed import PAGE_KEYS

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
UPSTREAM = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/"
OPENAPI_URL = UPSTREAM + "openapi.json"


@cache
def openapi() -> dict:
    return json.loads((SCHEMA_DIR / "openapi.json").read_text())


@cache
def _store() -> dict[str, dict]:
    return {
        UPSTREAM + path.relative_to(SCHEMA_DIR).as_posix(): json.loads(path.read_text())
        for path in SCHEMA_DIR.rglob("*.json")
    }


def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    # jsonschema checks these two only with optional packages; without them, a plain check.
    if "date-time" not in checker.checkers:

        @checker.checks("date-time", raises=ValueError)
        def _date_time(value) -> bool:
            if not isinstance(value, str):
                return True
            if "T" not in value.upper():
                return False
            return datetime.fromisoformat(value).tzinfo is not None

    if "uri" not in checker.checkers:

        @checker.checks("uri")
        def _uri(value) -> bool:
            return not isinstance(value, str) or bool(urlsplit(value).scheme)

    return checker


def response_schema(path: str, status: str = "200") -> dict:
    """The schema the definition gives for a GET of `path` (as written there: "/services/{id}")."""
    response = openapi()["paths"][path]["get"]["responses"][status]
    return response["content"]["application/json"]["schema"]


def paginated(path: str) -> bool:
    return "contents" in response_schema(path).get("properties", {})


@cache
def _validator(path: str) -> jsonschema.Draft202012Validator:
    resolver = jsonschema.RefResolver(base_uri=OPENAPI_URL, referrer=openapi(), store=_store())
    return jsonschema.Draft202012Validator(
        response_schema(path), resolver=resolver, format_checker=_format_checker()
    )


def _where(error: jsonschema.ValidationError) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)


def response_errors(path: str, body) -> list[str]:
    """Every way `body` breaks the profile's 200 response for `path`; [] when it conforms."""
    errors = [
        f"{_where(e) or '(response)'}: {e.message}" for e in _validator(path).iter_errors(body)
    ]
    if paginated(path) and isinstance(body, dict):
        errors += [f"missing envelope key {key!r}" for key in PAGE_KEYS if key not in body]
    return errors
