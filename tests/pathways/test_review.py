"""Issue 14: pathway review dates and structured sources in the store, the seed and the schema."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, text

from directory.db import alembic_config, get_engine, session_scope, upgrade
from directory.pathways.models import Pathway
from directory.pathways.seed import load_pathways, seed_payloads
from directory.pathways.store import (
    PathwayError,
    months_before,
    pathway_from_dict,
    pathway_to_dict,
    pathways_due_for_review,
    review_due,
    write_pathway,
)

TODAY = date(2026, 12, 1)


def _seed(pathway_id: str) -> dict:
    (payload,) = [p for p in seed_payloads() if p["id"] == pathway_id]
    return payload


def _legacy(payload: dict) -> dict:
    """A pathway as written before issue 14: free-text source, no list, never reviewed."""
    old = {k: v for k, v in payload.items() if k not in ("sources", "reviewed", "unsourced")}
    return dict(old, source="services.md, an old free-text source.")


@pytest.mark.parametrize(
    ("reviewed", "due"),
    [
        (None, True),
        ("2025-11-30", True),
        ("2025-12-01", True),  # exactly 12 months: due
        ("2025-12-02", False),
        ("2026-12-01", False),
        (date(2026, 6, 1), False),
    ],
)
def test_review_is_due_after_12_months_or_when_never_reviewed(reviewed, due):
    assert review_due(reviewed, TODAY) is due


def test_twelve_months_back_from_a_leap_day_is_the_last_day_of_february():
    assert months_before(date(2028, 2, 29), 12) == date(2027, 2, 28)
    assert months_before(date(2027, 1, 31), 1) == date(2026, 12, 31)


def test_the_oldest_review_is_listed_first_and_never_reviewed_before_it(directory_url):
    with session_scope(directory_url) as session:
        for pathway_id, reviewed in (("stalking", "2024-01-01"), ("housing", None)):
            data = pathway_to_dict(session.get(Pathway, pathway_id))
            data["reviewed"] = reviewed
            write_pathway(session, data)
    with session_scope(directory_url) as session:
        assert [p.id for p in pathways_due_for_review(session, TODAY)] == ["housing", "stalking"]


def test_a_sources_list_replaces_the_free_text_source():
    clean = pathway_from_dict(_seed("forced-marriage"))
    assert clean["reviewed"] == "2026-12-01"
    assert clean["sources"][0]["read"] == "2026-12-01"  # JSON-safe for the editor's drafts
    assert clean["source"].splitlines()[0].startswith("1 Crown Office Row")
    assert "<https://www.1cor.com/" in clean["source"]


def test_a_pathway_from_before_sources_were_listed_is_still_valid():
    clean = pathway_from_dict(_legacy(_seed("stalking")))
    assert clean["sources"] == [] and clean["reviewed"] is None
    assert clean["source"] == "services.md, an old free-text source."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(sources=[], source=None), "sources"),
        (lambda d: d["sources"][0].update(url="www.gov.uk/no-scheme"), "sources[0].url"),
        (lambda d: d["sources"][0].update(read=None), "sources[0].read"),
        (lambda d: d["sources"][0].update(read="2999-01-01"), "sources[0].read"),
        (lambda d: d["sources"][0].update(title=""), "sources[0].title"),
        (lambda d: d["sources"][0].update(supports=" "), "sources[0].supports"),
        (lambda d: d.update(reviewed="1 December 2026"), "reviewed"),
        (lambda d: d.update(reviewed="2999-01-01"), "reviewed"),
    ],
)
def test_a_bad_source_or_review_date_is_refused_field_by_field(change, field):
    data = _seed("stalking")
    data = dict(data, sources=[dict(s) for s in data["sources"]])
    change(data)
    with pytest.raises(PathwayError) as error:
        pathway_from_dict(data)
    assert field in error.value.errors


def test_seeding_refreshes_an_untouched_never_reviewed_pathway_only(directory_url):
    """A database seeded before issue 14 gets the reviewed wording, unless a maintainer edited."""
    with session_scope(directory_url) as session:
        for pathway_id in ("forced-marriage", "housing"):
            session.delete(session.get(Pathway, pathway_id))
    with session_scope(directory_url) as session:
        write_pathway(session, _legacy(_seed("forced-marriage")))  # as the old seed left it
        write_pathway(session, _legacy(_seed("housing")))
        edited = pathway_to_dict(session.get(Pathway, "housing"))
        edited["title"] = "Housing (a maintainer's edit)"
        write_pathway(session, edited)  # version 2: a published edit
    with session_scope(directory_url) as session:
        assert load_pathways(session) == 1
    with session_scope(directory_url) as session:
        forced = pathway_to_dict(session.get(Pathway, "forced-marriage"))
        housing = pathway_to_dict(session.get(Pathway, "housing"))
    assert forced["reviewed"] == "2026-12-01" and "27 February 2023" in forced["legal_duty"]
    assert housing["title"] == "Housing (a maintainer's edit)" and housing["reviewed"] is None
    with session_scope(directory_url) as session:
        assert load_pathways(session) == 0


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_migration_0004_keeps_existing_pathways_unreviewed_and_downgrades(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0003_pathways")
    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO pathway (id, title, situation, applies_to, source, status, version,"
                " updated_at) VALUES ('old', 'Old', 's', 'a', 'services.md', 'active', 1,"
                " '2024-01-01 00:00:00')"
            )
        )
    upgrade(url, "0004_pathway_reviewed")
    inspector = inspect(engine)
    assert "pathway_source" in inspector.get_table_names()
    with session_scope(url) as session:
        old = session.get(Pathway, "old")
        assert old.reviewed is None and old.sources == [] and old.source == "services.md"
        assert review_due(old.reviewed, TODAY)
    _downgrade(url, "0003_pathways")
    inspector = inspect(engine)
    assert "pathway_source" not in inspector.get_table_names()
    assert "reviewed" not in {c["name"] for c in inspector.get_columns("pathway")}
    engine.dispose()
