"""Pathway data: seed coverage, the write API, validation, and resolution against services."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select

from directory.db import get_engine, session_scope
from directory.models import Phone, Service
from directory.pathways.answers import pathway_answers
from directory.pathways.models import Pathway
from directory.pathways.seed import load_pathways, seed_payloads
from directory.pathways.store import PathwayError, pathway_from_dict, pathway_to_dict, write_pathway

BOROUGHS = ("hammersmith-and-fulham", "kensington-and-chelsea", "westminster")
REQUIRED = {
    "domestic-abuse-high-risk",
    "domestic-abuse-standard-medium-risk",
    "children-at-risk",
    "fgm-known-under-18",
    "fgm-risk-or-adult",
    "modern-slavery",
    "forced-marriage",
    "honour-based-abuse",
    "stalking",
    "sexual-violence",
    "perpetrators",
    "housing",
    "clares-law",
}


def _pathway(url: str, pathway_id: str) -> dict:
    with session_scope(url) as session:
        return pathway_to_dict(session.get(Pathway, pathway_id))


def test_every_required_pathway_is_seeded_with_its_parts(directory_url):
    with session_scope(directory_url) as session:
        pathways = {p.id: pathway_to_dict(p) for p in session.execute(select(Pathway)).scalars()}
    assert set(pathways) == REQUIRED
    for data in pathways.values():
        assert data["situation"] and data["applies_to"] and data["source"]
        assert len(data["steps"]) >= 3 and data["contacts"]


def test_the_rules_from_the_reference_are_in_the_data(directory_url):
    high = _pathway(directory_url, "domestic-abuse-high-risk")
    assert any("14 or more" in t for t in high["thresholds"])
    assert any("professional judgement" in t.lower() for t in high["thresholds"])
    assert any(t.startswith("Repeat referral") for t in high["thresholds"])
    assert any("not only police call-outs" in t for t in high["thresholds"])
    assert any("IDVA" in s for s in high["steps"])
    fgm = _pathway(directory_url, "fgm-known-under-18")
    assert "101" in fgm["legal_duty"] and "one month" in fgm["legal_duty"]
    slavery = _pathway(directory_url, "modern-slavery")
    assert "Duty to Notify" in slavery["legal_duty"]
    assert any("consent" in t for t in slavery["thresholds"])
    forced = _pathway(directory_url, "forced-marriage")
    assert any("Never use family mediation" in s for s in forced["steps"])
    assert any("One chance rule" in t for t in forced["thresholds"])
    perpetrators = _pathway(directory_url, "perpetrators")
    assert any("Never refer to couples counselling" in s for s in perpetrators["steps"])


def test_contacts_without_a_known_number_say_so_and_route_instead(directory_url):
    for pathway_id, label in (
        ("domestic-abuse-high-risk", "MARAC"),
        ("children-at-risk", "MASH"),
    ):
        contacts = [
            c for c in _pathway(directory_url, pathway_id)["contacts"] if label in c["label"]
        ]
        assert {c["borough"] for c in contacts} == set(BOROUGHS)
        for contact in contacts:
            assert not contact["phone"]
            assert "safeguarding lead" in contact["route"]
            assert contact["note"]
    for borough in BOROUGHS:
        (answer,) = pathway_answers(["children-at-risk"], borough, directory_url)
        (mash,) = [c for c in answer.contacts if "MASH" in c.label]
        assert mash.phones == () and mash.borough == borough


def test_every_contact_links_to_a_service_in_the_directory_seed(directory_url):
    ids = {c.get("service_id") for p in seed_payloads() for c in p["contacts"]} - {None}
    with session_scope(directory_url) as session:
        known = set(session.execute(select(Service.id).where(Service.id.in_(ids))).scalars())
    assert ids == known


def test_contacts_are_resolved_from_the_service_at_answer_time(directory_url):
    with session_scope(directory_url) as session:
        phone = session.execute(
            select(Phone).where(Phone.service_id == "respect-phoneline")
        ).scalar_one()
        assert phone.number == "0808 802 4040"
        phone.number = "0808 000 0000"  # a maintainer's edit to the service
    (answer,) = pathway_answers(["perpetrators"], None, directory_url)
    (respect,) = [c for c in answer.contacts if c.label == "Respect Phoneline"]
    assert respect.phones[0].startswith("0808 000 0000")


def test_borough_contacts_are_only_those_of_the_borough_asked(directory_url):
    (answer,) = pathway_answers(["domestic-abuse-high-risk"], "westminster", directory_url)
    labels = [c.label for c in answer.contacts]
    assert "Westminster MARAC" in labels
    assert not any("Kensington" in label or "Hammersmith" in label for label in labels)
    (general,) = pathway_answers(["domestic-abuse-high-risk"], None, directory_url)
    assert not any("MARAC" in c.label for c in general.contacts) and general.has_borough_contacts


def test_a_pathway_round_trips_through_its_dict(directory_url):
    before = _pathway(directory_url, "stalking")
    with session_scope(directory_url) as session:
        write_pathway(session, before)
    after = _pathway(directory_url, "stalking")
    assert after == dict(before, version=before["version"] + 1)


def test_an_edited_step_is_in_the_next_answer(directory_url):
    data = _pathway(directory_url, "stalking")
    data["steps"][1] = "Ask the person to keep a stalking diary, with dates and times."
    with session_scope(directory_url) as session:
        write_pathway(session, data)
    (answer,) = pathway_answers(["stalking"], None, directory_url)
    assert answer.steps[1] == "Ask the person to keep a stalking diary, with dates and times."


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(steps=[]), "steps"),
        (lambda d: d.update(id="Not A Slug"), "id"),
        (lambda d: d["contacts"].append({"label": "X", "phone": "call us"}), "contacts[3].phone"),
        (lambda d: d["contacts"].append({"label": "X", "route": "ask"}), "contacts[3].note"),
        (
            lambda d: d["contacts"].append(
                {"label": "X", "borough": "atlantis", "service_id": "paladin"}
            ),
            "contacts[3].borough",
        ),  # noqa: E501
    ],
)
def test_invalid_payloads_are_refused_field_by_field(directory_url, change, field):
    data = _pathway(directory_url, "stalking")
    change(data)
    with pytest.raises(PathwayError) as error:
        pathway_from_dict(data, boroughs=set(BOROUGHS))
    assert field in error.value.errors


def test_an_unknown_service_id_is_refused_and_nothing_is_written(directory_url):
    data = _pathway(directory_url, "stalking")
    data["contacts"][0]["service_id"] = "no-such-service"
    data["steps"][0] = "changed"
    with pytest.raises(PathwayError, match="no-such-service"), session_scope(directory_url) as s:
        write_pathway(s, data)
    assert _pathway(directory_url, "stalking")["steps"][0] != "changed"


def test_seeding_again_keeps_a_maintainers_edit(directory_url):
    data = _pathway(directory_url, "housing")
    data["title"] = "Housing (edited)"
    with session_scope(directory_url) as session:
        write_pathway(session, data)
    with session_scope(directory_url) as session:
        assert load_pathways(session) == 0
    assert _pathway(directory_url, "housing")["title"] == "Housing (edited)"


def test_migrations_0003_and_0004_build_the_tables_the_models_describe(directory_url):
    from directory.pathways import models

    inspector = inspect(get_engine(directory_url))
    for table in (
        models.Pathway,
        models.PathwayStep,
        models.PathwayThreshold,
        models.PathwayForm,
        models.PathwaySource,
    ):
        columns = {c["name"] for c in inspector.get_columns(table.__tablename__)}
        assert columns == {c.name for c in table.__table__.columns}
    columns = {c["name"] for c in inspector.get_columns("pathway_contact")}
    assert columns == {c.name for c in models.PathwayContact.__table__.columns}


def test_pathways_migrate_seed_and_answer_on_postgresql(postgres_url):
    from directory.db import upgrade
    from directory.seed import load_seed

    upgrade(postgres_url)
    with session_scope(postgres_url) as session:
        load_seed(session)
    with session_scope(postgres_url) as session:
        assert load_pathways(session) == len(REQUIRED)
    (answer,) = pathway_answers(["forced-marriage"], "westminster", postgres_url)
    assert answer.steps[0].startswith("If they are in immediate danger")
    assert any(c.label.startswith("Forced Marriage Unit") and c.phones for c in answer.contacts)
