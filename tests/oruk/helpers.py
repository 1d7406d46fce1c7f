"""Helpers for the Open Referral UK API tests.

`fetch(client, url)` gets a response and checks the profile's rules that hold for every 200
(the CORS header, JSON, the profile's schema for that path), counting the responses validated
in TALLY (printed after the run by tests/oruk/conftest.py). The three services the tests add
to the seeded directory are here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from directory.oruk.validation import response_errors
from directory.web import create_app

HF, KC, WM = "hammersmith-and-fulham", "kensington-and-chelsea", "westminster"
# Never to be seen in any response: the street of a refuge written with an address despite
# the field checks (as a bad import or a direct database write could).
REFUGE_STREET = "1 Hidden Row"
REFUGE_POSTCODE = "W8 9ZZ"
PUBLIC_STREET = "10 Open Street"

CONFIDENTIAL_REFUGE = {
    "id": "test-refuge-westminster",
    "organization_id": "test-org",
    "name": "Test Refuge Westminster",
    "description": "A refuge for women and children, at a confidential address.",
    "scope": "local",
    "referral_route": "both",
    "minimum_age": 16,
    "boroughs": [WM],
    "strands": ["domestic-abuse"],
    "needs": ["refuge"],
    "audiences": ["women"],
    "phones": [{"number": "020 7946 0001"}],
    "locations": [{"name": "Westminster refuge", "borough": WM, "confidential": True}],
}
ADDRESSED_REFUGE = {
    "id": "test-refuge-with-address",
    "organization_id": "test-org",
    "name": "Test Refuge House",
    "description": "A refuge whose address was written in by mistake.",
    "scope": "local",
    "boroughs": [KC],
    "strands": ["domestic-abuse"],
    "needs": ["refuge", "housing"],
    "locations": [
        {
            "name": "Refuge house",
            "borough": KC,
            "address_1": REFUGE_STREET,
            "city": "London",
            "postal_code": REFUGE_POSTCODE,
        }
    ],
}
DROP_IN = {
    "id": "test-drop-in",
    "organization_id": "test-org",
    "name": "Test Drop-in Advice",
    "description": "Walk-in advice on housing and safety.",
    "scope": "local",
    "minimum_age": 18,
    "maximum_age": 25,
    "boroughs": [HF],
    "strands": ["stalking"],
    "needs": ["legal-advice"],
    "audiences": ["young-people"],
    "languages": ["pl"],
    "interpretation_services": "Interpreters for other languages by phone, booked ahead",
    "schedules": [{"byday": "MO,WE", "opens_at": "09:30", "closes_at": "16:00"}],
    "locations": [
        {
            "name": "Advice centre",
            "borough": HF,
            "address_1": PUBLIC_STREET,
            "city": "London",
            "postal_code": "W6 0ZZ",
        }
    ],
}
EXTRA = (CONFIDENTIAL_REFUGE, ADDRESSED_REFUGE, DROP_IN)


def make_client(database_url: str, **config):
    app = create_app(
        {"DIRECTORY_DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "t", **config}
    )
    return app.test_client()


@dataclass
class Tally:
    responses: int = 0
    errors: list[str] = field(default_factory=list)


TALLY = Tally()
PATH_TEMPLATE = [
    (re.compile(r"^/api/oruk/?$"), "/"),
    (re.compile(r"^/api/oruk/services$"), "/services"),
    (re.compile(r"^/api/oruk/services/[^/]+$"), "/services/{id}"),
    (re.compile(r"^/api/oruk/taxonomies$"), "/taxonomies"),
    (re.compile(r"^/api/oruk/taxonomies/[^/]+$"), "/taxonomies/{id}"),
    (re.compile(r"^/api/oruk/taxonomy_terms$"), "/taxonomy_terms"),
    (re.compile(r"^/api/oruk/taxonomy_terms/[^/]+$"), "/taxonomy_terms/{id}"),
    (re.compile(r"^/api/oruk/service_at_locations$"), "/service_at_locations"),
    (re.compile(r"^/api/oruk/service_at_locations/[^/]+$"), "/service_at_locations/{id}"),
]


def template_of(url: str) -> str:
    path = url.split("?", 1)[0]
    return next(t for pattern, t in PATH_TEMPLATE if pattern.match(path))


def fetch(client, url: str):
    """GET `url`; a 200 in JSON, with the CORS header, valid against the profile's schema."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:300])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    body = response.get_json()
    errors = response_errors(template_of(url), body)
    TALLY.responses += 1
    TALLY.errors += [f"{url}: {e}" for e in errors]
    assert not errors, (url, errors[:10])
    return body
