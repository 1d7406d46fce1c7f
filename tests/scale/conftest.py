"""One scaled stack for the fault tests: `python -m bot --replicas 2` (two Rasa and two action
servers behind HAProxy), conversations and locks in a redis-server of the tests' own (so a test
may stop it), the directory in a fresh PostgreSQL database."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

import pytest

from tests.conftest import Stack, fresh_postgres_database, launch_stack, private_redis

PREFIX = "vawg:"
# Short enough that a message whose server was killed holding its ticket waits little.
LOCK_LIFETIME_S = 3
REPLICA_LINE = re.compile(r"replica (rasa|actions)-(\d+)\s+(http://\S+) pid (\d+)")


@dataclass
class ScaledStack:
    stack: Stack  # rasa_url is HAProxy's chat frontend
    redis: object  # tests.conftest.PrivateRedis
    rasa: list[tuple[str, int]]  # (url, pid) of each Rasa server
    actions: list[tuple[str, int]]

    def post(self, base: str, sender: str, text: str, timeout: float = 30) -> tuple[int, list]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{base}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, []
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, []

    def texts(self, base: str, sender: str, text: str) -> str:
        status, replies = self.post(base, sender, text)
        assert status == 200, status
        return "\n".join(m.get("text", "") for m in replies if m.get("text"))

    def events(self, sender: str) -> list[dict]:
        """The conversation as Redis holds it (what every server reads)."""
        import redis

        client = redis.Redis.from_url(self.redis.url, decode_responses=True)
        stored = client.get(f"{PREFIX}tracker:{sender}")
        return json.loads(stored)["events"] if stored else []


def user_texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def new_sender() -> str:
    return str(uuid.uuid4())


def at_once(calls: list) -> list:
    """Runs each call in its own thread, all released together; their results in order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("scaled")
    with private_redis(workdir) as redis_server, fresh_postgres_database() as database_url:
        store = {
            "type": "bot.tracker_store.EphemeralRedisTrackerStore",
            "url": redis_server.url,
            "ttl_seconds": 600,
            "key_prefix": PREFIX,
        }
        lock = {
            "type": "bot.lock_store.EphemeralRedisLockStore",
            "url": redis_server.url,
            "key_prefix": PREFIX,
            "lifetime_seconds": LOCK_LIFETIME_S,
        }
        with launch_stack(
            workdir,
            store,
            lock_store=lock,
            database_url=database_url,
            launcher_args=("--replicas=2",),
        ) as stack:
            found = REPLICA_LINE.findall(stack.output())
            replicas = {
                kind: [(url, int(pid)) for k, _, url, pid in sorted(found) if k == kind]
                for kind in ("rasa", "actions")
            }
            assert len(replicas["rasa"]) == len(replicas["actions"]) == 2, stack.output()
            yield ScaledStack(stack, redis_server, replicas["rasa"], replicas["actions"])
