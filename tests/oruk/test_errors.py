"""Bad parameters are a 400 and unknown ids a 404, each a JSON message naming what was wrong,
never a 500; the API is throttled per address with a 429 in JSON. Every answer, errors too,
carries Access-Control-Allow-Origin: *."""

from __future__ import annotations

import pytest

from tests.oruk.helpers import make_client

BAD = [
    ("/services", "page=0", "page"),
    ("/services", "page=-1", "page"),
    ("/services", "page=two", "page"),
    ("/services", "per_page=abc", "per_page"),
    ("/services", "per_page=0", "per_page"),
    ("/services", "per_page=100000", "per_page"),
    ("/services", "day=funday", "day"),
    ("/services", "start_time=25:00", "start_time"),
    ("/services", "end_time=noon", "end_time"),
    ("/services", "minimum_age=abc", "minimum_age"),
    ("/services", "maximum_age=-3", "maximum_age"),
    ("/services", "maximum_age=nan", "maximum_age"),
    ("/services", "taxonomy_id=no-such-taxonomy", "taxonomy_id"),
    ("/services", "taxonomy_term_id=00000000-0000-0000-0000-000000000000", "taxonomy_term_id"),
    ("/services", "modified_after=yesterday", "modified_after"),
    ("/services", "modified_after=2026-13-01", "modified_after"),
    ("/services", "postcode=not%20a%20postcode", "postcode"),
    ("/services", "proximity=1000", "proximity"),
    ("/services", "postcode=W6&proximity=far", "proximity"),
    ("/services", "format=xml", "format"),
    ("/services", "full=maybe", "full"),
    ("/service_at_locations", "page=0", "page"),
    ("/service_at_locations", "day=funday", "day"),
    ("/service_at_locations", "postcode=%3F%3F", "postcode"),
    ("/taxonomies", "per_page=abc", "per_page"),
    ("/taxonomy_terms", "page=0", "page"),
    ("/taxonomy_terms", "taxonomy_id=nope", "taxonomy_id"),
    ("/taxonomy_terms", "parent_id=nope", "parent_id"),
    ("/taxonomy_terms", "top_only=perhaps", "top_only"),
]


@pytest.mark.parametrize(("path", "query", "name"), BAD, ids=[f"{p}?{q}" for p, q, _ in BAD])
def test_a_bad_parameter_is_a_400_naming_it(client, path, query, name):
    response = client.get(f"/api/oruk{path}?{query}")
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.mimetype == "application/json"
    assert name in response.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/services/00000000-0000-0000-0000-000000000000",
        "/services/no-such-service",
        "/service_at_locations/00000000-0000-0000-0000-000000000000",
        "/taxonomies/nope",
        "/taxonomy_terms/nope",
        "/organizations",
        "/services/x/y",
    ],
)
def test_an_unknown_id_or_path_is_a_404_in_json(client, path):
    response = client.get(f"/api/oruk{path}")
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json()["error"]


def test_only_get(client):
    response = client.post("/api/oruk/services")
    assert response.status_code == 405
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json()["error"]


def test_the_rest_of_the_app_keeps_its_own_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.mimetype == "text/html"


def test_throttled_per_address_with_a_429_in_json(url):
    client = make_client(url, ORUK_REQUESTS_PER_MINUTE=3)
    for _ in range(3):
        assert client.get("/api/oruk/").status_code == 200
    refused = client.get("/api/oruk/services")
    assert refused.status_code == 429
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    assert int(refused.headers["Retry-After"]) > 0
    assert "at most 3 a minute" in refused.get_json()["error"]
    other = client.get("/api/oruk/", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
    # The editor and the chat pages are not counted.
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_bad_limit_stops_the_app_at_start_up(url, value):
    with pytest.raises(ValueError, match="VAWG_ORUK_REQUESTS_PER_MINUTE"):
        make_client(url, ORUK_REQUESTS_PER_MINUTE=value)
