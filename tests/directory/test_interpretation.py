"""`interpretation_services` (HSDS 3.0 `service.interpretation_services`): what a service's own
pages say about interpreters, carried from the seed YAML to the database, the HSDS and CSV
exports and back, checked for length, and added and removed by its migration."""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from sqlalchemy import inspect, text

from directory.db import alembic_config, get_engine, session_scope, upgrade
from directory.exporting import export_text, load_all
from directory.hsds_schema import schema_errors
from directory.importing import apply_plan, plan_import, read_file
from directory.models import Service
from directory.seed import load_seed
from directory.serialize import normalise_service_dict, service_to_dict, validate_service
from directory.serialize.checks import INTERPRETATION_MAX

INTERPRETING = "Interpreters for over 200 languages through Language Line, on request"
SEED = {
    "organizations": [
        {
            "id": "test-helpline-org",
            "name": "Test Helpline Charity",
            "services": [
                {
                    "id": "test-interpreted-helpline",
                    "name": "Test Interpreted Helpline",
                    "description": "A helpline that books interpreters.",
                    "scope": "national",
                    "strands": ["domestic-abuse"],
                    "needs": ["helpline"],
                    "languages": ["fr", "pl"],
                    "phones": [{"number": "020 7946 0999"}],
                    "interpretation_services": f"  {INTERPRETING}  ",
                    "source_url": "https://example.org/helpline",
                    "source_checked": "2026-12-06",
                    "source_evidence": ["Call 020 7946 0999"],
                },
                {
                    "id": "test-plain-helpline",
                    "name": "Test Plain Helpline",
                    "description": "A helpline that says nothing about interpreters.",
                    "scope": "national",
                    "needs": ["helpline"],
                    "source_url": "https://example.org/plain",
                    "source_checked": "2026-12-06",
                },
            ],
        }
    ]
}


@pytest.fixture
def seeded(empty_sqlite_url, tmp_path) -> str:
    path = tmp_path / "test.yml"
    path.write_text(yaml.safe_dump(SEED, allow_unicode=True))
    with session_scope(empty_sqlite_url) as session:
        assert load_seed(session, (path,)) == 2
    return empty_sqlite_url


def _service(url, sid) -> dict:
    with session_scope(url) as session:
        return service_to_dict(session.get(Service, sid))


def test_the_seed_writes_it_to_the_database_stripped(seeded):
    assert _service(seeded, "test-interpreted-helpline")["interpretation_services"] == INTERPRETING
    assert _service(seeded, "test-plain-helpline")["interpretation_services"] is None
    with get_engine(seeded).connect() as connection:
        stored = connection.execute(
            text(
                "SELECT interpretation_services FROM service WHERE id = 'test-interpreted-helpline'"
            )
        ).scalar()
    assert stored == INTERPRETING


def test_the_hsds_export_puts_it_in_hsds_own_field(seeded):
    with session_scope(seeded) as session:
        document = json.loads(export_text(session, "hsds-json"))
    by_slug = {s["x_vawg"]["id"]: s for s in document["services"]}
    interpreted = by_slug["test-interpreted-helpline"]
    assert interpreted["interpretation_services"] == INTERPRETING
    assert "interpretation_services" not in interpreted["x_vawg"]
    assert schema_errors("service", interpreted) == []
    # None is left out, as HSDS's other optional strings are.
    assert "interpretation_services" not in by_slug["test-plain-helpline"]
    # The languages it works in directly stay languages: interpreting does not add any.
    assert [lang["code"] for lang in interpreted["languages"]] == ["fr", "pl"]


def test_the_csv_export_has_a_column_for_it(seeded):
    with session_scope(seeded) as session:
        rows = list(csv.DictReader(io.StringIO(export_text(session, "csv"))))
    by_id = {r["id"]: r for r in rows}
    assert by_id["test-interpreted-helpline"]["interpretation_services"] == INTERPRETING
    assert by_id["test-plain-helpline"]["interpretation_services"] == ""


@pytest.mark.parametrize("format", ["hsds-json", "csv"])
def test_export_then_import_gives_it_back(seeded, tmp_path, format):
    with session_scope(seeded) as session:
        exported = export_text(session, format)
    path = tmp_path / f"directory.{format}"
    path.write_text(exported)
    target = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    upgrade(target)
    with session_scope(target) as session:
        plan = plan_import(session, read_file(path, format))
        assert plan.ok, plan.errors
        apply_plan(session, plan)
    back = _service(target, "test-interpreted-helpline")
    assert back["interpretation_services"] == INTERPRETING
    assert _service(target, "test-plain-helpline")["interpretation_services"] is None
    with session_scope(seeded) as a, session_scope(target) as b:
        assert load_all(a) == load_all(b)


def test_an_import_changing_only_it_is_a_change(seeded, tmp_path):
    with session_scope(seeded) as session:
        document = json.loads(export_text(session, "hsds-json"))
    for service in document["services"]:
        if service["x_vawg"]["id"] == "test-plain-helpline":
            service["interpretation_services"] = "Interpreters on request"
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(document))
    with session_scope(seeded) as session:
        plan = plan_import(session, read_file(path, "hsds-json"))
        assert plan.ok, plan.errors
        assert plan.changed == {
            "test-plain-helpline": {"interpretation_services": (None, "Interpreters on request")}
        }
        apply_plan(session, plan)
    assert _service(seeded, "test-plain-helpline")["interpretation_services"] == (
        "Interpreters on request"
    )


def _errors(value) -> list[str]:
    data = normalise_service_dict(
        {
            "id": "x-service",
            "organization_id": "x",
            "name": "X",
            "scope": "national",
            "interpretation_services": value,
        }
    )
    return [str(e) for e in validate_service(data) if e.field == "interpretation_services"]


def test_it_is_short_free_text():
    assert _errors(None) == [] and _errors("") == []
    assert _errors("x" * INTERPRETATION_MAX) == []
    assert _errors(f"  {'x' * INTERPRETATION_MAX}  ") == []  # the spaces round it do not count
    (error,) = _errors("x" * (INTERPRETATION_MAX + 1))
    assert f"at most {INTERPRETATION_MAX}" in error
    assert _errors(["Language Line"]) == ["field 'interpretation_services': must be text"]


def test_an_import_with_an_overlong_value_is_refused(seeded, tmp_path):
    with session_scope(seeded) as session:
        document = json.loads(export_text(session, "hsds-json"))
    document["services"][0]["interpretation_services"] = "word " * 100
    path = tmp_path / "long.json"
    path.write_text(json.dumps(document))
    with session_scope(seeded) as session:
        plan = plan_import(session, read_file(path, "hsds-json"))
    assert not plan.ok
    assert any(e.field == "interpretation_services" for e in plan.errors), plan.errors


def test_the_migration_adds_and_drops_the_column_and_keeps_the_triggers(empty_sqlite_url):
    from alembic import command

    def columns() -> set[str]:
        return {c["name"] for c in inspect(get_engine(empty_sqlite_url)).get_columns("service")}

    def triggers() -> set[str]:
        with get_engine(empty_sqlite_url).connect() as connection:
            return set(
                connection.execute(
                    text(
                        "SELECT name FROM sqlite_master"
                        " WHERE type = 'trigger' AND tbl_name = 'service'"
                    )
                ).scalars()
            )

    assert "interpretation_services" in columns()
    before = triggers()
    assert before  # the data_version triggers watch the service table
    config = alembic_config(empty_sqlite_url)
    with get_engine(empty_sqlite_url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007_insight")
    assert "interpretation_services" not in columns()
    assert triggers() == before
    upgrade(empty_sqlite_url)
    assert "interpretation_services" in columns()
    assert triggers() == before
