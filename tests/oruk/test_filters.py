"""What each filter keeps, as the profile's parameters describe it (directory.oruk.feed)."""

from __future__ import annotations

from urllib.parse import urlencode

from directory.db import session_scope
from directory.store import apply_service_change
from directory.taxonomy import term_id
from tests.oruk.helpers import fetch


def _slugs(client, path="/services", **query) -> set[str]:
    body = fetch(client, f"/api/oruk{path}?{urlencode(query | {'per_page': 500, 'full': 1})}")
    assert body["last_page"]
    return {s["x_vawg"]["id"] for s in body["contents"]}


def _everything(client) -> dict[str, dict]:
    body = fetch(client, "/api/oruk/services?per_page=500&full=true")
    return {s["x_vawg"]["id"]: s for s in body["contents"]}


def test_search_needs_every_word(client):
    assert _slugs(client, search="DROP-IN advice") == {"test-drop-in"}
    assert "test-drop-in" not in _slugs(client, search="drop-in refuge")
    refuges = _slugs(client, search="refuge")
    assert {"test-refuge-westminster", "test-refuge-with-address"} <= refuges


def test_taxonomy_filters_by_term_and_by_taxonomy(client):
    stalking = _slugs(client, taxonomy_term_id=term_id("strand", "stalking"))
    assert "test-drop-in" in stalking and "test-refuge-westminster" not in stalking
    assert _slugs(client, taxonomy_term_id=term_id("language", "pl")) >= {"test-drop-in"}
    every = _everything(client)
    speaking = _slugs(client, taxonomy_id="language")
    assert speaking == {k for k, s in every.items() if s["languages"]}
    # By the taxonomy's UUID as well as its name.
    uuid = fetch(client, "/api/oruk/taxonomies/strand")["id"]
    assert _slugs(client, taxonomy_id=uuid) == _slugs(client, taxonomy_id="strand")


def test_ages_as_the_profile_words_them(client):
    every = _everything(client)
    at_least_18 = _slugs(client, minimum_age=18)
    assert at_least_18 == {k for k, s in every.items() if (s.get("minimum_age") or 0) >= 18}
    assert "test-drop-in" in at_least_18 and "test-refuge-westminster" not in at_least_18
    up_to_30 = _slugs(client, maximum_age=30)
    assert up_to_30 == {k for k, s in every.items() if s.get("maximum_age", 999) <= 30}
    assert "test-drop-in" in up_to_30
    assert "test-drop-in" not in _slugs(client, maximum_age=20)


def test_day_and_times_need_one_schedule_holding_them_all(client):
    assert "test-drop-in" in _slugs(client, day="WE", start_time="09:00", end_time="16:00")
    assert "test-drop-in" not in _slugs(client, day="TU")
    assert "test-drop-in" not in _slugs(client, start_time="10:00")
    assert "test-drop-in" not in _slugs(client, end_time="15:00")
    # Open day and night without schedules: every day counts.
    every = _everything(client)
    day_and_night = {k for k, s in every.items() if s["x_vawg"]["open_24_7"] and not s["schedules"]}
    assert day_and_night and day_and_night <= _slugs(client, day="SU")


def test_modified_after(client, url):
    every = set(_everything(client))
    assert _slugs(client, modified_after="2000-01-01") == every
    assert _slugs(client, modified_after="2999-01-01T00:00:00Z") == set()
    drop_in = fetch(client, "/api/oruk/services/test-drop-in")
    with session_scope(url) as session:
        apply_service_change(session, "test-drop-in", {"description": "Changed."})
    # The feed follows the directory's data version: the change is there at once.
    changed = fetch(client, "/api/oruk/services/test-drop-in")
    assert changed["description"] == "Changed."
    assert changed["last_modified"] > drop_in["last_modified"]
    assert _slugs(client, modified_after=changed["last_modified"]) == {"test-drop-in"}


def test_postcode_keeps_the_services_covering_its_district(client):
    every = _everything(client)
    w6 = _slugs(client, postcode="W6 0ZZ")  # Hammersmith & Fulham
    assert "test-drop-in" in w6
    assert "test-refuge-westminster" not in w6
    scopes = {k: s["x_vawg"]["scope"] for k, s in every.items()}
    assert {k for k, s in scopes.items() if s in ("pan-london", "national")} <= w6
    assert "test-refuge-westminster" in _slugs(client, postcode="SW1A")  # a district too
    # Outside London: national services, not pan-London or local ones.
    manchester = _slugs(client, postcode="M1 1AE")
    assert manchester and {scopes[k] for k in manchester} <= {"national", "emergency"}
    # Elsewhere in London: pan-London and national.
    assert {scopes[k] for k in _slugs(client, postcode="E1 6AN")} >= {"pan-london", "national"}


def test_proximity_keeps_only_services_in_the_districts_boroughs(client):
    near = _slugs(client, postcode="W6", proximity="1000")
    assert "test-drop-in" in near
    every = _everything(client)
    for slug in near:
        service = every[slug]
        where = {a["extent"] for a in service["service_areas"]}
        where |= {loc["borough"] for loc in service["x_vawg"]["locations"]}
        assert "hammersmith-and-fulham" in where, slug
    assert near < _slugs(client, postcode="W6")


def test_service_at_locations_filter_alike(client):
    rows = fetch(client, "/api/oruk/service_at_locations?postcode=W6&proximity=10&per_page=500")
    assert "Test Drop-in Advice" in {r["service"]["name"] for r in rows["contents"]}
    assert all(r["service"]["id"] == r["service_id"] for r in rows["contents"])
    none = fetch(client, "/api/oruk/service_at_locations?search=zzzz")
    assert none["empty"]


def test_taxonomy_terms_by_taxonomy_parent_and_top(client):
    needs = fetch(client, "/api/oruk/taxonomy_terms?taxonomy_id=need&per_page=500")
    assert needs["total_items"] == len(fetch(client, "/api/oruk/taxonomies/need")["taxonomy_terms"])
    assert {t["taxonomy"] for t in needs["contents"]} == {"need"}
    # Our vocabularies are flat: every term is at the top, none has children.
    every = fetch(client, "/api/oruk/taxonomy_terms?per_page=500")["total_items"]
    assert (
        fetch(client, "/api/oruk/taxonomy_terms?top_only=true&per_page=500")["total_items"] == every
    )
    parent = term_id("need", "refuge")
    assert fetch(client, f"/api/oruk/taxonomy_terms?parent_id={parent}")["empty"]
