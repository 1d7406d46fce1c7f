"""Extra stacks for the privacy tests: the same launcher and processes as the lead's `stack`
fixture, with a different endpoints.yml (a tiny TTL, or the Redis store)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

import tests.conftest as shared
from tests.conftest import (
    PROJECT_ROOT,
    REDIS_URL,
    STACK_STARTUP_TIMEOUT_S,
    Stack,
    _seed_database,
    free_port,
)

SHORT_TTL_S = 6


@contextlib.contextmanager
def launched_stack(workdir: Path, tracker_store: dict, test_hooks: bool):
    model = shared.MODEL  # the same model as the lead's `stack` fixture
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run `make model` (make test does it first).")
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    endpoints["tracker_store"] = tracker_store
    endpoints_path = workdir / "endpoints.yml"
    endpoints_path.write_text(yaml.safe_dump(endpoints))
    database_url = f"sqlite:///{workdir / 'directory.sqlite3'}"
    env = dict(os.environ, DIRECTORY_DATABASE_URL=database_url)
    env.pop("VAWG_TEST_HOOKS", None)
    if test_hooks:
        env["VAWG_TEST_HOOKS"] = "1"
    _seed_database(database_url, env)
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    log_path = workdir / "stack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                "--rasa-port",
                str(ports["rasa"]),
                "--actions-port",
                str(ports["actions"]),
                "--web-port",
                str(ports["web"]),
                "--model",
                str(model),
                "--endpoints",
                str(endpoints_path),
            ],  # fmt: skip
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STACK_STARTUP_TIMEOUT_S
        while "The stack is up" not in log_path.read_text(errors="replace"):
            if process.poll() is not None:
                pytest.fail(f"The launcher exited ({process.returncode}):\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"The stack did not start in time:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield Stack(
            rasa_url=f"http://127.0.0.1:{ports['rasa']}",
            actions_url=f"http://127.0.0.1:{ports['actions']}",
            web_url=f"http://127.0.0.1:{ports['web']}",
            database_url=database_url,
            log_path=log_path,
            process=process,
        )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def short_ttl_stack(tmp_path_factory):
    """The in-memory store as in production, but conversations expire after SHORT_TTL_S."""
    store = {
        "type": "bot.tracker_store.EphemeralInMemoryTrackerStore",
        "ttl_seconds": SHORT_TTL_S,
        "max_conversations": 1000,
    }
    with launched_stack(tmp_path_factory.mktemp("short-ttl"), store, test_hooks=True) as stack:
        yield stack


@pytest.fixture(scope="module")
def redis_stack(tmp_path_factory):
    """The Redis store, run as production would: no test hooks. Yields (stack, redis, prefix)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("VAWG_REQUIRE_SERVICES") == "1":
            pytest.fail(f"Redis is not reachable ({error}); CI requires it")
        pytest.skip(f"Redis is not reachable ({error})")
    prefix = f"vawgtest{uuid.uuid4().hex[:8]}:"
    store = {
        "type": "bot.tracker_store.EphemeralRedisTrackerStore",
        "url": REDIS_URL,
        "ttl_seconds": SHORT_TTL_S,
        "key_prefix": prefix,
    }
    with launched_stack(tmp_path_factory.mktemp("redis"), store, test_hooks=False) as stack:
        yield stack, client, prefix
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
