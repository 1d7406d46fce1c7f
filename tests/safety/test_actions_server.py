"""The action server never sends a conversation back, or logs it, when an action fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from tests.conftest import PROJECT_ROOT, free_port


def test_a_failing_action_leaks_neither_text_nor_slots(tmp_path):
    canary = f"canary-{uuid.uuid4().hex}"
    port = free_port()
    log_path = tmp_path / "actions.log"
    env = dict(os.environ, LOG_LEVEL="WARNING", SANIC_HOST="127.0.0.1", PYTHONUNBUFFERED="1")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot.actions_server",
                "--actions",
                "tests.safety.failing_actions",
                "--port",
                str(port),
            ],  # fmt: skip
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        call = {
            "next_action": "action_that_fails",
            "sender_id": str(uuid.uuid4()),
            "version": "3.6.21",
            "domain": {},
            "tracker": {
                "sender_id": "x",
                "slots": {"need": canary},
                "latest_message": {"text": f"I need help {canary}"},
                "events": [{"event": "user", "text": f"I need help {canary}"}],
            },
        }
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhook",
            data=json.dumps(call).encode(),
            headers={"Content-Type": "application/json", "Origin": "https://attacker.example"},
        )
        try:
            urllib.request.urlopen(request, timeout=10)
            raise AssertionError("the action should have failed")
        except urllib.error.HTTPError as error:
            status, body, headers = error.code, error.read().decode(), error.headers
        assert status == 500
        assert json.loads(body) == {
            "error": "The action failed.",
            "action_name": "action_that_fails",
        }
        assert "Access-Control-Allow-Origin" not in headers  # no browser may call this server
        time.sleep(0.5)
        output = log_path.read_text()
        assert "action_that_fails failed with ValueError" in output  # the failure is reported
        assert canary not in output
    finally:
        process.terminate()
        process.wait(timeout=30)
