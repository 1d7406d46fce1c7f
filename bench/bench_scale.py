"""Scaling benchmark: the same conversations as bench_load.py against one and against two Rasa
servers (each with its action server), behind HAProxy, on Redis tracker and lock stores, as
`make run-scaled` runs them.

    .venv/bin/python bench/bench_scale.py                 # 1 and 2 servers, 20 and 100 at once
    .venv/bin/python bench/bench_scale.py --replicas 1 2 3

Prints, per number of servers and of concurrent conversations: messages, p50/p95 latency,
throughput, CPU ms per message of the Rasa and action servers (from their own counters in
/proc) and of HAProxy, and the ratio of throughput to one server's. Also prints the machine's
cores and load average, since two servers can only beat one where there are cores to spare.

Target (issue 21): 2 servers give at least 1.6x the throughput of 1 where cores allow.
Needs this machine's Redis (127.0.0.1:6379) and HAProxy (`make haproxy`). Conversations are
kept under a key prefix of the bench's own and expire after 10 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import uuid
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from bench.bench_load import (  # noqa: E402
    MODEL,
    run_level,
    servers_cpu_seconds,
    start_stack,
    stop_stack,
)

REDIS_URL = "redis://127.0.0.1:6379/0"
LEVELS = (20, 100)
SPEED_UP_TARGET = 1.6


def scaled_endpoints(workdir: Path) -> Path:
    """endpoints.scaled.yml with a key prefix of this run's own and a short expiry."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.scaled.yml").read_text())
    prefix = f"vawg-bench-{uuid.uuid4().hex[:8]}:"
    endpoints["tracker_store"].update(url=REDIS_URL, key_prefix=prefix, ttl_seconds=600)
    endpoints["lock_store"].update(url=REDIS_URL, key_prefix=prefix)
    path = workdir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints))
    return path


def measure(replicas: int, model: Path, per_worker: int) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix=f"vawg-bench-scale-{replicas}-"))
    args = ("--replicas", str(replicas), "--endpoints", str(scaled_endpoints(workdir)))
    process, url, _ = start_stack(model, args, workdir)
    try:
        asyncio.run(run_level(url, 4, 8, parent=process.pid))  # warm up every server
        rows = []
        for level in LEVELS:
            haproxy_before = servers_cpu_seconds(("haproxy",), process.pid)
            figures = asyncio.run(run_level(url, level, level * per_worker, parent=process.pid))
            haproxy = servers_cpu_seconds(("haproxy",), process.pid) - haproxy_before
            figures["haproxy_cpu_ms"] = haproxy * 1000 / max(figures["messages"], 1)
            rows.append({"replicas": replicas, **figures})
        return rows
    finally:
        stop_stack(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--conversations-per-worker", type=int, default=3)
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    print(f"cores: {cores} usable ({os.cpu_count()} on the machine)")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    per_worker = args.conversations_per_worker
    rows = [row for n in args.replicas for row in measure(n, args.model, per_worker)]

    header = ("servers", "at once", "messages", "p50 ms", "p95 ms", "msg/s", "x one",
              "CPU ms/msg", "HAProxy")  # fmt: skip
    print("{:>7} {:>7} {:>8} {:>7} {:>7} {:>7} {:>6} {:>10} {:>7}".format(*header))
    one = {row["concurrency"]: row["throughput"] for row in rows if row["replicas"] == 1}
    for row in rows:
        ratio = row["throughput"] / one[row["concurrency"]] if row["concurrency"] in one else None
        print(
            f"{row['replicas']:>7} {row['concurrency']:>7} {row['messages']:>8} "
            f"{row['p50_ms']:>7.0f} {row['p95_ms']:>7.0f} {row['throughput']:>7.1f} "
            f"{ratio if ratio is None else format(ratio, '.2f'):>6} {row['cpu_ms']:>10.1f} "
            f"{row['haproxy_cpu_ms']:>7.2f}"
        )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(
        f"target: 2 servers >= {SPEED_UP_TARGET}x the throughput of 1 where cores allow; each "
        f"Rasa server uses about one core at full load, so {cores} cores allow "
        f"{'it' if cores >= 4 else 'little gain'} (servers, action servers and HAProxy share them)"
    )


if __name__ == "__main__":
    main()
