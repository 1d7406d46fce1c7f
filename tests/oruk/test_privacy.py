"""A refuge's whereabouts never leave the API: no street address, postcode or coordinates for
a refuge or a confidential location from any endpoint, in any form (listed, full, ndjson, by
id), even for a refuge that was wrongly given an address."""

from __future__ import annotations

import json

from tests.oruk.helpers import PUBLIC_STREET, REFUGE_POSTCODE, REFUGE_STREET, fetch

REFUGES = ("test-refuge-westminster", "test-refuge-with-address")
LISTS = (
    "/services?per_page=500",
    "/services?per_page=500&full=true",
    "/services?search=refuge&postcode=W8&per_page=500&full=true",
    "/service_at_locations?per_page=500",
    "/service_at_locations?per_page=500&full=true",
    "/service_at_locations?postcode=W8%209ZZ&proximity=100&per_page=500",
)


def _every_response(client) -> list[str]:
    """The text of every endpoint's answer for everything in the directory."""
    texts = []
    for path in LISTS:
        texts.append(json.dumps(fetch(client, f"/api/oruk{path}")))
    services = fetch(client, "/api/oruk/services?per_page=500")["contents"]
    for service in services:
        texts.append(json.dumps(fetch(client, f"/api/oruk/services/{service['id']}")))
    located = fetch(client, "/api/oruk/service_at_locations?per_page=500")["contents"]
    for row in located:
        texts.append(json.dumps(fetch(client, f"/api/oruk/service_at_locations/{row['id']}")))
    ndjson = client.get("/api/oruk/services?format=ndjson&full=true")
    texts.append(ndjson.get_data(as_text=True))
    texts.append(client.get("/api/oruk/service_at_locations?format=ndjson").get_data(as_text=True))
    for path in ("/", "/taxonomies", "/taxonomy_terms?per_page=500"):
        body = fetch(client, f"/api/oruk{path}")
        texts.append(json.dumps(body))
        for item in body.get("contents", []):
            texts.append(json.dumps(fetch(client, f"/api/oruk{path.split('?')[0]}/{item['id']}")))
    return texts


def _locations(body: dict) -> list[dict]:
    return [sal["location"] for sal in body.get("service_at_locations", [])]


def test_no_endpoint_gives_a_refuges_street_or_postcode(client):
    texts = _every_response(client)
    assert len(texts) > 150
    everything = "\n".join(texts)
    assert REFUGE_STREET not in everything
    assert REFUGE_POSTCODE not in everything
    assert "latitude" not in everything and "longitude" not in everything
    # The check can see an address: the drop-in's public one is there.
    assert PUBLIC_STREET in everything


def test_refuge_locations_have_no_address_anywhere(client):
    for slug in REFUGES:
        body = fetch(client, f"/api/oruk/services/{slug}")
        locations = _locations(body)
        assert locations, slug  # the location is listed, only not where it is
        for location in locations:
            assert "addresses" not in location
            assert not {"latitude", "longitude"} & set(location)
        for extension in body["x_vawg"]["locations"]:
            assert extension["address_1"] is None and extension["postal_code"] is None
        for sal in body["service_at_locations"]:
            at = fetch(client, f"/api/oruk/service_at_locations/{sal['id']}")
            assert all("addresses" not in loc for loc in _locations(at))
    rows = fetch(client, "/api/oruk/service_at_locations?per_page=500&full=true")["contents"]
    for row in rows:
        if row["x_vawg"]["id"] in REFUGES:
            assert all("addresses" not in loc for loc in _locations(row))
