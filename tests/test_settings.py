"""Settings are read from the environment in one module per layer, and each is in the README."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_MODULES = ("directory/web/settings.py", "bot/settings.py", "directory/db.py")
# They hand the environment on (to the processes they start, or to Rasa) without reading it.
PASS_IT_ON = ("bot/launcher.py", "bot/rasa_server.py")
READS_ENVIRONMENT = re.compile(r"os\.environ|os\.getenv|getenv\(")


def test_only_the_settings_modules_read_the_environment():
    product = [p for layer in ("actions", "bot", "directory") for p in (ROOT / layer).rglob("*.py")]
    assert len(product) > 40
    readers = {
        str(path.relative_to(ROOT))
        for path in product
        if READS_ENVIRONMENT.search(path.read_text(encoding="utf-8"))
    }
    assert readers - set(PASS_IT_ON) == set(SETTINGS_MODULES)


def test_every_setting_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Production settings", 1)[1].split("\n## ", 1)[0]
    names = {
        name
        for module in SETTINGS_MODULES
        for name in re.findall(
            r"\"((?:VAWG|DIRECTORY|LOG_LEVEL)[A-Z_]*)\"", (ROOT / module).read_text()
        )
    }
    assert {"VAWG_BOT_URL", "VAWG_SECRET_KEY", "DIRECTORY_DATABASE_URL"} <= names
    missing = sorted(name for name in names if f"`{name}" not in table)
    assert not missing, missing
