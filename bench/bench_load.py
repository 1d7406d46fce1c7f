"""Load benchmark for the survivors' assistant over the REST channel.

Realistic multi-turn conversations (greetings, directory searches through the form, skips,
changes of mind, FAQs, "show more"), each with its own random sender id (uuid4), at 1, 20 and
100 concurrent conversations. Prints p50/p95 latency per message, throughput, and the CPU
time per message of the Rasa and action server processes (from their own counters in /proc,
so it does not depend on how busy the machine is).

    .venv/bin/python bench/bench_load.py              # starts its own stack on free ports
    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:5005

Targets on the 2-core dev machine: p95 <= 150 ms at 1, p95 <= 300 ms at 20, >= 40 msg/s at 100,
and at most 10 ms of CPU per message (Rasa and action server together).

Also prints the CPU the insight counters add per message (directory.insight: what a search
counts, and the flush amortised over the batch; target <= 0.2 ms), measured in this process;
`--counting-only` prints that figure alone, without starting the stack.
Bounded: only 127.0.0.1, a fixed number of conversations per level and a time cap.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import aiohttp
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from tests.conftest import CHANNEL, LOOPBACK_LIMITS  # noqa: E402

MODEL = PROJECT_ROOT / "models" / "vawg.tar.gz"
LEVELS = (1, 20, 100)
TARGETS = {1: "p95 <= 150 ms", 20: "p95 <= 300 ms", 100: ">= 40 msg/s"}
CPU_MS_TARGET = 10
LEVEL_TIME_CAP_S = 180
STARTUP_TIMEOUT_S = 300

CONVERSATIONS = [
    ["hi", "I need a refuge in Westminster", "show more", "thank you"],
    ["he checks my phone and won't let me see my friends", "kensington", "show more"],
    ["i need some help", "counselling", "W6", "actually I'm in Chelsea"],
    ["what is coercive control", "I'm in Croydon and need a helpline", "bye"],
    ["can you help me", "not sure", "I'd rather not say", "start again"],
    ["my sister's husband hits her, where can she get help", "hammersmith", "different area"],
    ["is there counselling in pimlico", "show more", "what is clare's law"],
    ["they want me to marry my cousin back home", "skip", "thanks"],
    # In the full languages (issue 18): detection and the language's patterns on every turn.
    ["mi marido me controla el dinero y no me deja salir", "vivo en Fulham", "gracias"],
    ["زوجي يضربني وأحتاج مكان آمن", "Westminster", "شكرا"],
]


SERVER_MODULES = ("bot.rasa_server", "bot.actions_server")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def servers_cpu_seconds(
    modules: tuple[str, ...] = SERVER_MODULES, parent: int | None = None
) -> float:
    """User + system CPU seconds used so far by every Rasa and action server process here, or
    only by the children of `parent` (one launcher), when other stacks share the machine."""
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not any(module in command for module in modules):
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if parent is not None and int(fields[1]) != parent:  # ppid
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def converse(session, url: str, script: list[str], latencies: list[float]) -> None:
    sender = str(uuid.uuid4())
    for text in script:
        started = time.perf_counter()
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            response.raise_for_status()
            await response.json()
        latencies.append(time.perf_counter() - started)


async def run_level(
    rasa_url: str,
    concurrency: int,
    conversations: int,
    parent: int | None = None,
    modules: tuple[str, ...] = SERVER_MODULES,
) -> dict:
    url = f"{rasa_url}/webhooks/rest/webhook"
    latencies: list[float] = []
    queue = asyncio.Queue()
    for number in range(conversations):
        queue.put_nowait(CONVERSATIONS[number % len(CONVERSATIONS)])

    async def worker(session):
        while not queue.empty():
            await converse(session, url, queue.get_nowait(), latencies)

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        cpu_before = servers_cpu_seconds(modules, parent)
        actions_before = servers_cpu_seconds(("bot.actions_server",), parent)
        started = time.perf_counter()
        workers = [asyncio.create_task(worker(session)) for _ in range(concurrency)]
        await asyncio.wait_for(asyncio.gather(*workers), LEVEL_TIME_CAP_S)
        elapsed = time.perf_counter() - started
        cpu = servers_cpu_seconds(modules, parent) - cpu_before
        actions_cpu = servers_cpu_seconds(("bot.actions_server",), parent) - actions_before
    return {
        "cpu_ms": cpu * 1000 / max(len(latencies), 1),
        "actions_cpu_ms": actions_cpu * 1000 / max(len(latencies), 1),
        "concurrency": concurrency,
        "messages": len(latencies),
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "throughput": len(latencies) / elapsed,
    }


def start_stack(
    model: Path, launcher_args: tuple[str, ...] = (), workdir: Path | None = None
) -> tuple[subprocess.Popen, str, Path]:
    """The launcher on free ports with `launcher_args` (bench_scale: --replicas, --endpoints)."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="vawg-bench-"))
    env = dict(os.environ, DIRECTORY_DATABASE_URL=f"sqlite:///{workdir / 'directory.sqlite3'}")
    for command in ("init-db", "seed"):
        subprocess.run([sys.executable, "-m", "directory", command], env=env, check=True,
                       cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
    ports = [free_port() for _ in range(3)]
    # Every benchmark client is 127.0.0.1: the per-client limits would refuse them all.
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    credentials[CHANNEL]["limits"] = LOOPBACK_LIMITS
    (workdir / "credentials.yml").write_text(yaml.safe_dump(credentials))
    log_path = workdir / "stack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--rasa-port", str(ports[0]),
             "--actions-port", str(ports[1]), "--web-port", str(ports[2]), "--model", str(model),
             "--credentials", str(workdir / "credentials.yml"), *launcher_args],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while "The stack is up" not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            sys.exit(f"The stack did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.5)
    return process, f"http://127.0.0.1:{ports[0]}", workdir


def stop_stack(process: subprocess.Popen) -> None:
    """One signal stops the launcher and every server it started."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


COUNTING_TARGET_MS = 0.2


def counting_cpu_ms_per_message(messages: int = 20000) -> float:
    """CPU ms per message of counting: a search with every dimension (the most a message
    counts: the search, a gap and a danger reply), then one flush of the whole batch to a
    temporary SQLite directory, as the background timer would."""
    from actions.search import count_search
    from actions.signals import Signals
    from directory import insight
    from directory.db import upgrade

    url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-counting-')}/directory.sqlite3"
    upgrade(url)
    counter = insight.Counter(url)
    insight.install(counter)
    boroughs = ("westminster", "kensington-and-chelsea", "hammersmith-and-fulham", "camden", None)
    strands = ("domestic-abuse", "stalking", "sexual-violence", "fgm")
    needs = ("refuge", "idva", "counselling", "helpline", "legal-advice")
    signals = [
        Signals(
            borough=b,
            strands=(s,),
            needs=(n,),
            audiences=("women",),
            languages=("pl",) if i % 7 == 0 else (),
            role="gp" if i % 5 == 0 else None,
        )
        for i, (b, s, n) in enumerate((b, s, n) for b in boroughs for s in strands for n in needs)
    ]
    count_search(signals[0], True, [])  # warm the vocabulary caches
    counter.flush()
    started = time.process_time()
    for i in range(messages):
        count_search(signals[i % len(signals)], i % 3 == 0, [])
        insight.record("danger", asker="survivor")
    counter.flush()
    elapsed = time.process_time() - started
    insight.install(None)
    return 1000 * elapsed / messages


def print_counting() -> None:
    ms = counting_cpu_ms_per_message()
    print(
        f"insight counting: {ms:.4f} ms CPU per message (search + gap + danger, flush "
        f"included); target <= {COUNTING_TARGET_MS} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--conversations-per-worker", type=int, default=3)
    parser.add_argument(
        "--counting-only", action="store_true", help="only the insight counters' CPU per message"
    )
    args = parser.parse_args()
    print_counting()
    if args.counting_only:
        return
    if args.url and urlparse(args.url).hostname != "127.0.0.1":
        sys.exit("This benchmark only talks to 127.0.0.1.")

    process = None
    url = args.url
    if not url:
        process, url, workdir = start_stack(args.model)
        print(f"stack started at {url} (logs in {workdir})")
    try:
        asyncio.run(run_level(url, 4, 8))  # warm up: models, caches, connection pools
        header = ("conversations", "messages", "p50 ms", "p95 ms", "msg/s", "CPU ms/msg", "actions")
        print("{:>13} {:>9} {:>8} {:>8} {:>7} {:>11} {:>8}  target".format(*header))
        for level in LEVELS:
            figures = asyncio.run(run_level(url, level, level * args.conversations_per_worker))
            print(
                f"{level:>13} {figures['messages']:>9} {figures['p50_ms']:>8.0f} "
                f"{figures['p95_ms']:>8.0f} {figures['throughput']:>7.1f} "
                f"{figures['cpu_ms']:>11.1f} {figures['actions_cpu_ms']:>8.1f}  {TARGETS[level]}"
            )
        print(f"CPU per message target: <= {CPU_MS_TARGET} ms (Rasa and action server together)")
    finally:
        if process is not None:
            stop_stack(process)


if __name__ == "__main__":
    main()
