"""The generic proposal machinery (diff, merge, review, audit) and the bot-exact preview."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from directory import db
from directory.diffs import diff
from directory.editor import adapters
from directory.editor import changes as workflow
from directory.editor.diffs import merge
from directory.editor.entities import Conflict, PermissionDenied, StaleError
from directory.editor.models import Maintainer
from directory.editor.services import bot_preview
from directory.index import card_from_dict, current_index
from directory.matching import Match
from directory.seed import load_seed
from directory.serialize import service_to_dict
from directory.taxonomy import sync_taxonomies

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# --- diff and merge ---------------------------------------------------------------------------


def test_diff_is_field_level_with_numbered_rows():
    before = {"name": "A", "phones": [{"number": "1", "description": None}], "needs": ["x"]}
    after = {"name": "A", "phones": [{"number": "2", "description": None}], "needs": ["x", "y"]}
    assert diff(before, after) == [
        {"field": "needs", "before": ["x"], "after": ["x", "y"]},
        {"field": "phones 1.number", "before": "1", "after": "2"},
    ]


def test_diff_treats_empty_and_missing_alike_and_ignores_bookkeeping():
    assert diff({"url": None, "notes": ""}, {"url": "", "notes": None}) == []
    assert diff({"version": 1}, {"version": 2}, ignored=frozenset({"version"})) == []
    assert diff(None, {"name": "New"}) == [{"field": "name", "before": None, "after": "New"}]


def test_merge_keeps_other_peoples_changes_to_untouched_fields():
    base = {"phones": ["1"], "last_verified": "2024-01-01", "hours": "9-5"}
    proposed = {"phones": ["2"], "last_verified": "2024-01-01", "hours": "9-5"}
    current = {"phones": ["1"], "last_verified": "2025-06-01", "hours": "9-5"}
    assert merge(base, proposed, current) == {
        "phones": ["2"],
        "last_verified": "2025-06-01",
        "hours": "9-5",
    }


def test_merge_refuses_when_both_sides_changed_a_field():
    with pytest.raises(Conflict) as raised:
        merge({"phones": ["1"]}, {"phones": ["2"]}, {"phones": ["3"]})
    assert raised.value.fields == ["phones"]
    # The same change made on both sides is no conflict.
    assert merge({"phones": ["1"]}, {"phones": ["2"]}, {"phones": ["2"]}) == {"phones": ["2"]}


# --- another entity type plugs in (as referral pathways will) -----------------------------------


class NoteAdapter:
    """A minimal entity kept in a dict: enough to show the machinery is not service-specific."""

    entity_type = "test-note"
    noun = "note"
    ignored_fields = frozenset()

    def __init__(self):
        self.rows: dict[str, tuple[int, dict]] = {"n1": (1, {"text": "hello"})}

    def current(self, session, entity_id):
        row = self.rows.get(entity_id)
        return dict(row[1]) if row else None

    def version(self, session, entity_id):
        row = self.rows.get(entity_id)
        return row[0] if row else None

    def validate(self, session, payload):
        return {} if payload.get("text") else {"text": ["is required"]}

    def apply(self, session, entity_id, payload, expected_version):
        if self.version(session, entity_id) != expected_version:
            raise StaleError("moved on")
        self.rows[entity_id] = ((expected_version or 0) + 1, dict(payload))

    def title(self, payload):
        return payload["text"]


@pytest.fixture
def notes(monkeypatch):
    adapter = NoteAdapter()
    monkeypatch.setitem(adapters.ADAPTERS, adapter.entity_type, adapter)
    return adapter


def test_every_entity_type_is_known_without_importing_its_module():
    # A fresh process that imports only the workflow can still publish a pathway (adapters
    # used to register themselves on import, so publish raised KeyError there).
    script = (
        "import sys\n"
        "from directory.editor import changes\n"
        "assert 'directory.web' not in sys.modules\n"
        "print(sorted(changes.adapter_for(t).entity_type for t in ('pathway', 'service')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['pathway', 'service']"


def test_any_registered_entity_gets_review_and_audit(notes, database_url, maintainers):
    with db.session_scope(database_url) as session:
        editor, reviewer = (
            session.execute(select(Maintainer).where(Maintainer.email == e)).scalar_one()
            for e in ("editor@example.org", "reviewer@example.org")
        )
        change = workflow.save_proposal(
            session, notes, "n1", {"text": "hello world"}, editor,
            base_version=1, expected_revision=None,
        )  # fmt: skip
        workflow.submit(session, change, editor)
        with pytest.raises(PermissionDenied):
            workflow.publish(session, change, editor)
        changed = workflow.publish(session, change, reviewer)
        assert changed == [{"field": "text", "before": "hello", "after": "hello world"}]
        assert notes.rows["n1"] == (2, {"text": "hello world"})
        actions = [e.action for e in workflow.history(session, "test-note", "n1")]
        assert actions == ["published", "submitted", "proposed"]


def test_only_one_open_proposal_per_entity(notes, database_url, maintainers):
    with db.session_scope(database_url) as session:
        editor = session.execute(
            select(Maintainer).where(Maintainer.email == "editor@example.org")
        ).scalar_one()
        workflow.save_proposal(
            session, notes, "n1", {"text": "a"}, editor, base_version=1, expected_revision=None
        )
        with pytest.raises(StaleError):
            workflow.save_proposal(
                session, notes, "n1", {"text": "b"}, editor, base_version=1, expected_revision=None
            )


# --- the preview is what the bot shows ------------------------------------------------------------


@pytest.fixture
def seeded_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'seeded.sqlite3'}"
    db.upgrade(url)
    with db.session_scope(url) as session:
        sync_taxonomies(session)
        load_seed(session)
    yield url
    db.get_engine(url).dispose()


def test_the_preview_card_is_the_bots_card_for_every_seeded_service(seeded_url):
    from directory.cards import service_text
    from directory.models import Service

    index = current_index(seeded_url)
    with db.session_scope(seeded_url) as session:
        services = (
            session.execute(select(Service).where(Service.status == "active")).scalars().all()
        )
        assert len(services) > 5
        for service in services:
            bots_card = index.by_id[service.id].card
            mine = card_from_dict(
                service_to_dict(service), service.organization.name, service.organization.website
            )
            assert mine == bots_card, service.id
            assert bot_preview(session, service_to_dict(service)) == service_text(
                Match(bots_card, reason="any")
            )
