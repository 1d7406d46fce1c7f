"""Editing entries through the web editor: validation, drafts, review, publishing, audit."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from directory import db
from directory.editor.models import AuditEvent, ChangeRequest
from directory.models import Service
from tests.editor.helpers import csrf_from, edit_form, page_form

HELPLINE = "national-domestic-abuse-helpline"
NEW_NUMBER = "020 7946 0123"  # Ofcom's range for drama: valid, and nobody's real number


def published(database_url, service_id=HELPLINE) -> Service:
    with db.session_scope(database_url) as session:
        service = session.get(Service, service_id)
        session.expunge(service)
        return service


def published_phones(database_url, service_id=HELPLINE) -> list[str]:
    with db.session_scope(database_url) as session:
        return [p.number for p in session.get(Service, service_id).phones]


def propose_phone(client, number: str, send: str = "review"):
    form = edit_form(client, HELPLINE)
    form["phones-0-number"] = number
    form["send"] = send
    return client.post(f"/editor/services/{HELPLINE}/edit", data=form)


def change_id_from(response) -> int:
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])


def post_action(client, path: str, **fields):
    """Posts as the page's button would: with its CSRF token and, on a proposal's page, the
    revision the page showed (publish and reject are refused without it)."""
    page = client.get(path.rsplit("/", 1)[0])
    if page.status_code != 200:
        page = client.get("/editor/changes")
    data = {"csrf_token": csrf_from(page.text), **fields}
    revision = re.search(r'name="revision" type="hidden" value="(\d+)"', page.text)
    if revision:
        data.setdefault("revision", revision.group(1))
    return client.post(path, data=data)


# --- list and search ------------------------------------------------------------------------


def test_list_shows_entries_and_filters_them(as_editor):
    everything = as_editor.get("/editor/").text
    assert "National Domestic Abuse Helpline" in everything
    assert "WGN Freephone Advice Line" in everything

    by_name = as_editor.get("/editor/?q=freephone").text
    assert "WGN Freephone" in by_name and "National Domestic" not in by_name

    by_need = as_editor.get("/editor/?need=refuge").text
    assert "National Domestic" in by_need and "WGN Freephone" not in by_need

    by_strand = as_editor.get("/editor/?strand=sexual-violence").text
    assert "WGN Freephone" in by_strand and "National Domestic" not in by_strand

    # The WGN line's contact is unverified; the helpline was verified recently.
    checking = as_editor.get("/editor/?needs_checking=y").text
    assert "WGN Freephone" in checking and "National Domestic" not in checking

    assert "0 entries" in as_editor.get("/editor/?status=defunct").text
    assert "0 entries" in as_editor.get("/editor/?borough=westminster").text


def test_search_rejects_unknown_filter_values_without_error(as_editor):
    page = as_editor.get("/editor/?need=not-a-need&status=nope")
    assert page.status_code == 200


# --- validation -------------------------------------------------------------------------------

BAD_INPUT = [
    ("name", "", "Enter the service's name"),
    ("description", "", "Enter a description"),
    ("organization_id", "", "Choose the organisation"),
    ("phones-0-number", "0808 2000 24", "Enter a UK phone number"),
    ("phones-0-number", "call us", "Enter a UK phone number"),
    ("phones-0-type", "pigeon", "Not a valid choice"),
    ("url", "http://www.nationaldahelpline.org.uk", "https://"),
    ("url", "not a url", "https://"),
    ("email", "nobody-at-example", "Enter an email address"),
    ("minimum_age", "-1", "Enter an age from 0 to 120"),
    ("maximum_age", "200", "Enter an age from 0 to 120"),
    ("minimum_age", "ten", "Not a valid integer value"),
    ("strands", "not-a-strand", "Not a valid choice"),
    ("needs", "pizza", "Not a valid choice"),
    ("audiences", "aliens", "Not a valid choice"),
    ("languages", "xx", "Not a valid choice"),
    ("boroughs", "atlantis", "Not a valid choice"),
    ("scope", "galactic", "Not a valid choice"),
    ("referral_route", "by-post", "Not a valid choice"),
    ("gender", "unknown", "Not a valid choice"),
    ("status", "exploded", "Not a valid choice"),
    ("schedules-0-opens_at", "9am", "Enter a time like 09:30"),
    ("schedules-0-byday", "XX", "Not a valid choice"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    as_editor, database_url, field, value, message
):
    form = edit_form(as_editor, HELPLINE)
    form.setlist(field, [value])
    form["send"] = "review"
    response = as_editor.post(f"/editor/services/{HELPLINE}/edit", data=form)
    assert response.status_code == 400
    html = unescape(response.text)
    assert "There is a problem" in html  # the error summary
    assert f'id="{field}-error"' in html, f"no error beside {field}"
    assert message.lower() in html.lower()
    assert "Error: " in html  # the page title says so too
    with db.session_scope(database_url) as session:
        assert session.execute(select(ChangeRequest)).first() is None


def test_ages_must_be_in_order(as_editor):
    form = edit_form(as_editor, HELPLINE)
    form["minimum_age"], form["maximum_age"] = "25", "16"
    response = as_editor.post(f"/editor/services/{HELPLINE}/edit", data=form)
    assert response.status_code == 400
    assert 'id="maximum_age-error"' in response.text


def test_a_local_service_needs_a_borough(as_editor):
    form = edit_form(as_editor, HELPLINE)
    form["scope"] = "local"
    response = as_editor.post(f"/editor/services/{HELPLINE}/edit", data=form)
    assert response.status_code == 400
    assert 'id="boroughs-error"' in response.text


def test_a_refuge_cannot_be_given_a_street_address(as_editor, database_url):
    form = edit_form(as_editor, HELPLINE)  # this entry meets the "refuge" need
    form["locations-0-name"] = "Somewhere"
    form["locations-0-address_1"] = "1 Any Street"
    form["locations-0-postal_code"] = "W2 1AA"
    response = as_editor.post(f"/editor/services/{HELPLINE}/edit", data=form)
    assert response.status_code == 400
    assert 'id="locations-0-address_1-error"' in response.text
    assert "A refuge's address is confidential" in unescape(response.text)
    with db.session_scope(database_url) as session:
        assert session.execute(select(ChangeRequest)).first() is None


def test_a_confidential_location_cannot_have_an_address(as_editor):
    form = edit_form(as_editor, "wgn-advice-line")
    form["locations-0-name"] = "Safe house"
    form["locations-0-confidential"] = "y"
    form["locations-0-address_1"] = "1 Any Street"
    response = as_editor.post("/editor/services/wgn-advice-line/edit", data=form)
    assert response.status_code == 400
    assert 'id="locations-0-address_1-error"' in response.text


def test_a_new_service_needs_a_valid_id(as_editor):
    page = as_editor.get("/editor/services/new")
    form = page_form(page.text)
    for key, value in {"id": "Not An Id", "organization_id": "wgn", "name": "X"}.items():
        form[key] = value
    form["description"] = "Y"
    response = as_editor.post("/editor/services/new", data=form)
    assert response.status_code == 400
    assert 'id="id-error"' in response.text
    assert "Use lower-case letters" in response.text


# --- drafts, review, publishing -----------------------------------------------------------------


def test_a_saved_edit_is_a_draft_until_a_reviewer_publishes_it(
    as_editor, as_reviewer, database_url
):
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    assert published_phones(database_url) == ["0808 2000 247"]  # nothing published yet

    page = as_editor.get(f"/editor/changes/{change_id}")
    assert "in review" in page.text
    assert NEW_NUMBER in page.text  # in the diff and in the bot preview
    assert "0808 2000 247" in page.text
    assert f"Call {NEW_NUMBER}" in page.text  # the bot preview

    response = post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert response.status_code == 302
    assert published_phones(database_url) == [NEW_NUMBER]
    assert "published" in as_reviewer.get(f"/editor/changes/{change_id}").text


def test_the_audit_trail_records_who_changed_which_field(as_editor, as_reviewer, database_url):
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish", note="Checked on their site")
    with db.session_scope(database_url) as session:
        events = session.execute(
            select(AuditEvent).where(AuditEvent.entity_id == HELPLINE).order_by(AuditEvent.id)
        ).scalars()
        trail = [(e.action, e.actor.email, e.changes, e.note) for e in events]
    assert [t[:2] for t in trail] == [
        ("proposed", "editor@example.org"),
        ("submitted", "editor@example.org"),
        ("published", "reviewer@example.org"),
    ]
    published_diff = trail[2][2]
    assert published_diff == [
        {"field": "phones 1.number", "before": "0808 2000 247", "after": NEW_NUMBER}
    ]
    assert trail[2][3] == "Checked on their site"
    history = as_editor.get(f"/editor/services/{HELPLINE}").text
    assert "Published by reviewer@example.org" in history
    assert "phones 1.number" in history and NEW_NUMBER in history


def test_an_editor_cannot_publish(as_editor, database_url):
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    response = post_action(as_editor, f"/editor/changes/{change_id}/publish")
    assert response.status_code == 403
    assert published_phones(database_url) == ["0808 2000 247"]
    assert (
        post_action(as_editor, f"/editor/changes/{change_id}/reject", note="x").status_code == 403
    )


def test_a_reviewer_cannot_publish_their_own_change(as_reviewer, as_reviewer2, database_url):
    change_id = change_id_from(propose_phone(as_reviewer, NEW_NUMBER))
    page = as_reviewer.get(f"/editor/changes/{change_id}")
    assert "You cannot publish your own change" in page.text
    response = post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert response.status_code == 403
    assert published_phones(database_url) == ["0808 2000 247"]
    # Another reviewer can.
    assert post_action(as_reviewer2, f"/editor/changes/{change_id}/publish").status_code == 302
    assert published_phones(database_url) == [NEW_NUMBER]


def test_a_single_maintainer_may_publish_their_own_change(database_url, maintainers):
    from directory.web import create_app
    from tests.editor.helpers import login

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-only-key",
            "DIRECTORY_DATABASE_URL": database_url,
            "EDITOR_SINGLE_MAINTAINER": True,
        }
    )
    client = app.test_client()
    login(client, "reviewer@example.org")
    change_id = change_id_from(propose_phone(client, NEW_NUMBER))
    assert post_action(client, f"/editor/changes/{change_id}/publish").status_code == 302
    assert published_phones(database_url) == [NEW_NUMBER]


def test_a_draft_is_sent_for_review_separately(as_editor, as_reviewer, database_url):
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER, send="draft"))
    # A draft cannot be published before it is sent for review.
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published_phones(database_url) == ["0808 2000 247"]
    assert post_action(as_editor, f"/editor/changes/{change_id}/submit").status_code == 302
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published_phones(database_url) == [NEW_NUMBER]


def test_reject_needs_a_reason_and_closes_the_proposal(as_editor, as_reviewer, database_url):
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    post_action(as_reviewer, f"/editor/changes/{change_id}/reject", note="")
    assert "in review" in as_editor.get(f"/editor/changes/{change_id}").text
    post_action(as_reviewer, f"/editor/changes/{change_id}/reject", note="Not on their website")
    page = as_editor.get(f"/editor/changes/{change_id}").text
    assert "rejected" in page and "Not on their website" in page
    assert published_phones(database_url) == ["0808 2000 247"]
    # The entry is free for a new proposal.
    assert propose_phone(as_editor, NEW_NUMBER).status_code == 302


def test_an_author_can_withdraw_but_another_editor_cannot(app, as_editor, database_url):
    from tests.editor.helpers import login

    with db.session_scope(database_url) as session:
        from directory.editor.accounts import create_maintainer

        create_maintainer(session, "editor2@example.org", "a long enough password", "editor")
    other = app.test_client()
    login(other, "editor2@example.org")
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    assert post_action(other, f"/editor/changes/{change_id}/withdraw").status_code == 403
    assert post_action(as_editor, f"/editor/changes/{change_id}/withdraw").status_code == 302
    assert "withdrawn" in as_editor.get(f"/editor/changes/{change_id}").text


def test_a_new_service_goes_through_review(as_editor, as_reviewer, database_url):
    form = page_form(as_editor.get("/editor/services/new").text)
    fields = {
        "id": "wgn-sexual-violence-helpline",
        "organization_id": "wgn",
        "name": "WGN Sexual Violence Helpline",
        "description": "Support after sexual violence.",
        "scope": "pan-london",
        "phones-0-number": "0808 801 0770",
        "send": "review",
    }
    for key, value in fields.items():
        form[key] = value
    form.setlist("strands", ["sexual-violence"])
    form.setlist("needs", ["helpline"])
    change_id = change_id_from(as_editor.post("/editor/services/new", data=form))
    with db.session_scope(database_url) as session:
        assert session.get(Service, "wgn-sexual-violence-helpline") is None
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published_phones(database_url, "wgn-sexual-violence-helpline") == ["0808 801 0770"]


# --- concurrent edits ---------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_told_it_is_stale(
    as_editor, as_reviewer, database_url
):
    first = edit_form(as_editor, HELPLINE)
    second = edit_form(as_reviewer, HELPLINE)  # opened at the same time
    first["phones-0-number"] = NEW_NUMBER
    second["hours"] = "Never"
    assert as_editor.post(f"/editor/services/{HELPLINE}/edit", data=first).status_code == 302
    response = as_reviewer.post(f"/editor/services/{HELPLINE}/edit", data=second)
    assert response.status_code == 409
    assert "Someone else saved a change" in response.text
    with db.session_scope(database_url) as session:
        change = session.execute(select(ChangeRequest)).scalar_one()
        assert change.payload["phones"][0]["number"] == NEW_NUMBER  # the first is kept
        assert change.payload["hours"] == "24 hours a day, 7 days a week"  # not overwritten


def test_a_save_made_from_a_page_older_than_a_publish_is_stale(
    as_editor, as_reviewer, as_reviewer2, database_url
):
    old_page = edit_form(as_reviewer2, HELPLINE)
    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    old_page["hours"] = "Weekdays"
    response = as_reviewer2.post(f"/editor/services/{HELPLINE}/edit", data=old_page)
    assert response.status_code == 409
    assert "published by someone else" in response.text
    assert published_phones(database_url) == [NEW_NUMBER]


def test_publishing_refuses_a_conflicting_proposal(as_editor, as_reviewer, database_url):
    """A proposal whose field was changed underneath it (here by a direct write) is not
    published over the newer value."""
    from directory.serialize import service_from_dict, service_to_dict

    change_id = change_id_from(propose_phone(as_editor, NEW_NUMBER))
    with db.session_scope(database_url) as session:
        service = session.get(Service, HELPLINE)
        data = service_to_dict(service)
        data["phones"] = [{"number": "0808 801 0660", "type": "voice", "description": None}]
        service_from_dict(session, data, service)
    page = as_reviewer.get(f"/editor/changes/{change_id}").text
    assert "cannot be published" in page and "phones" in page
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published_phones(database_url) == ["0808 801 0660"]


# --- verify, retire, restore --------------------------------------------------------------------


def test_mark_verified_today(as_editor, database_url):
    from datetime import date

    page = as_editor.get("/editor/services/wgn-advice-line").text
    form = page_form(page, "/verify")
    form["verification_source"] = "Phoned the service"
    response = as_editor.post("/editor/services/wgn-advice-line/verify", data=form)
    assert response.status_code == 302
    service = published(database_url, "wgn-advice-line")
    assert service.last_verified == date.today()
    assert service.verification_source == "Phoned the service"
    assert (
        "Verified by editor@example.org" in as_editor.get("/editor/services/wgn-advice-line").text
    )


def test_retire_and_restore_need_review_and_never_delete(as_editor, as_reviewer, database_url):
    form = page_form(as_editor.get(f"/editor/services/{HELPLINE}").text, "/retire")
    form["note"] = "Testing retirement"
    change_id = change_id_from(as_editor.post(f"/editor/services/{HELPLINE}/retire", data=form))
    assert published(database_url).status == "active"
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published(database_url).status == "defunct"  # still there, with its history
    assert "Retired" in as_editor.get("/editor/?q=helpline").text

    form = page_form(as_editor.get(f"/editor/services/{HELPLINE}").text, "/restore")
    form["note"] = "Open again"
    change_id = change_id_from(as_editor.post(f"/editor/services/{HELPLINE}/restore", data=form))
    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published(database_url).status == "active"


# --- interpreting (HSDS interpretation_services) ----------------------------------------------

INTERPRETING = "Interpreters for over 200 languages through Language Line"


def test_interpreting_is_an_edited_field_with_its_hint(as_editor):
    page = unescape(as_editor.get(f"/editor/services/{HELPLINE}/edit").text)
    assert re.search(r'<textarea[^>]*name="interpretation_services"', page)
    hint = re.search(r'id="interpretation_services-hint">([^<]+)<', page).group(1)
    assert hint.startswith("What the service's own pages say about interpreters, e.g. ")
    assert "Language Line" in hint
    assert edit_form(as_editor, HELPLINE).get("interpretation_services") is not None


def test_interpreting_goes_through_review_into_the_audit_trail(
    as_editor, as_reviewer, database_url
):
    before = published(database_url).interpretation_services
    form = edit_form(as_editor, HELPLINE)
    form["interpretation_services"] = f"  {INTERPRETING}\n"
    form["send"] = "review"
    change_id = change_id_from(as_editor.post(f"/editor/services/{HELPLINE}/edit", data=form))
    assert published(database_url).interpretation_services == before  # not yet published
    review = unescape(as_editor.get(f"/editor/changes/{change_id}").text)
    assert "interpretation_services" in review and INTERPRETING in review

    post_action(as_reviewer, f"/editor/changes/{change_id}/publish")
    assert published(database_url).interpretation_services == INTERPRETING
    with db.session_scope(database_url) as session:
        event = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.entity_id == HELPLINE, AuditEvent.action == "published")
                .order_by(AuditEvent.id.desc())
            )
            .scalars()
            .first()
        )
        assert event.changes == [
            {"field": "interpretation_services", "before": before, "after": INTERPRETING}
        ]
    entry = unescape(as_editor.get(f"/editor/services/{HELPLINE}").text)
    assert "Interpreting" in entry and INTERPRETING in entry


def test_interpreting_longer_than_300_characters_is_refused(as_editor, database_url):
    form = edit_form(as_editor, HELPLINE)
    form["interpretation_services"] = "Interpreters available. " * 13  # 312 characters
    form["send"] = "review"
    response = as_editor.post(f"/editor/services/{HELPLINE}/edit", data=form)
    assert response.status_code == 400
    assert 'id="interpretation_services-error"' in response.text
    with db.session_scope(database_url) as session:
        assert session.execute(select(ChangeRequest)).first() is None
