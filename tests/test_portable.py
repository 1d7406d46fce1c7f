"""The repository stands alone: no tracked file leans on a path of one particular machine.

A user's machine has only a clone of this repository, wherever they put it. A path into the
development machine's folders, a home directory, or the folder of shared material beside the
checkout works here and fails there (and CI, on this machine, would not notice).
"""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MACHINE_PATHS = re.compile(
    r"/work/"  # the development machine's working folder
    r"|/home/[A-Za-z_]"  # someone's home directory
    r"|/root/"  # root's home
    r"|/Users/[A-Za-z_]"  # macOS home directories
    r"|\.\./shared\b"  # the shared folder beside the checkout
    r"|[A-Za-z]:\\Users\\"  # Windows home directories
)


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    return [ROOT / name for name in listed.decode().split("\0") if name]


def test_no_tracked_file_names_a_machine_path():
    files = _tracked_files()
    assert len(files) > 100  # really the repository's files
    found = []
    for path in files:
        if path == Path(__file__).resolve() or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        for number, line in enumerate(text.splitlines(), start=1):
            if MACHINE_PATHS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "machine paths in tracked files:\n" + "\n".join(found)


def test_the_guard_sees_each_kind_of_machine_path():
    for line in (
        "SCHEMA = Path('/work/shared/hsds-3.0/schema')",
        "see /home/alice/notes.md",
        "/root/.cache/thing",
        "read ../shared/reference/services.md",
        "C:\\Users\\bob\\file",
    ):
        assert MACHINE_PATHS.search(line), line
    for line in ("https://example.org/homepage", "directory/hsds/schema", "bot/rasa_server.py"):
        assert not MACHINE_PATHS.search(line), line
