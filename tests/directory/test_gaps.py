"""The gaps report: where the three boroughs have no local service, by strand and audience."""

import subprocess
import sys

from directory.db import session_scope
from directory.gaps import ANYONE, gaps
from directory.store import apply_service_change
from directory.taxonomy import vocabulary


def _expected_rows() -> int:
    """Boroughs × strands × (anyone + every audience but professionals-only)."""
    vocab = vocabulary()
    audiences = [a for a in vocab.terms["audience"] if a != "professionals"]
    return 3 * len(vocab.terms["strand"]) * (1 + len(audiences))


def _row(rows, borough, strand, audience):
    (row,) = [r for r in rows if (r.borough, r.strand, r.audience) == (borough, strand, audience)]
    return row


def test_every_borough_strand_and_audience_has_a_row(sqlite_url):
    rows = gaps(sqlite_url)
    assert len(rows) == _expected_rows() == 3 * 8 * 10
    assert not any(r.audience == "professionals" for r in rows)
    local = _row(rows, "westminster", "domestic-abuse", ANYONE)
    assert local.local > 0 and not local.is_gap


def test_a_new_local_specialist_closes_its_gap(sqlite_url):
    before = _row(gaps(sqlite_url), "westminster", "stalking", "men")
    assert before.is_gap and before.wider >= 0
    with session_scope(sqlite_url) as session:
        apply_service_change(
            session,
            "test-mens-stalking-advocacy",
            {
                "organization_id": "hestia",
                "name": "Test men's stalking advocacy",
                "scope": "local",
                "boroughs": ["westminster"],
                "strands": ["stalking"],
                "audiences": ["men"],
                "gender": "men",
            },
            create=True,
        )
    after = _row(gaps(sqlite_url), "westminster", "stalking", "men")
    assert after.local == 1 and not after.is_gap
    assert _row(gaps(sqlite_url), "kensington-and-chelsea", "stalking", "men").is_gap


def test_the_command_prints_the_gaps_and_csv(sqlite_url):
    env = {"DIRECTORY_DATABASE_URL": sqlite_url, "PATH": "/usr/bin:/bin"}
    text = subprocess.run(
        [sys.executable, "-m", "directory", "gaps"], env=env, capture_output=True, text=True
    )
    assert text.returncode == 0
    assert "combinations have no local service" in text.stdout.splitlines()[0]
    table = subprocess.run(
        [sys.executable, "-m", "directory", "gaps", "--csv"], env=env, capture_output=True,
        text=True,
    )  # fmt: skip
    lines = table.stdout.splitlines()
    assert lines[0] == "borough,strand,audience,local_services,wider_services,gap"
    assert len(lines) == 1 + _expected_rows()
