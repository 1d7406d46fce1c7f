"""The systemd example of deploy/systemd/ runs the servers as `python -m bot --replicas` does:
the same modules with the same options, the same environment, and every unit started by
vawg.target. It cannot be started here (no systemd), so it is checked against the launcher."""

from __future__ import annotations

import argparse
import configparser
import os
import shlex
from pathlib import Path

import pytest

from bot import launcher

UNITS = launcher.PROJECT_ROOT / "deploy" / "systemd"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read(UNITS / name)
    return parser


def _options(argv: list[str]) -> tuple[list[str], set[str]]:
    """(the module and its subcommand, the set of --options) of a server's command line."""
    start = argv.index("-m")
    words = [w for w in argv[start + 1 :] if not w.startswith("--")]
    return words[:2], {w for w in argv if w.startswith("--")}


def _launcher_args() -> argparse.Namespace:
    return launcher.parse_args(["--replicas", "2", "--cors-origin", "https://example.org"])


@pytest.mark.parametrize(
    ("unit", "child"),
    [
        ("vawg-rasa@.service", lambda: launcher._rasa_child(_launcher_args(), Path("e"), "r", 1)),
        ("vawg-actions@.service", lambda: launcher._actions_child("a", 1)),
        ("vawg-web.service", lambda: launcher._web_child(_launcher_args())),
    ],
)
def test_each_unit_runs_its_server_as_the_launcher_does(unit, child):
    argv = shlex.split(_unit(unit)["Service"]["ExecStart"])
    assert argv[0] == "/opt/vawg/.venv/bin/python"
    assert _options(argv) == _options(child().argv)
    assert "--enable-api" not in argv


def test_the_environment_file_sets_what_the_launcher_gives_its_children(monkeypatch):
    given = launcher.child_environment({})
    for name in given:
        monkeypatch.delenv(name, raising=False)
    own = set(launcher.child_environment({})) - set(os.environ)
    lines = (UNITS / "vawg.env").read_text().splitlines()
    in_file = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert own and own <= in_file, own - in_file
    # Every unit reads it.
    for unit in ("vawg-rasa@.service", "vawg-actions@.service", "vawg-web.service"):
        assert _unit(unit)["Service"]["EnvironmentFile"] == "/etc/vawg/vawg.env"


def test_the_target_starts_two_of_each_server_and_haproxy():
    wanted = _unit("vawg.target")["Unit"]["Wants"].split()
    for template in ("vawg-rasa@", "vawg-actions@"):
        assert len([w for w in wanted if w.startswith(template)]) >= 2
        assert (UNITS / f"{template}.service").exists()
    assert "vawg-web.service" in wanted and "haproxy.service" in wanted
    for unit in wanted:
        if unit.startswith("vawg-"):
            # An instance (vawg-rasa@5101.service) comes from its template (vawg-rasa@.service).
            name, at, _ = unit.partition("@")
            assert (UNITS / (f"{name}@.service" if at else unit)).exists(), unit
