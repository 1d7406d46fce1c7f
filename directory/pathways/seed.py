"""Load the pathway seed files (directory/pathways/seed/*.yml) into the directory.

`python -m directory seed` calls `load_pathways(session)` after the services are loaded, because
contacts link to services. A pathway already in the database is left alone: seeding never
overwrites a maintainer's published edit.

One exception (issue 14): a pathway still exactly as the first seed wrote it (version 1, so no
maintainer ever published an edit) and never reviewed against sources is replaced by the
reviewed seed, so the corrected wording reaches databases seeded before the review.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from directory.pathways.models import Pathway
from directory.pathways.store import write_pathway

SEED_DIR = Path(__file__).resolve().parent / "seed"


def seed_payloads(seed_dir: Path = SEED_DIR) -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(seed_dir.glob("*.yml"))]


def _untouched_unreviewed_seed(pathway: Pathway) -> bool:
    return pathway.version == 1 and pathway.reviewed is None


def load_pathways(session, seed_dir: Path = SEED_DIR) -> int:
    """Add the seed pathways the database lacks (and refresh untouched, never-reviewed ones).
    Returns the number written."""
    count = 0
    for payload in seed_payloads(seed_dir):
        existing = session.get(Pathway, payload["id"])
        if existing is None or (
            _untouched_unreviewed_seed(existing) and payload.get("reviewed") is not None
        ):
            write_pathway(session, payload)
            count += 1
    return count
