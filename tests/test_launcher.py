"""The launcher's own behaviour: clear errors, and no child outlives it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from bot import launcher
from tests.conftest import MODEL, PROJECT_ROOT, free_port


def test_wrong_python_version_is_named():
    with pytest.raises(launcher.LaunchError, match=r"Python 3\.11 is required.*this is 3\.12"):
        launcher.check_python((3, 12))


def test_right_python_version_passes():
    launcher.check_python((3, 11))


def test_port_in_use_is_named():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(launcher.LaunchError, match=rf"Port {port} is already in use.*Rasa"):
            launcher.check_port_free(port, "Rasa")


def test_launcher_refuses_a_busy_port_before_starting_anything():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "bot",
                "--web-port",
                str(busy),
                "--rasa-port",
                str(free_port()),
                "--actions-port",
                str(free_port()),
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"Port {busy} is already in use, so the web app cannot start" in result.stderr


def test_endpoints_point_actions_at_loopback_ip(tmp_path):
    import yaml

    path = launcher.write_endpoints(tmp_path, 6123)
    assert yaml.safe_load(path.read_text())["action_endpoint"]["url"] == (
        "http://127.0.0.1:6123/webhook"
    )


def test_several_servers_count_the_chat_limits_in_one_redis(tmp_path):
    import yaml

    from bot.rate_limit import Limits

    shared = launcher.write_shared_limits(
        tmp_path, PROJECT_ROOT / "credentials.yml", PROJECT_ROOT / "endpoints.scaled.yml"
    )
    channel = yaml.safe_load(shared.read_text())["bot.channels.PrivateRestInput"]
    limits = Limits.from_config(channel["limits"])
    assert limits.redis_url == "redis://127.0.0.1:6379/0"  # the conversations' Redis
    assert limits.messages_per_client == 60  # the rest as credentials.yml has it

    # A Redis named for the limits is kept.
    own = tmp_path / "own.yml"
    channel["limits"]["redis_url"] = "redis://10.0.0.9:6379/1"
    own.write_text(yaml.safe_dump({"bot.channels.PrivateRestInput": channel}))
    (tmp_path / "out").mkdir()
    kept = launcher.write_shared_limits(
        tmp_path / "out", own, PROJECT_ROOT / "endpoints.scaled.yml"
    )
    kept_limits = yaml.safe_load(kept.read_text())["bot.channels.PrivateRestInput"]["limits"]
    assert kept_limits["redis_url"] == "redis://10.0.0.9:6379/1"

    two = tmp_path / "two.yml"
    two.write_text(yaml.safe_dump({"a": {}, "b": {}}))
    with pytest.raises(launcher.LaunchError, match="one chat channel"):
        launcher.write_shared_limits(tmp_path / "out", two, PROJECT_ROOT / "endpoints.scaled.yml")


def _children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its exit status is left for the parent to collect.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.stack
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_one_signal_stops_every_child(stop_signal):
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make model`.")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "--rasa-port",
            str(free_port()),
            "--actions-port",
            str(free_port()),
            "--web-port",
            str(free_port()),
            "--model",
            str(MODEL),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        for line in process.stdout:
            if "The stack is up" in line or time.monotonic() > deadline:
                break
        children = _children_of(process.pid)
        assert len(children) == 3, "Rasa, the action server and the web app"
        process.send_signal(stop_signal)
        assert process.wait(timeout=60) == 0
        time.sleep(0.5)
        assert [pid for pid in children if _alive(pid)] == []
    finally:
        if process.poll() is None:
            process.kill()
