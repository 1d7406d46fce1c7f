"""Load the pathway seed files (directory/pathways/seed/*.yml) into the directory.

`python -m directory seed` calls `load_pathways(session)` after the services are loaded, because
contacts link to services. A pathway already in the database is left alone: seeding never
overwrites a maintainer's published edit.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from directory.pathways.models import Pathway
from directory.pathways.store import write_pathway

SEED_DIR = Path(__file__).resolve().parent / "seed"


def seed_payloads(seed_dir: Path = SEED_DIR) -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(seed_dir.glob("*.yml"))]


def load_pathways(session, seed_dir: Path = SEED_DIR) -> int:
    count = 0
    for payload in seed_payloads(seed_dir):
        if session.get(Pathway, payload["id"]) is None:
            write_pathway(session, payload)
            count += 1
    return count
