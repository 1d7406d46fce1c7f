"""Pathways through the real REST channel (the lead's `stack` fixture): a maintainer's edit to a
pathway step is in the very next answer, with no retraining and no restart."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from directory.db import get_engine, session_scope
from directory.models import Base
from directory.pathways import models
from directory.pathways.models import Pathway
from directory.pathways.seed import load_pathways
from directory.pathways.store import get_pathway_dict, write_pathway
from tests.conftest import PROJECT_ROOT, new_sender

ASK = "I'm a GP and a patient told me her ex is stalking her, what should I do?"
PATHWAY_TABLES = [
    m.__table__
    for m in (
        models.Pathway,
        models.PathwayStep,
        models.PathwayThreshold,
        models.PathwayForm,
        models.PathwayContact,
        models.PathwaySource,
    )
]


def _pathway_count(url: str) -> int:
    with session_scope(url) as session:
        return session.execute(select(func.count()).select_from(Pathway)).scalar_one()


def test_directory_seed_command_loads_the_pathways(tmp_path):
    """`python -m directory init-db` + `seed` (what `make db` and the stack run) must create and
    fill the pathway tables."""
    url = f"sqlite:///{tmp_path / 'directory.sqlite3'}"
    env = dict(os.environ, DIRECTORY_DATABASE_URL=url)
    for command in ("init-db", "seed"):
        subprocess.run(
            [sys.executable, "-m", "directory", command], env=env, check=True, cwd=PROJECT_ROOT
        )
    assert _pathway_count(url) == len(
        list((PROJECT_ROOT / "directory/pathways/seed").glob("*.yml"))
    )


@pytest.fixture
def stack_with_pathways(stack):
    # The stack seeds through `python -m directory seed`; this fixture only fills the gap if that
    # command does not load pathways yet (the test above is the one that checks the command).
    Base.metadata.create_all(get_engine(stack.database_url), tables=PATHWAY_TABLES)
    with session_scope(stack.database_url) as session:
        load_pathways(session)
    return stack


def _edit_stalking_steps(url: str, edit) -> None:
    with session_scope(url) as session:
        data = get_pathway_dict(session, "stalking")
        edit(data["steps"])
        write_pathway(session, data)


@pytest.mark.stack
def test_a_maintainers_step_edit_shows_in_the_next_answer(stack_with_pathways):
    stack = stack_with_pathways
    sender = new_sender()
    before = stack.texts(sender, ASK)
    assert "Steps:" in before and "National Stalking Helpline" in before
    assert before.index("Steps:") < before.index("Contacts")

    new_step = "Give them the stalking incident diary and help them fill in the first entry."
    _edit_stalking_steps(stack.database_url, lambda steps: steps.insert(1, new_step))
    after = stack.texts(sender, ASK)
    assert f"2. {new_step}" in after


@pytest.mark.stack
def test_a_step_published_through_the_editor_shows_in_the_next_answer(stack_with_pathways):
    from directory.editor.accounts import create_maintainer
    from directory.editor.changes import publish, save_proposal, submit
    from directory.editor.pathways import PATHWAYS

    stack = stack_with_pathways
    new_step = "Check whether the stalker is a former partner and, if so, complete the DASH."
    with session_scope(stack.database_url) as session:
        editor = create_maintainer(
            session, f"e-{new_sender()}@example.org", "passphrase one 1", "editor"
        )
        reviewer = create_maintainer(
            session, f"r-{new_sender()}@example.org", "passphrase two 2", "reviewer"
        )
        payload = PATHWAYS.current(session, "stalking")
        payload["steps"].append(new_step)
        change = save_proposal(
            session,
            PATHWAYS,
            "stalking",
            payload,
            editor,
            base_version=PATHWAYS.version(session, "stalking"),
            expected_revision=None,
        )
        submit(session, change, editor)
        publish(session, change, reviewer)
    assert new_step in stack.texts(new_sender(), ASK)


@pytest.mark.stack
def test_mixed_situation_and_follow_ups_over_rest(stack_with_pathways):
    stack = stack_with_pathways
    sender = new_sender()
    first = stack.texts(sender, "I'm a teacher and a pupil disclosed that her dad hits her mum")
    assert "Domestic abuse, high risk" in first and "Children at risk" in first
    assert "Which borough does the person live in?" in first
    follow_up = stack.texts(sender, "which borough's MARAC?")
    assert "Which borough is it?" in follow_up
    local = stack.texts(sender, '/ask_pathway_contacts{"borough": "westminster"}')
    assert "Westminster MARAC: no number listed" in local
    assert "Kensington & Chelsea MARAC" not in local
    threshold = stack.texts(sender, "what counts as high risk?")
    assert "Repeat referral" in threshold


@pytest.mark.stack
def test_a_survivor_is_not_given_professional_referral_routes(stack_with_pathways):
    reply = stack_with_pathways.texts(new_sender(), "my partner hits me, I live in Westminster")
    assert "MARAC" not in reply
    assert "Steps:" not in reply and "[professional referral]" not in reply
