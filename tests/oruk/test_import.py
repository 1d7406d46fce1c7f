"""The importer reads an Open Referral UK page (`contents`) as it reads an HSDS export
(`services`): this API's own pages round-trip, and another feed's page is read."""

from __future__ import annotations

import json
from pathlib import Path

from directory.db import session_scope
from directory.formats import read_hsds_json
from directory.importing import plan_import
from directory.oruk.validation import response_errors
from tests.oruk.helpers import fetch, make_client

FIXTURES = Path(__file__).parent / "fixtures"


def test_this_apis_full_pages_import_back_unchanged(seeded_url):
    client = make_client(seeded_url)
    contents, number = [], 1
    while True:
        body = fetch(client, f"/api/oruk/services?full=true&per_page=100&page={number}")
        contents += body["contents"]
        if body["last_page"]:
            break
        number += 1
    page = body | {"contents": contents}
    records = read_hsds_json(json.dumps(page), "oruk-page.json")
    assert not records.errors, records.errors[:5]
    assert len(records.services) == body["total_items"]
    with session_scope(seeded_url) as session:
        plan = plan_import(session, records)
        assert plan.ok, plan.errors[:5]
        assert not plan.added and not plan.changed and not plan.retired
        assert len(plan.unchanged) == body["total_items"]


def test_another_feeds_page_is_read():
    text = (FIXTURES / "oruk_example_page.json").read_text()
    assert response_errors("/services", json.loads(text)) == []
    records = read_hsds_json(text, "example.json")
    assert not records.errors, records.errors
    ((_, service),) = records.services
    assert service["name"] == "Community Counselling"
    assert service["minimum_age"] == 12
    assert service["locations"][0]["address_1"] == "1-30 Main Street"
    assert records.organizations[0][1]["name"] == "Example Organization Inc."


def test_a_page_without_contents_is_an_error_not_a_crash():
    records = read_hsds_json(json.dumps({"total_items": 0, "empty": True}), "empty.json")
    assert records.errors and "list of services" in records.errors[0].message
