import csv
import io
import json
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text

from directory.db import session_scope
from directory.exporting import export_text, load_all
from directory.formats import InvalidExport
from directory.hsds_schema import SCHEMA_DIR, schema_errors
from directory.importing import ImportFailed, apply_plan, plan_import, read_file, read_text
from directory.models import Service


def _export(url, format):
    with session_scope(url) as session:
        return export_text(session, format)


def _import(url, path, format, dry_run=False, retire_missing=False):
    with session_scope(url) as session:
        plan = plan_import(session, read_file(path, format), retire_missing=retire_missing)
        if plan.ok and not dry_run:
            apply_plan(session, plan)
        return plan


def _data_version(url):
    with session_scope(url) as session:
        return session.execute(text("SELECT data_version FROM directory_state")).scalar()


def test_hsds_export_validates_against_the_schema(db_url):
    document = json.loads(_export(db_url, "hsds-json"))
    assert len(document["services"]) >= 50
    for service in document["services"]:
        assert not schema_errors("service", service), service["name"]
    for organization in document["organizations"]:
        assert not schema_errors("organization", organization), organization["name"]
    refuge = next(s for s in document["services"] if s["x_vawg"]["id"] == "refuge-westminster")
    assert '"addresses"' not in json.dumps(refuge) and '"address_1": null' not in json.dumps(refuge)
    assert all(not loc.get("address_1") for loc in refuge["x_vawg"]["locations"])
    assert refuge["service_areas"][0]["extent"] == "westminster"


@pytest.mark.parametrize("format", ["hsds-json", "csv"])
def test_round_trip_is_lossless(db_url, empty_sqlite_url, tmp_path, format):
    exported = _export(db_url, format)
    path = tmp_path / f"directory.{format}"
    path.write_text(exported)
    plan = _import(empty_sqlite_url, path, format)
    assert plan.ok, plan.errors
    assert len(plan.added) >= 50 and not plan.changed
    assert _export(empty_sqlite_url, format) == exported
    with session_scope(db_url) as a, session_scope(empty_sqlite_url) as b:
        assert load_all(a) == load_all(b)
    # Importing the same file again changes nothing.
    again = _import(empty_sqlite_url, path, format)
    assert not again.added and not again.changed and len(again.unchanged) == len(plan.added)


def test_the_schemas_ship_with_their_licence_and_version():
    folder = SCHEMA_DIR.parent
    assert "Creative Commons Attribution Share-Alike 4.0" in (folder / "LICENSE").read_text()
    assert "279fd2eb3552c349bf698c07c00cc25f5fc8249b" in (folder / "README.md").read_text()
    assert {"service.json", "organization.json", "phone.json"} <= {
        p.name for p in SCHEMA_DIR.glob("*.json")
    }


def test_the_schema_catches_what_breaks_it():
    errors = schema_errors("service", {"id": "not-a-uuid", "name": 5, "phones": [{"number": 1}]})
    fields = {e.field for e in errors}
    assert {"id", "name", "phones[0].number"} <= fields
    assert any(e.message == "5 is not of type 'string'" for e in errors)


def test_a_bad_hsds_import_is_refused_with_the_schemas_message(sqlite_url, tmp_path):
    document = json.loads(_export(sqlite_url, "hsds-json"))
    index = next(i for i, s in enumerate(document["services"]) if s["phones"])
    document["services"][index]["phones"][0]["number"] = 2075550100  # a number, not text
    document["services"][0]["notes"] = "should not be written"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    before = _data_version(sqlite_url)
    result = subprocess.run(
        [sys.executable, "-m", "directory", "import", str(path), "--format", "hsds-json"],
        capture_output=True,
        text=True,
        env={"DIRECTORY_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert (
        f"{path}: service {index + 1}: field 'phones[0].number': "
        "2075550100 is not of type 'string'" in result.stderr
    ), result.stderr
    assert "nothing was imported" in result.stderr
    assert _data_version(sqlite_url) == before


def test_an_export_that_breaks_the_schema_is_refused(sqlite_url, monkeypatch):
    from directory.formats import hsds_json

    real = hsds_json.hsds_service

    def broken(service, organization):
        out = real(service, organization)
        return {**out, "status": "maybe"} if service["id"] == "samaritans" else out

    monkeypatch.setattr(hsds_json, "hsds_service", broken)
    with pytest.raises(InvalidExport, match=r"service samaritans: field 'status': 'maybe' is not"):
        _export(sqlite_url, "hsds-json")


def test_plan_reports_changes_and_retirements(sqlite_url, tmp_path):
    exported = _export(sqlite_url, "csv")
    rows = list(csv.DictReader(io.StringIO(exported)))
    header = list(rows[0])
    kept = [r for r in rows if r["id"] != "samaritans"]
    for row in kept:
        if row["id"] == "angelou-partnership":
            row["notes"] = "Updated by the import"
        if row["id"] == "refuge-westminster":
            row["status"] = "defunct"
    path = tmp_path / "edited.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, header)
        writer.writeheader()
        writer.writerows(kept)
    before = _data_version(sqlite_url)
    plan = _import(sqlite_url, path, "csv", dry_run=True, retire_missing=True)
    assert plan.ok
    assert set(plan.changed) == {"angelou-partnership", "refuge-westminster"}
    assert plan.changed["angelou-partnership"]["notes"][1] == "Updated by the import"
    assert plan.retired == ["refuge-westminster", "samaritans"]
    assert _data_version(sqlite_url) == before  # a dry run writes nothing
    _import(sqlite_url, path, "csv", retire_missing=True)
    with session_scope(sqlite_url) as session:
        assert session.get(Service, "samaritans").status == "defunct"
        angelou = session.get(Service, "angelou-partnership")
        assert angelou.notes == "Updated by the import" and angelou.version == 2


def test_a_stale_plan_is_refused(sqlite_url, tmp_path):
    path = tmp_path / "all.json"
    path.write_text(
        _export(sqlite_url, "hsds-json").replace("one point of access", "ONE POINT OF ACCESS")
    )
    with session_scope(sqlite_url) as session:
        plan = plan_import(session, read_file(path, "hsds-json"))
    assert "angelou-partnership" in plan.changed
    from directory.store import apply_service_change

    with session_scope(sqlite_url) as session:
        apply_service_change(session, "angelou-partnership", {"notes": "edited meanwhile"})
    with (
        pytest.raises(ImportFailed, match="changed since the preview"),
        session_scope(sqlite_url) as session,
    ):
        apply_plan(session, plan)


def _csv_with(sqlite_url, tmp_path, change):
    rows = list(csv.DictReader(io.StringIO(_export(sqlite_url, "csv"))))
    change(rows)
    path = tmp_path / "bad.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _set(row_index, field, value):
    def change(rows):
        rows[row_index][field] = value

    return change


@pytest.mark.parametrize(
    ("change", "row", "field", "message"),
    [
        (_set(2, "boroughs", "westminster;narnia"), 4, "boroughs", "unknown borough 'narnia'"),
        (_set(0, "strands", "domestic-abuse;witchcraft"), 2, "strands", "unknown strand term"),
        (
            _set(5, "phones", "0808 000 | made up | voice"),
            7,
            "phones[0].number",
            "not a valid UK phone",
        ),
        (_set(3, "minimum_age", "sixteen"), 5, "minimum_age", "not a whole number"),
        (_set(1, "status", "maybe"), 3, "status", "'maybe' is not one of"),
        (_set(4, "url", "http://example.org/"), 6, "url", "not a secure web address"),
        (lambda rows: rows.append(dict(rows[0])), None, "id", "duplicate id"),
    ],
)
def test_bad_csv_names_file_row_and_field_and_writes_nothing(
    sqlite_url, tmp_path, change, row, field, message
):
    path = _csv_with(
        sqlite_url,
        tmp_path,
        lambda rows: (rows[0].update(notes="should not be written"), change(rows)),
    )
    before = _data_version(sqlite_url)
    result = subprocess.run(
        [sys.executable, "-m", "directory", "import", str(path), "--format", "csv"],
        capture_output=True,
        text=True,
        env={"DIRECTORY_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert str(path) in result.stderr
    if row is not None:
        assert f"row {row}: field '{field}'" in result.stderr, result.stderr
    else:
        assert f"field '{field}'" in result.stderr
    assert message in result.stderr
    assert _data_version(sqlite_url) == before
    with session_scope(sqlite_url) as session:
        assert (
            session.execute(
                select(func.count())
                .select_from(Service)
                .where(Service.notes == "should not be written")
            ).scalar()
            == 0
        )


def test_malformed_files(tmp_path):
    bad_json = read_text('{"services": [ {"id": 1,, }', "hsds-json", "broken.json")
    assert bad_json.errors and "broken.json" in str(bad_json.errors[0])
    assert "malformed JSON" in str(bad_json.errors[0])
    bad_csv = read_text('id,organization_id,name,scope\n"unterminated,x,y,z\n', "csv", "broken.csv")
    assert bad_csv.errors and "broken.csv" in str(bad_csv.errors[0])
    short = read_text("id,organization_id,name,scope\nx,y\n", "csv", "short.csv")
    assert "short.csv: row 2" in str(short.errors[0])
    header = read_text("id,name\nx,y\n", "csv", "header.csv")
    assert "bad header" in str(header.errors[0])


def test_json_errors_name_the_record(sqlite_url, tmp_path):
    document = json.loads(_export(sqlite_url, "hsds-json"))
    index = next(i for i, s in enumerate(document["services"]) if s["phones"])
    document["services"][index]["phones"][0]["number"] = "12345"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with session_scope(sqlite_url) as session:
        plan = plan_import(session, read_file(path, "hsds-json"))
    assert not plan.ok
    assert f"{path}: service {index + 1}: field 'phones[0].number'" in str(plan.errors[0])
    assert "'12345' is not a valid UK phone number" in str(plan.errors[0])


def test_refuge_address_is_refused(sqlite_url, tmp_path):
    path = _csv_with(
        sqlite_url,
        tmp_path,
        lambda rows: next(r for r in rows if r["id"] == "refuge-westminster").update(
            locations="Refuge house | westminster | no | | 1 Secret Street | London | W2 1AA"
        ),
    )
    with session_scope(sqlite_url) as session:
        plan = plan_import(session, read_file(path, "csv"))
    assert not plan.ok
    assert "must not have an address" in str(plan.errors[0])


def test_cli_export_and_validate(sqlite_url, tmp_path):
    env = {"DIRECTORY_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}
    out = tmp_path / "export.json"
    run = [sys.executable, "-m", "directory"]
    subprocess.run([*run, "export", "--format", "hsds-json", "-o", str(out)], env=env, check=True)
    assert json.loads(out.read_text())["hsds_version"] == "3.0"
    checked = subprocess.run([*run, "validate"], env=env, capture_output=True, text=True)
    assert checked.returncode == 0 and "valid" in checked.stdout
    dry = subprocess.run(
        [*run, "import", str(out), "--format", "hsds-json", "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "0 added, 0 changed, 0 retired" in dry.stdout


def test_each_csv_line_has_a_part_for_every_field_the_serialiser_keeps():
    from directory.formats import LINE_COLUMNS
    from directory.serialize import LIST_FIELDS

    assert LINE_COLUMNS.keys() == LIST_FIELDS.keys()
    for column, parts in LINE_COLUMNS.items():
        # A location's type has no part: every location a CSV names is a physical one.
        wanted = set(LIST_FIELDS[column]) - ({"location_type"} if column == "locations" else set())
        assert sorted(parts) == sorted(wanted), column
