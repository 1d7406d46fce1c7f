"""The documented reverse-proxy recipe (deploy/nginx/chat.conf) with Debian's nginx in front of
the real stack: it limits each address, caps bodies, never limits quick exit, and writes
nothing of what people send."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, _service_missing, free_port, new_sender

pytestmark = pytest.mark.stack

RECIPE = PROJECT_ROOT / "deploy" / "nginx" / "chat.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_config(workdir: Path, listen: int, rasa: str) -> Path:
    recipe = RECIPE.read_text().replace("{{LISTEN}}", f"127.0.0.1:{listen}")
    recipe = recipe.replace("{{RASA}}", rasa)
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = workdir / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n{temp}\n{recipe}\n}}\n"
    )
    return config


@pytest.fixture(scope="module")
def nginx(stack, tmp_path_factory):
    if not Path(NGINX).exists():
        _service_missing("nginx", FileNotFoundError(NGINX))
    workdir = tmp_path_factory.mktemp("nginx")
    port = free_port()
    config = nginx_config(workdir, port, stack.rasa_url.removeprefix("http://"))
    check = subprocess.run(
        [NGINX, "-t", "-p", str(workdir), "-c", str(config)], capture_output=True
    )
    assert check.returncode == 0, check.stderr.decode()
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}/webhooks/rest/", timeout=2)  # noqa: S310
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"nginx did not start: {(workdir / 'error.log').read_text()}")
            time.sleep(0.2)
    yield url, workdir
    process.terminate()
    process.wait(timeout=10)


def post(url: str, body: bytes, content_type: str = "application/json") -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def message(url: str, text: str, sender: str | None = None) -> int:
    payload = {"sender": sender or new_sender(), "message": text}
    return post(f"{url}/webhooks/rest/webhook", json.dumps(payload).encode())


def test_the_recipe_limits_each_address_in_bursts(nginx, stack):
    url, workdir = nginx
    canary = f"canary{uuid.uuid4().hex}"
    assert message(url, f"I need a refuge {canary}") == 200
    statuses = [message(url, "hi") for _ in range(40)]
    # A burst of 20 beyond the steady rate passes at once; after it, 429 until the rate allows.
    assert statuses.count(200) >= 15 and statuses.count(429) >= 10
    assert statuses[-1] == 429
    # Quick exit is never limited.
    body = json.dumps({"sender": new_sender()}).encode()
    assert post(f"{url}/webhooks/rest/exit", body, "text/plain") == 204
    time.sleep(1)
    files = [p for p in workdir.rglob("*") if p.is_file()]
    assert all(canary.encode() not in p.read_bytes() for p in files)
    assert canary not in stack.output()


def test_the_recipe_caps_bodies_and_serves_nothing_else(nginx):
    url, _ = nginx
    time.sleep(11)  # let the limit of the previous test drain (2 a second, burst 20)
    huge = json.dumps({"sender": new_sender(), "message": "x" * 40_000}).encode()
    assert post(f"{url}/webhooks/rest/webhook", huge) == 413
    assert post(f"{url}/model/parse", b'{"text": "hi"}') == 404
    assert post(f"{url}/conversations/x/tracker/events", b"{}") == 404
