"""The web app's SECRET_KEY when VAWG_SECRET_KEY is not set (directory.web.settings):
generated once into var/secret_key."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = PROJECT_ROOT / "var" / "secret_key"


def load_secret_key(path: Path = DEFAULT_PATH) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temp file, then hard-link it into place: the link fails if another
    # process won the race, and nobody ever reads a half-written key.
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        os.unlink(temp)
    return path.read_text().strip()
