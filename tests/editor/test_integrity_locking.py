"""The optimistic lock on an entry is atomic: of two sessions that read the same version and
both write the entry, exactly one wins and the other gets StaleError, on SQLite and on the real
PostgreSQL. The second writer either runs once the first has committed, or is already waiting
on the first's lock (a thread) when it commits."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import select

from directory import db
from directory.editor import changes as workflow
from directory.editor.entities import StaleError
from directory.editor.models import ChangeRequest, Maintainer
from directory.editor.services import SERVICES, mark_verified
from directory.models import Organization, Service
from directory.serialize import normalise_service_dict, service_from_dict
from directory.taxonomy import sync_taxonomies

HELPLINE = "national-domestic-abuse-helpline"
OLD, NEW, OTHER = "0808 2000 247", "020 7946 0123", "020 7946 0999"
VERIFIED = "2026-01-05"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'directory.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    db.upgrade(url)
    with db.session_scope(url) as session:
        sync_taxonomies(session)
        session.add(Organization(id="refuge", name="Refuge"))
        session.flush()
        service_from_dict(
            session,
            normalise_service_dict(
                {
                    "id": HELPLINE,
                    "organization_id": "refuge",
                    "name": "National Domestic Abuse Helpline",
                    "description": "Free, confidential support.",
                    "scope": "national",
                    "last_verified": VERIFIED,
                    "phones": [{"number": OLD}],
                    "strands": ["domestic-abuse"],
                    "needs": ["helpline"],
                }
            ),
        )
        for email, role in (("editor@example.org", "editor"), ("rev@example.org", "reviewer")):
            session.add(Maintainer(email=email, password_hash="-", role=role))
    yield url
    db.get_engine(url).dispose()


def maintainer(session, email: str) -> Maintainer:
    return session.execute(select(Maintainer).where(Maintainer.email == email)).scalar_one()


def with_phone(session, number: str) -> dict:
    current = SERVICES.current(session, HELPLINE)
    return dict(current, phones=[dict(current["phones"][0], number=number)])


def propose(url, number: str) -> int:
    with db.session_scope(url) as session:
        editor = maintainer(session, "editor@example.org")
        change = workflow.save_proposal(
            session, SERVICES, HELPLINE, with_phone(session, number), editor,
            base_version=1, expected_revision=None,
        )  # fmt: skip
        workflow.submit(session, change, editor)
        return change.id


def published(url) -> tuple[list[str], str, int]:
    with db.session_scope(url) as session:
        service = session.get(Service, HELPLINE)
        return (
            [p.number for p in service.phones],
            service.last_verified.isoformat(),
            service.version,
        )


def race(url, first, second, *, second_waits: bool) -> Exception | None:
    """Both sessions read the entry; `first` writes and commits; `second` writes with what it
    read. With `second_waits`, `second` starts (in a thread) before `first` commits, so it is
    waiting on the first's lock when the commit lands. Returns what `second` raised."""
    one, two = db.make_session(url), db.make_session(url)
    try:
        first_ready, second_ready = first(one), second(two)  # each reads its copy
        outcome: list[Exception | None] = []

        def run_second():
            try:
                second_ready()
                two.commit()
                outcome.append(None)
            except Exception as error:  # handed back to the test
                two.rollback()
                outcome.append(error)

        first_ready()  # written, holding the lock, not committed
        if second_waits:
            thread = threading.Thread(target=run_second)
            thread.start()
            time.sleep(0.5)  # the second is now blocked on the first's lock
            assert thread.is_alive(), "the second writer did not wait for the first"
            one.commit()
            thread.join(timeout=30)
            assert not thread.is_alive()
        else:
            one.commit()
            run_second()
        return outcome[0]
    finally:
        one.close()
        two.close()


def publisher(change_id: int):
    def prepare(session):
        change = session.get(ChangeRequest, change_id)
        reviewer = maintainer(session, "rev@example.org")
        return lambda: workflow.publish(session, change, reviewer)

    return prepare


def verifier(session):
    # The session holds the entry it read: the copy a SELECT ... FOR UPDATE would hand back.
    held = session.get(Service, HELPLINE)
    actor = maintainer(session, "editor@example.org")

    def verify():
        assert held.version == 1
        mark_verified(session, HELPLINE, actor, "phoned them", date(2026, 12, 1))

    return verify


def direct_publish(number: str):
    """The entry write a publish makes (ServiceAdapter.apply), with the version it read."""

    def prepare(session):
        version = SERVICES.version(session, HELPLINE)
        payload = with_phone(session, number)
        return lambda: SERVICES.apply(session, HELPLINE, payload, version)

    return prepare


@pytest.mark.parametrize("second_waits", [False, True], ids=["after-commit", "waiting"])
def test_a_verify_racing_a_publish_is_refused_and_loses_nothing(url, second_waits):
    change_id = propose(url, NEW)
    error = race(url, publisher(change_id), verifier, second_waits=second_waits)
    assert isinstance(error, StaleError)
    assert published(url) == ([NEW], VERIFIED, 2)  # the publish stands, unreverted


@pytest.mark.parametrize("second_waits", [False, True], ids=["after-commit", "waiting"])
def test_two_publishes_of_one_entry_cannot_both_succeed(url, second_waits):
    error = race(url, direct_publish(NEW), direct_publish(OTHER), second_waits=second_waits)
    assert isinstance(error, StaleError)
    assert published(url) == ([NEW], VERIFIED, 2)


def test_a_publish_racing_a_verify_is_refused(url):
    """The other way round: the verification lands first, and the publish, which read the
    entry before it, does not write over it."""
    change_id = propose(url, NEW)
    error = race(url, verifier, publisher(change_id), second_waits=True)
    assert isinstance(error, StaleError)
    assert published(url) == ([OLD], "2026-12-01", 2)
    with db.session_scope(url) as session:  # the proposal is still there to publish again
        assert session.get(ChangeRequest, change_id).status == "in_review"


def creator(name: str):
    """The entry write publishing a new service makes, for the same new id."""
    payload = normalise_service_dict(
        {
            "id": "new-helpline",
            "organization_id": "refuge",
            "name": name,
            "scope": "national",
            "phones": [{"number": NEW}],
            "strands": ["domestic-abuse"],
        }
    )

    def prepare(session):
        assert SERVICES.version(session, "new-helpline") is None
        return lambda: SERVICES.apply(session, "new-helpline", payload, None)

    return prepare


@pytest.mark.parametrize("second_waits", [False, True], ids=["after-commit", "waiting"])
def test_two_creations_of_one_id_cannot_both_succeed(url, second_waits):
    error = race(url, creator("First"), creator("Second"), second_waits=second_waits)
    assert isinstance(error, StaleError)
    with db.session_scope(url) as session:
        assert session.get(Service, "new-helpline").name == "First"
