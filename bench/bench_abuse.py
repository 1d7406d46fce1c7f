"""Does the chat hold under abuse? Two measurements over the real REST channel, each on its own
stack started here (production limits from credentials.yml, one trusted proxy hop so each
simulated person has their own address).

    .venv/bin/python bench/bench_abuse.py flood   # new senders at full speed beside 20 people
    .venv/bin/python bench/bench_abuse.py long    # one conversation of 300 long messages

flood: 20 people hold conversations (a message every THINK_S seconds, each from its own
address) for a baseline period, and carry on for FLOOD_S seconds while new senders, each from
a new address, arrive at the server's maximum rate (`--rate`; a flood spread over many
addresses, which per-address limits alone cannot stop). The conversation
cap is lowered to CAP so the flood presses on it. Targets: the 20 keep p95 within 2x their
baseline, and none of them is evicted (each turn first checks, through the test hook, that
the conversation is still held).

long: one sender sends 300 messages of 2,000 characters. Target: turn 300 within 2x turn 1
(the tracker is compacted as it grows, bot/tracker_store.py).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
from bench.bench_load import CONVERSATIONS, percentile  # noqa: E402
from tests.conftest import CHANNEL, LOOPBACK_LIMITS, launch_stack  # noqa: E402

PEOPLE = 20
THINK_S = 3.0
BASELINE_S = 30
FLOOD_S = 60
FLOOD_RATE = 60  # msg/s: bench_load.py at 100 concurrent on the 2-core machine
CAP = 300
LONG_TURNS = 300
LONG_CHARS = 2000


def production_limits() -> dict:
    credentials = yaml.safe_load((PROJECT_ROOT / "credentials.yml").read_text())
    return credentials[CHANNEL]["limits"]


async def person(session, rasa_url: str, number: int, flood_from: float, until: float, record):
    """One person talking, from their own address, until `until` (monotonic); each message's
    latency is filed under "baseline" or "flood" by when it was sent."""
    address = f"10.1.0.{number + 1}"
    script = CONVERSATIONS[number % len(CONVERSATIONS)]
    sender = str(uuid.uuid4())
    turn, held = 0, False
    await asyncio.sleep(THINK_S * number / PEOPLE)  # people arrive one by one, not at once
    while time.monotonic() < until:
        if held:
            hook = f"{rasa_url}/webhooks/rest/_test/tracker/{sender}"
            async with session.get(hook) as response:
                if not (await response.json())["exists"]:
                    record["evicted"] += 1
                    held = False
        phase = "flood" if time.monotonic() >= flood_from else "baseline"
        started = time.perf_counter()
        payload = {"sender": sender, "message": script[turn % len(script)]}
        headers = {"X-Forwarded-For": address}
        async with session.post(
            f"{rasa_url}/webhooks/rest/webhook", json=payload, headers=headers
        ) as response:
            await response.read()
            statuses = record["statuses"][phase]
            statuses[response.status] = statuses.get(response.status, 0) + 1
            held = held or response.status == 200
        record[phase].append(time.perf_counter() - started)
        turn += 1
        await asyncio.sleep(THINK_S)


async def flooder(session, rasa_url: str, until: float, rate: float, record: dict) -> None:
    """New senders from new addresses at `rate` a second, whatever the answers (each request
    is its own task, so slow answers do not slow the flood)."""
    pending = set()

    async def one() -> None:
        address = f"172.{random.randrange(16, 32)}.{random.randrange(256)}.{random.randrange(256)}"
        payload = {"sender": str(uuid.uuid4()), "message": "hi"}
        try:
            async with session.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json=payload,
                headers={"X-Forwarded-For": address},
            ) as response:
                await response.read()
                status = response.status
        except aiohttp.ClientError as error:
            status = type(error).__name__
        record[status] = record.get(status, 0) + 1

    start = time.monotonic()
    sent = 0
    while time.monotonic() < until:
        sent += 1
        task = asyncio.create_task(one())
        pending.add(task)
        task.add_done_callback(pending.discard)
        await asyncio.sleep(max(0.0, start + sent / rate - time.monotonic()))
    await asyncio.gather(*pending)


async def flood(rasa_url: str, rate: float) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, timeout=aiohttp.ClientTimeout(total=60)
    ) as session:
        warm: dict = {"baseline": [], "flood": [], "statuses": {"baseline": {}, "flood": {}}}
        await person(
            session, rasa_url, 0, float("inf"), time.monotonic() + 3, {**warm, "evicted": 0}
        )
        # The 20 start talking; BASELINE_S later the flood begins, and they carry on through it.
        record = {"baseline": [], "flood": [], "evicted": 0}
        record["statuses"] = {"baseline": {}, "flood": {}}
        flooded: dict = {}
        flood_from = time.monotonic() + BASELINE_S
        until = flood_from + FLOOD_S

        async def flood_later():
            await asyncio.sleep(BASELINE_S)
            await flooder(session, rasa_url, until, rate, flooded)

        await asyncio.gather(
            *(person(session, rasa_url, n, flood_from, until, record) for n in range(PEOPLE)),
            flood_later(),
        )
    base_p95 = percentile(record["baseline"], 0.95) * 1000
    flood_p95 = percentile(record["flood"], 0.95) * 1000
    sent = sum(flooded.values())
    print(f"people: {PEOPLE}, a message every {THINK_S} s each; conversation cap {CAP}")
    for phase, seconds in (("baseline", BASELINE_S), ("flood", FLOOD_S)):
        latencies = record[phase]
        print(
            f"people, {phase} ({seconds} s): {len(latencies)} messages, "
            f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, statuses {record['statuses'][phase]}"
        )
    print(
        f"flood (each request a new sender from a new address, {rate:.0f}/s asked): {sent} "
        f"requests, {sent / FLOOD_S:.0f}/s; by status {flooded}"
    )
    print(
        f"p95 ratio {flood_p95 / base_p95:.2f} (target <= 2.00); "
        f"conversations under way evicted: {record['evicted']} (target 0)"
    )


async def long(rasa_url: str) -> None:
    sender = str(uuid.uuid4())
    words = "he keeps calling me and I do not know what to do about it "
    text = (words * (LONG_CHARS // len(words) + 1))[:LONG_CHARS]
    latencies = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for _ in range(10):  # warm up models and caches with someone else's short conversation
            warm = {"sender": str(uuid.uuid4()), "message": "I need a refuge"}
            async with session.post(f"{rasa_url}/webhooks/rest/webhook", json=warm) as response:
                await response.read()
        for _ in range(LONG_TURNS):
            started = time.perf_counter()
            async with session.post(
                f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            ) as response:
                response.raise_for_status()
                await response.read()
            latencies.append(time.perf_counter() - started)

    def around(turn: int) -> float:  # the median of five turns, so one GC pause is not a figure
        window = latencies[max(0, turn - 3) : turn + 2]
        return statistics.median(window) * 1000

    print(f"one sender, {LONG_TURNS} messages of {LONG_CHARS} characters")
    for turn in (1, 50, 100, 200, 300):
        print(f"  turn {turn:>3}: {around(turn):6.0f} ms (median of turns around it)")
    print(f"turn 300 / turn 1: {around(300) / around(1):.2f} (target <= 2.00)")
    print(f"total {sum(latencies):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("flood", "long"))
    parser.add_argument(
        "--rate",
        type=float,
        default=FLOOD_RATE,
        help="new senders a second in the flood (default: the server's maximum throughput, "
        "as bench_load.py measures it at 100 concurrent conversations)",
    )
    args = parser.parse_args()
    store = {
        "type": "bot.tracker_store.EphemeralInMemoryTrackerStore",
        "ttl_seconds": 1800,
        "max_conversations": CAP if args.what == "flood" else 20000,
    }
    limits = production_limits() if args.what == "flood" else LOOPBACK_LIMITS
    with (
        tempfile.TemporaryDirectory(prefix="vawg-abuse-") as workdir,
        launch_stack(
            Path(workdir), store, limits=limits, extra_env={"SANIC_PROXIES_COUNT": "1"}
        ) as stack,
    ):
        asyncio.run(
            flood(stack.rasa_url, args.rate) if args.what == "flood" else long(stack.rasa_url)
        )


if __name__ == "__main__":
    main()
