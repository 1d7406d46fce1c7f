"""Lower layers never import upper ones: the directory knows nothing of the bot or its actions."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UPPER = ("actions", "bot")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_the_directory_imports_nothing_from_the_bot_or_its_actions():
    files = list((ROOT / "directory").rglob("*.py"))
    assert len(files) > 20
    upward = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name in _imports(path)
        if name.split(".")[0] in UPPER
    }
    assert not upward, sorted(upward)
