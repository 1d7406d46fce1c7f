"""Run the whole stack as children of one process: Rasa, the action server, the web app.

`python -m bot` (what `make run` calls) starts the three, waits until each answers,
prints the URLs, and stops every child on one Ctrl-C or SIGTERM. Children run in
their own process groups so the launcher alone decides the shutdown order, and ask
the kernel to kill them if the launcher itself dies, so none is left orphaned.

`python -m bot --replicas N` (what `make run-scaled` calls) starts N Rasa servers and N action
servers on free ports instead, with HAProxy (deploy/haproxy/haproxy.cfg) on the Rasa and
action ports in front of each set, checking their health. The endpoints must keep
conversations in Redis with the Redis lock store (endpoints.scaled.yml). A replica that stops
is left out by HAProxy and the others carry on; the launcher stops only when the web app,
HAProxy or the last Rasa server stops. (In production systemd restarts each one:
deploy/scaled/README.md.)
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bot import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = PROJECT_ROOT / "models"
DEFAULT_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
REQUIRED_PYTHON = (3, 11)
LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_S = 240
STOP_TIMEOUT_S = 15
HAPROXY_TEMPLATE = PROJECT_ROOT / "deploy" / "haproxy" / "haproxy.cfg"
HAPROXY = "/usr/sbin/haproxy"
SCALED_TRACKER_STORE = "bot.tracker_store.EphemeralRedisTrackerStore"
SCALED_LOCK_STORE = "bot.lock_store.EphemeralRedisLockStore"


class LaunchError(RuntimeError):
    """A problem the person running the stack can fix; printed without a traceback."""


class StopRequested(Exception):
    """Raised from the SIGINT/SIGTERM handler so start-up and the main loop both unwind."""


def _request_stop(_signum, _frame):
    # A second Ctrl-C must not interrupt the orderly shutdown of the children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise StopRequested


@dataclass
class Child:
    name: str
    argv: list[str]
    ready_url: str
    process: subprocess.Popen | None = field(default=None, repr=False)
    kind: str = ""  # "rasa" or "actions" for a replica: one of several that may stop alone
    url: str = ""
    reported: bool = False  # a replica's stop, once reported


def check_python(version: tuple[int, int] = sys.version_info[:2]) -> None:
    if tuple(version) != REQUIRED_PYTHON:
        want = ".".join(map(str, REQUIRED_PYTHON))
        got = ".".join(map(str, version))
        raise LaunchError(f"Python {want} is required (Rasa 3.6 is pinned for it); this is {got}.")


def check_port_free(port: int, what: str, host: str = LOOPBACK) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As the servers themselves bind: sockets of a process just stopped, left in
        # TIME-WAIT, do not hold the port (only a listening one does).
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise LaunchError(
                f"Port {port} is already in use, so {what} cannot start there. "
                f"Stop whatever holds it (e.g. `ss -ltnp 'sport = :{port}'`) or pick another port."
            ) from None


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: SIGTERM it if the launcher dies.
    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    os.setsid()


def write_endpoints(runtime_dir: Path, actions_port: int, source: Path = DEFAULT_ENDPOINTS) -> Path:
    """The action endpoint depends on the chosen port, so endpoints.yml is written per run.

    The tracker store and everything else comes from `source` (the project's endpoints.yml).
    """
    import yaml

    base = yaml.safe_load(source.read_text()) or {}
    # 127.0.0.1, not localhost: resolving localhost tries IPv6 first and costs ~13 ms a turn.
    # No domain in each call: our actions never read it, and serialising the whole domain
    # for every turn was most of the CPU a turn costs now that every turn calls an action.
    base["action_endpoint"] = {
        "url": f"http://{LOOPBACK}:{actions_port}/webhook",
        "enable_selective_domain": True,
    }
    path = runtime_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    return path


def write_shared_limits(runtime_dir: Path, credentials: Path, endpoints: Path) -> Path:
    """credentials.yml with the chat's limits counted in the conversations' Redis, unless it
    names a Redis of its own: counted in each server alone, N servers would allow N times as
    many messages from one person."""
    import yaml

    config = yaml.safe_load(credentials.read_text()) or {}
    channel = next(iter(config.values()), None) if len(config) == 1 else None
    if not isinstance(channel, dict):
        raise LaunchError(f"{credentials}: expected one chat channel (see credentials.yml).")
    limits = channel["limits"] = channel.get("limits") or {}
    tracker_store = (yaml.safe_load(endpoints.read_text()) or {}).get("tracker_store") or {}
    if tracker_store.get("url"):
        limits.setdefault("redis_url", tracker_store["url"])
    path = runtime_dir / "credentials.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def check_tracker_store(endpoints: Path) -> None:
    """Refuse to start unless the tracker store loads and forgets conversations.

    Rasa 3.6 would fall back silently to a store that keeps every conversation;
    bot.rasa_server guards that again inside the Rasa process.
    """
    import warnings

    import yaml

    with warnings.catch_warnings():  # Rasa's imports warn about SQLAlchemy 2.0; not ours
        warnings.simplefilter("ignore")
        from bot.tracker_store import UnsafeConfiguration, check_endpoints

    try:
        check_endpoints(yaml.safe_load(endpoints.read_text()) or {})
    except (OSError, UnsafeConfiguration) as error:
        raise LaunchError(f"{endpoints}: {error}") from None


def check_scaled_endpoints(endpoints: Path) -> None:
    """Several Rasa servers must share conversations and locks: Rasa's docs forbid the
    in-memory lock store with replicas, and an in-memory tracker store would split each
    conversation between servers."""
    import yaml

    config = yaml.safe_load(endpoints.read_text()) or {}
    tracker = (config.get("tracker_store") or {}).get("type")
    lock = (config.get("lock_store") or {}).get("type")
    if tracker != SCALED_TRACKER_STORE or lock != SCALED_LOCK_STORE:
        raise LaunchError(
            f"{endpoints}: several Rasa servers need tracker_store {SCALED_TRACKER_STORE} and "
            f"lock_store {SCALED_LOCK_STORE} (see endpoints.scaled.yml); this file has "
            f"{tracker or 'none'} and {lock or 'none'}."
        )


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or HAPROXY
    if not Path(found).exists():
        raise LaunchError("HAProxy is not installed: run `make haproxy` (Debian's package).")
    return found


def _server_lines(children: list[Child], kind: str) -> str:
    return "\n".join(
        f"    server {c.name} {c.url.removeprefix('http://')} check"
        for c in children
        if c.kind == kind
    )


def write_haproxy_config(
    runtime_dir: Path, args: argparse.Namespace, replicas: list[Child]
) -> Path:
    config = HAPROXY_TEMPLATE.read_text()
    for placeholder, value in {
        "{{CHAT}}": f"{LOOPBACK}:{args.rasa_port}",
        "{{ACTIONS}}": f"{LOOPBACK}:{args.actions_port}",
        "{{RASA_SERVERS}}": _server_lines(replicas, "rasa"),
        "{{ACTION_SERVERS}}": _server_lines(replicas, "actions"),
    }.items():
        config = config.replace(placeholder, value)
    path = runtime_dir / "haproxy.cfg"
    path.write_text(config)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def child_environment(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    # The launcher serves plain http on 127.0.0.1; behind HTTPS, production sets 1.
    env.setdefault("VAWG_COOKIE_SECURE", "0")
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            # Rasa and rasa-sdk log user text at DEBUG; keep every library at WARNING.
            "LOG_LEVEL": "WARNING",
            "LOG_LEVEL_LIBRARIES": "ERROR",
            "SANIC_HOST": LOOPBACK,
            "PYTHONUNBUFFERED": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
    )
    env.update(extra)
    return env


def chat_origins(args: argparse.Namespace) -> list[str]:
    """The origins whose pages may post to the chat: the web app's, and each --cors-origin."""
    web = [f"http://{LOOPBACK}:{args.web_port}", f"http://localhost:{args.web_port}"]
    return web + args.cors_origin


def _actions_child(name: str, port: int, kind: str = "") -> Child:
    url = f"http://{LOOPBACK}:{port}"
    argv = [sys.executable, "-m", "bot.actions_server"]  # rasa_sdk, without echoing trackers
    argv += f"--actions actions --port {port} --quiet".split()
    return Child(name, argv, f"{url}/health", kind=kind, url=url)


def _rasa_child(
    args: argparse.Namespace, endpoints: Path, name: str, port: int, kind: str = ""
) -> Child:
    url = f"http://{LOOPBACK}:{port}"
    argv = [
        # Our wrapper of `rasa run`: it turns Rasa's silent tracker-store fallbacks
        # into start-up errors (bot/rasa_server.py).
        *(sys.executable, "-m", "bot.rasa_server", "run", "--model", str(args.model)),
        *f"--interface {LOOPBACK} --port {port} --quiet".split(),
        *("--endpoints", str(endpoints)),
        *("--credentials", str(args.credentials)),
        *("--cors", *chat_origins(args)),
    ]
    return Child(name, argv, f"{url}/", kind=kind, url=url)


def _web_child(args: argparse.Namespace) -> Child:
    return Child(
        "web",
        [sys.executable, "-m", "directory.web", "--host", LOOPBACK, "--port", str(args.web_port)],
        f"http://{LOOPBACK}:{args.web_port}/healthz",
    )


def build_children(args: argparse.Namespace, endpoints: Path) -> list[Child]:
    return [
        _actions_child("actions", args.actions_port),
        _rasa_child(args, endpoints, "rasa", args.rasa_port),
        _web_child(args),
    ]


def build_replicas(args: argparse.Namespace, endpoints: Path) -> list[Child]:
    """N action servers and N Rasa servers on free ports, for HAProxy to put in front."""
    replicas = [
        _actions_child(f"actions-{n}", free_port(), "actions") for n in range(1, 1 + args.replicas)
    ]
    replicas += [
        _rasa_child(args, endpoints, f"rasa-{n}", free_port(), "rasa")
        for n in range(1, 1 + args.replicas)
    ]
    return replicas


def build_scaled_children(
    args: argparse.Namespace, runtime_dir: Path, endpoints: Path
) -> list[Child]:
    replicas = build_replicas(args, endpoints)
    config = write_haproxy_config(runtime_dir, args, replicas)
    haproxy = Child(
        "haproxy",
        [haproxy_binary(), "-db", "-f", str(config)],  # -db: in the foreground, for us to stop
        f"http://{LOOPBACK}:{args.rasa_port}/webhooks/rest/",
    )
    return [*replicas, haproxy, _web_child(args)]


def wait_until_ready(children: list[Child], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    pending = list(children)
    while pending:
        for child in list(pending):
            if child.process.poll() is not None:
                raise LaunchError(
                    f"{child.name} exited during start-up (code {child.process.returncode})."
                )
            try:
                with urllib.request.urlopen(child.ready_url, timeout=2):  # noqa: S310 (loopback)
                    pending.remove(child)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
        if pending and time.monotonic() > deadline:
            names = ", ".join(c.name for c in pending)
            raise LaunchError(f"{names} did not become ready within {timeout_s:.0f} s.")
        if pending:
            time.sleep(0.25)


def stop_all(children: list[Child]) -> None:
    running = [c for c in children if c.process and c.process.poll() is None]
    for child in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.process.pid, signal.SIGKILL)
            child.process.wait()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--web-port", type=int, default=5000)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        help="another origin allowed to embed the chat (the partnership site); repeatable",
    )
    parser.add_argument(
        "--endpoints",
        type=Path,
        default=DEFAULT_ENDPOINTS,
        help="endpoints.yml to start from (tracker store); action_endpoint is filled in",
    )
    parser.add_argument(
        "--credentials",
        type=Path,
        default=PROJECT_ROOT / "credentials.yml",
        help="credentials.yml for Rasa: the chat channel and its limits",
    )
    parser.add_argument("--startup-timeout", type=float, default=STARTUP_TIMEOUT_S)
    parser.add_argument(
        "--replicas",
        type=int,
        help="N Rasa and N action servers behind HAProxy on the Rasa and action ports "
        "(endpoints: Redis tracker and lock stores, e.g. endpoints.scaled.yml)",
    )
    args = parser.parse_args(argv)
    if args.replicas is not None and args.replicas < 1:
        parser.error("--replicas must be at least 1")
    return args


def check_children(children: list[Child]) -> None:
    """Raises when the stack can no longer serve; a replica that stops is only reported."""
    for child in children:
        if child.process.poll() is None or child.reported:
            continue
        code = child.process.returncode
        left = sum(c.kind == child.kind and c.process.poll() is None for c in children)
        # Without action servers Rasa still answers, with the helpline (bot/rasa_server.py).
        if child.kind == "actions" or (child.kind == "rasa" and left):
            child.reported = True
            print(
                f"warning: {child.name} stopped (code {code}); HAProxy sends its work to the "
                f"{left} left.",
                file=sys.stderr,
                flush=True,
            )
            continue
        raise LaunchError(f"{child.name} stopped unexpectedly (code {code}).")


def _up_message(args: argparse.Namespace, children: list[Child]) -> str:
    lines = [
        "\nThe stack is up:",
        f"  Rasa (REST channel)  http://{LOOPBACK}:{args.rasa_port}/webhooks/rest/webhook",
        f"  Action server        http://{LOOPBACK}:{args.actions_port}/webhook",
        f"  Web app              http://{LOOPBACK}:{args.web_port}/",
    ]
    if args.replicas:
        lines[1] += " (HAProxy)"
        lines[2] += " (HAProxy)"
        lines += [f"  replica {c.name:<12} {c.url} pid {c.process.pid}" for c in children if c.kind]
    return "\n".join([*lines, "Press Ctrl-C to stop."])


def run(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_python()
    for port, what in (
        (args.rasa_port, "Rasa" if not args.replicas else "HAProxy (chat)"),
        (args.actions_port, "the action server" if not args.replicas else "HAProxy (actions)"),
        (args.web_port, "the web app"),
    ):
        check_port_free(port, what)
    if not args.model.exists():
        raise LaunchError(f"No trained model at {args.model}. Run `make run` to train one.")
    if args.replicas:
        check_scaled_endpoints(args.endpoints)
        haproxy_binary()
    check_tracker_store(args.endpoints)

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)

    with tempfile.TemporaryDirectory(prefix="vawg-run-") as runtime:
        endpoints = write_endpoints(Path(runtime), args.actions_port, args.endpoints)
        extra = {
            "VAWG_BOT_URL": f"http://{LOOPBACK}:{args.rasa_port}",
            # The chat channel refuses browsers posting from any other page.
            settings.CHAT_ORIGINS: " ".join(chat_origins(args)),
        }
        if args.replicas:
            # HAProxy is one trusted hop: the chat's limits count the address it forwards.
            extra["SANIC_PROXIES_COUNT"] = os.environ.get("SANIC_PROXIES_COUNT", "1")
            args.credentials = write_shared_limits(Path(runtime), args.credentials, endpoints)
            children = build_scaled_children(args, Path(runtime), endpoints)
        else:
            children = build_children(args, endpoints)
        env = child_environment(extra)
        try:
            # HAProxy last, once its servers answer, so its first checks find them up.
            first = [c for c in children if c.name != "haproxy"]
            for group in (first, [c for c in children if c.name == "haproxy"]):
                for child in group:
                    child.process = subprocess.Popen(
                        child.argv, cwd=PROJECT_ROOT, env=env, preexec_fn=_die_with_parent
                    )
                wait_until_ready(group, args.startup_timeout)
            print(_up_message(args, children), flush=True)
            while True:
                check_children(children)
                time.sleep(0.2)
        except StopRequested:
            pass
        finally:
            stop_all(children)
    print("Stopped.", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except LaunchError as error:
        print(f"error: {error}", file=sys.stderr, flush=True)
        return 2
