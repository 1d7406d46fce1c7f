"""Every endpoint of the profile's OpenAPI definition, with every parameter it documents,
answers a 200 that validates against the definition's response schema (no network)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from directory.db import upgrade
from directory.oruk.feed import PAGE_KEYS, page
from directory.oruk.validation import openapi, response_errors
from directory.taxonomy import term_id
from tests.oruk.helpers import fetch, make_client

STRAND = term_id("strand", "domestic-abuse")
# Each documented parameter with values that select something and values that select
# nothing; the test below checks this covers every parameter of every path.
VALUES = {
    "search": ["refuge", "domestic abuse helpline", "zzzz-no-such-words"],
    "page": ["1", "2", "999"],
    "per_page": ["1", "5", "500"],
    "taxonomy_term_id": [STRAND, term_id("language", "pl")],
    "taxonomy_id": ["strand", "language", "scope"],
    "minimum_age": ["0", "16", "18"],
    "maximum_age": ["25", "120"],
    "start_time": ["09:00", "09:30:00"],
    "end_time": ["17:00", "23:59"],
    "day": ["MO", "sunday", "we"],
    "postcode": ["W6", "SW10", "W6 0ZZ", "SW1A 1AA", "E1 6AN", "M1 1AE"],
    "proximity": ["1000"],
    # Defined by the profile, taken on every list (see directory.web.oruk).
    "modified_after": ["2000-01-01", "2000-01-01T00:00:00Z", "2999-01-01T00:00:00+01:00"],
    "full": ["true", "false"],
    "top_only": ["true"],
}
LISTS = ("/services", "/service_at_locations", "/taxonomies", "/taxonomy_terms")


def _documented() -> dict[str, list[str]]:
    spec = openapi()
    out = {}
    for path, item in spec["paths"].items():
        names = []
        for parameter in item["get"].get("parameters", []):
            ref = parameter.get("$ref")
            if ref:
                parameter = spec["components"]["parameters"][ref.rsplit("/", 1)[1]]
            if parameter["in"] == "query":
                names.append(parameter["name"])
        out[path] = names
    return out


def _cases():
    for path, names in _documented().items():
        for name in names:
            for value in VALUES[name]:
                query = {name: value}
                if name == "proximity":
                    query["postcode"] = "W6"
                yield path, query


CASES = list(_cases())


def test_every_documented_parameter_has_values_to_try():
    documented = _documented()
    assert set(documented) == {
        "/",
        "/services",
        "/services/{id}",
        "/taxonomies",
        "/taxonomies/{id}",
        "/taxonomy_terms",
        "/taxonomy_terms/{id}",
        "/service_at_locations",
        "/service_at_locations/{id}",
    }
    tried = {(path, name) for path, query in CASES for name in query}
    assert tried >= {(p, n) for p, names in documented.items() for n in names}


@pytest.mark.parametrize(("path", "query"), CASES, ids=[f"{p}?{urlencode(q)}" for p, q in CASES])
def test_each_documented_parameter_gives_a_valid_page(client, path, query):
    body = fetch(client, f"/api/oruk{path}?{urlencode(query)}")
    assert list(body) == list(PAGE_KEYS)


def test_every_parameter_at_once_and_the_extras_validate(client):
    together = {
        "search": "advice",
        "page": "1",
        "per_page": "10",
        "taxonomy_term_id": term_id("strand", "stalking"),
        "taxonomy_id": "need",
        "minimum_age": "18",
        "maximum_age": "25",
        "start_time": "09:00",
        "end_time": "17:00",
        "day": "MO",
        "postcode": "W6 0ZZ",
        "proximity": "500",
        "modified_after": "2000-01-01T00:00:00Z",
    }
    for path in ("/services", "/service_at_locations"):
        body = fetch(client, f"/api/oruk{path}?{urlencode(together)}")
        assert body["total_items"] == 1, body  # the drop-in: every filter holds for it
        full = fetch(client, f"/api/oruk{path}?{urlencode(together | {'full': 'true'})}")
        assert full["total_items"] == 1
    for query in ({"top_only": "true"}, {"taxonomy_id": "need"}, {"parent_id": STRAND}):
        fetch(client, f"/api/oruk/taxonomy_terms?{urlencode(query)}")


def test_root_names_the_version_profile_and_definition(client):
    body = fetch(client, "/api/oruk/")
    assert body["version"] == "3.0"
    assert body["openapi_url"] == "http://localhost/api/oruk/openapi.json"
    served = client.get("/api/oruk/openapi.json")
    assert served.headers["Access-Control-Allow-Origin"] == "*"
    definition = served.get_json()
    assert definition["paths"] == openapi()["paths"]
    assert definition["servers"] == [{"url": "http://localhost/api/oruk"}]


def test_every_item_validates(client):
    """Every service, service at a location, taxonomy and term, each by its id."""
    counted = {}
    for path, item in (
        ("/services", "/services/{}"),
        ("/service_at_locations", "/service_at_locations/{}"),
        ("/taxonomies", "/taxonomies/{}"),
        ("/taxonomy_terms", "/taxonomy_terms/{}"),
    ):
        listed = fetch(client, f"/api/oruk{path}?per_page=500")
        assert listed["last_page"] and listed["size"] == listed["total_items"] > 0
        for entry in listed["contents"]:
            body = fetch(client, f"/api/oruk{item.format(entry['id'])}")
            if path == "/service_at_locations":
                # The profile declares the full service for it: the service, at that location.
                assert body["id"] == entry["service_id"]
                assert [s["id"] for s in body["service_at_locations"]] == [entry["id"]]
            else:
                assert body["id"] == entry["id"]
        counted[path] = listed["total_items"]
    assert counted["/taxonomies"] == 6
    assert counted["/services"] > 150
    assert counted["/service_at_locations"] >= 7


def test_a_service_is_fully_nested(client):
    services = fetch(client, "/api/oruk/services?search=drop-in")["contents"]
    body = fetch(client, f"/api/oruk/services/{services[0]['id']}")
    assert body["organization"]["name"] == "Test Organisation"
    assert body["schedules"][0]["byday"] == "MO,WE"
    assert body["service_areas"][0]["extent"] == "hammersmith-and-fulham"
    assert body["languages"][0]["code"] == "pl"
    # HSDS's own field, not the extension: a feed's reader finds it where the profile says.
    interpreting = "Interpreters for other languages by phone, booked ahead"
    assert body["interpretation_services"] == interpreting
    assert "interpretation_services" not in body["x_vawg"]
    assert services[0]["interpretation_services"] == interpreting
    assert body["contacts"] == []
    assert body["last_modified"].endswith("Z")
    terms = {a["taxonomy_term"]["taxonomy"]: a["taxonomy_term"] for a in body["attributes"]}
    assert terms["strand"]["id"] == term_id("strand", "stalking")
    taxonomy = fetch(client, f"/api/oruk/taxonomies/{terms['strand']['taxonomy_id']}")
    assert taxonomy["name"] == "VAWG strand"
    assert STRAND in {t["id"] for t in taxonomy["taxonomy_terms"]}
    (sal,) = body["service_at_locations"]
    assert sal["location"]["addresses"][0]["address_1"] == "10 Open Street"
    # A listed service has only its own fields and its organization.
    assert services[0]["organization"]["name"] == "Test Organisation"
    assert not [k for k, v in services[0].items() if isinstance(v, list)]


def test_a_service_can_be_asked_for_by_its_slug(client):
    by_slug = fetch(client, "/api/oruk/services/test-drop-in")
    assert fetch(client, f"/api/oruk/services/{by_slug['id']}") == by_slug


def test_pages_cover_every_service_once(client):
    first = fetch(client, "/api/oruk/services?per_page=40")
    seen = []
    for number in range(1, first["total_pages"] + 1):
        body = fetch(client, f"/api/oruk/services?per_page=40&page={number}")
        assert body["page_number"] == number
        assert body["first_page"] == (number == 1)
        assert body["last_page"] == (number == first["total_pages"])
        assert body["size"] == len(body["contents"]) and not body["empty"]
        seen += [s["id"] for s in body["contents"]]
    assert len(seen) == len(set(seen)) == first["total_items"]
    past = fetch(client, f"/api/oruk/services?per_page=40&page={first['total_pages'] + 1}")
    assert past["empty"] and past["size"] == 0 and past["last_page"]
    nothing = fetch(client, "/api/oruk/services?search=zzzz-nothing")
    assert nothing["total_items"] == nothing["total_pages"] == 0 and nothing["empty"]


def test_ndjson_streams_every_result_without_pages(client):
    total = fetch(client, "/api/oruk/services")["total_items"]
    response = client.get("/api/oruk/services?format=ndjson&per_page=2")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    items = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(items) == total
    # Each line is a listed service: checked as the contents of one page holding them all.
    assert response_errors("/services", page(items, 1, len(items))) == []


def test_an_empty_directory_answers_empty_pages(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    client = make_client(url)
    for path in ("/services", "/service_at_locations"):
        body = fetch(client, f"/api/oruk{path}")
        assert body["empty"] and body["total_items"] == body["total_pages"] == 0
        assert body["first_page"] and body["last_page"]
    assert fetch(client, "/api/oruk/taxonomies")["total_items"] == 6
    moved = client.get("/api/oruk")  # the stub without its slash is sent on to it
    assert moved.status_code == 308 and moved.headers["Location"].endswith("/api/oruk/")
