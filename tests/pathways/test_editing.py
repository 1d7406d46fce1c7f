"""Pathways go through the editor's draft -> review -> publish and audit, like services."""

from __future__ import annotations

import pytest

from directory.db import session_scope
from directory.editor.accounts import create_maintainer
from directory.editor.changes import history, publish, save_proposal, submit
from directory.editor.entities import ChangeError, status_payload
from directory.editor.pathways import PATHWAYS
from directory.pathways.answers import pathway_answers

NEW_STEP = "Offer a private room and ask about the children before anything else."


@pytest.fixture
def maintainers(directory_url):
    with session_scope(directory_url) as session:
        editor = create_maintainer(session, "editor@example.org", "a long passphrase 1", "editor")
        reviewer = create_maintainer(
            session, "review@example.org", "a long passphrase 2", "reviewer"
        )
        return editor.id, reviewer.id


def _propose_and_publish(url, maintainers, pathway_id, edit):
    from directory.editor.models import ChangeRequest, Maintainer

    editor_id, reviewer_id = maintainers
    with session_scope(url) as session:
        editor = session.get(Maintainer, editor_id)
        payload = PATHWAYS.current(session, pathway_id)
        edit(payload)
        change = save_proposal(
            session,
            PATHWAYS,
            pathway_id,
            payload,
            editor,
            base_version=PATHWAYS.version(session, pathway_id),
            expected_revision=None,
        )
        submit(session, change, editor)
        change_id = change.id
    # A draft is not published: the bot still gives the old text.
    (answer,) = pathway_answers([pathway_id], None, url)
    assert NEW_STEP not in answer.steps
    with session_scope(url) as session:
        publish(
            session, session.get(ChangeRequest, change_id), session.get(Maintainer, reviewer_id)
        )


def test_a_published_step_edit_reaches_the_answer_and_is_audited(directory_url, maintainers):
    _propose_and_publish(
        directory_url,
        maintainers,
        "domestic-abuse-high-risk",
        lambda p: p["steps"].insert(1, NEW_STEP),
    )
    (answer,) = pathway_answers(["domestic-abuse-high-risk"], None, directory_url)
    assert answer.steps[1] == NEW_STEP
    with session_scope(directory_url) as session:
        events = history(session, "pathway", "domestic-abuse-high-risk")
        actions = [e.action for e in events]
        published = events[0]
        assert actions[:3] == ["published", "submitted", "proposed"]
        assert any(NEW_STEP in str(change["after"]) for change in published.changes)


def test_a_retired_pathway_is_no_longer_given(directory_url, maintainers):
    _propose_and_publish(
        directory_url,
        maintainers,
        "clares-law",
        lambda p: p.update(status_payload(PATHWAYS, p, "retire")),
    )
    assert pathway_answers(["clares-law"], None, directory_url) == []


def test_the_editor_refuses_a_contact_linked_to_no_service(directory_url, maintainers):
    def edit(payload):
        payload["contacts"][0]["service_id"] = "no-such-service"

    with pytest.raises(ChangeError, match="no-such-service"):
        _propose_and_publish(directory_url, maintainers, "stalking", edit)
