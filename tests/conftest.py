"""Fixtures shared by the whole suite.

- `postgres_url` / `redis_url`: the production back ends. They skip with a reason when the server
  is absent on a developer's machine, and fail under VAWG_REQUIRE_SERVICES=1 (set by .ci/run).
- `stack`: the real processes (Rasa, action server, web app) started by the launcher on free
  ports, against a freshly seeded SQLite directory.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.launcher import free_port

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MODEL = PROJECT_ROOT / "models" / "vawg.tar.gz"
POSTGRES_ADMIN_URL = os.environ.get(
    "VAWG_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("VAWG_TEST_REDIS", "redis://127.0.0.1:6379/0")
STACK_STARTUP_TIMEOUT_S = 300


def _service_missing(what: str, error: Exception) -> None:
    reason = f"{what} is not reachable ({error.__class__.__name__}: {error})"
    if os.environ.get("VAWG_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}; CI requires it (VAWG_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def seed_directory(url: str, pathways: bool = True) -> str:
    """Migrates the directory at `url` and seeds it: services, then (unless told not to) the
    referral pathways. Returns `url`."""
    from directory.db import session_scope, upgrade
    from directory.pathways.seed import load_pathways
    from directory.seed import load_seed

    upgrade(url)
    with session_scope(url) as session:
        load_seed(session)
    if pathways:
        with session_scope(url) as session:
            load_pathways(session)
    return url


@contextlib.contextmanager
def fresh_postgres_database():
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    import psycopg2

    try:
        admin = psycopg2.connect(POSTGRES_ADMIN_URL, connect_timeout=3)
    except psycopg2.OperationalError as error:
        _service_missing("PostgreSQL", error)
    admin.autocommit = True
    name = f"vawg_test_{uuid.uuid4().hex[:12]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        from directory.db import get_engine

        get_engine.cache_clear()  # drop pooled connections so the database can be dropped
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


REDIS_SERVER = "/usr/bin/redis-server"


class PrivateRedis:
    """A redis-server of the test's own, on a free port, keeping nothing on disk: a test may
    stop and start it (the machine's Redis is shared with every other test)."""

    def __init__(self, workdir: Path) -> None:
        if not Path(REDIS_SERVER).exists():
            _service_missing("redis-server", FileNotFoundError(REDIS_SERVER))
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=1).ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def private_redis(workdir: Path):
    server = PrivateRedis(workdir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.exceptions.ConnectionError as error:
        _service_missing("Redis", error)
    return REDIS_URL


CHANNEL = "bot.channels.PrivateRestInput"
LOOPBACK_LIMITS = {
    "messages_per_client": 1_000_000,
    "new_conversations_per_client": 1_000_000,
    "new_conversations_per_second": 1_000_000,
    "busy_in_flight": 1_000_000,
}


_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}")


def nlu_examples(path: Path) -> list[tuple[str, str, str]]:
    """(intent, plain text, text as annotated) of each example in a Rasa NLU file."""
    found = []
    for block in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
        for line in (block.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                annotated = line.strip()[2:]
                found.append((block.get("intent"), _ANNOTATION.sub(r"\1", annotated), annotated))
    return found


def new_sender() -> str:
    return str(uuid.uuid4())


@dataclass
class Stack:
    rasa_url: str
    actions_url: str
    web_url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen

    def send(self, sender: str, text: str, language: str | None = None) -> list[dict]:
        """One message through the REST channel, as the widget sends it (with the language
        chosen in its header, if one was)."""
        message = {
            "sender": sender,
            "message": text,
            **({"language": language} if language else {}),
        }
        body = json.dumps(message).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def texts(self, sender: str, text: str) -> str:
        """The bot's reply texts joined, for assertions on what a person would read."""
        return "\n".join(m["text"] for m in self.send(sender, text) if m.get("text"))

    def tracker_exists(self, sender: str) -> bool:
        """Asks the test-only hook (VAWG_TEST_HOOKS=1) whether Rasa still holds a conversation."""
        url = f"{self.rasa_url}/webhooks/rest/_test/tracker/{sender}"
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())["exists"]

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def _seed_database(url: str, env: dict) -> None:
    for command in ("init-db", "seed"):
        subprocess.run(
            [sys.executable, "-m", "directory", command], env=env, check=True, cwd=PROJECT_ROOT
        )


@contextlib.contextmanager
def launch_stack(
    workdir: Path,
    tracker_store: dict | None = None,
    test_hooks: bool = True,
    limits: dict | None = None,
    extra_env: dict | None = None,
    model: Path = MODEL,
    lock_store: dict | None = None,
    database_url: str | None = None,
    launcher_args: tuple[str, ...] = (),
):
    """Start the launcher on free ports against a fresh seeded SQLite directory.

    `tracker_store` replaces the one in endpoints.yml (a tiny TTL, the Redis store);
    `test_hooks` enables the channel's test-only existence check (never set in production);
    `limits` replaces the chat channel's limits. By default they are LOOPBACK_LIMITS: every
    test client is 127.0.0.1, so credentials.yml's per-client limits would be one budget
    for the whole suite (tests/safety/test_chat_limits.py tests the real ones).
    `lock_store`, `database_url` (an empty database, seeded here) and `launcher_args`
    (`--replicas 2`) are for the scaled stack of tests/scale/.
    """
    if not model.exists():
        pytest.fail(f"No trained model at {model}: run `make model` (make test does it first).")
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    if tracker_store is not None:
        endpoints["tracker_store"] = tracker_store
    if lock_store is not None:
        endpoints["lock_store"] = lock_store
    endpoints_path = workdir / "endpoints.yml"
    endpoints_path.write_text(yaml.safe_dump(endpoints))
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    credentials[CHANNEL]["limits"] = LOOPBACK_LIMITS if limits is None else limits
    credentials_path = workdir / "credentials.yml"
    credentials_path.write_text(yaml.safe_dump(credentials))
    database_url = database_url or f"sqlite:///{workdir / 'directory.sqlite3'}"
    env = dict(os.environ, DIRECTORY_DATABASE_URL=database_url)
    env.pop("VAWG_TEST_HOOKS", None)
    # The insight counters are written each second, so tests can look at them.
    env["VAWG_INSIGHT_FLUSH_SECONDS"] = "1"
    if test_hooks:
        env["VAWG_TEST_HOOKS"] = "1"
    env.update(extra_env or {})
    _seed_database(database_url, env)
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    arguments = [f"--{name}-port={port}" for name, port in ports.items()]
    log_path = workdir / "stack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bot",
                *arguments,
                f"--model={model}",
                f"--endpoints={endpoints_path}",
                f"--credentials={credentials_path}",
                *launcher_args,
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


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    with launch_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


def http_status(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
