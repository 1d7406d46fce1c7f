"""Open Referral UK API speed over a generated directory of 10,000 services (target:
`/services?per_page=50` p95 <= 50 ms). SQLite in a temporary folder.

    .venv/bin/python bench/bench_oruk.py [--services 10000] [--requests 200]

Each timed request goes through Flask's test client, whole: the throttle, the freshness check
against the database (one small SELECT of the data version), the filters, the page and its
JSON. The feed's build (once per data version: every service serialised) is timed separately,
as the first request after a write is.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bench.bench_matching import generate  # noqa: E402
from directory.db import session_scope, upgrade  # noqa: E402
from directory.models import Service  # noqa: E402
from directory.taxonomy import term_id  # noqa: E402
from directory.web import create_app  # noqa: E402

TARGET_P95_MS = 50
# A few pages, with and without search and filters, as a harvester and a search box ask.
REQUESTS = [
    "/api/oruk/services?per_page=50",
    "/api/oruk/services?per_page=50&page=2",
    "/api/oruk/services?per_page=50&page=117",
    "/api/oruk/services?per_page=50&search=service",
    "/api/oruk/services?per_page=50&search=service%2012",
    "/api/oruk/services?per_page=50&search=generated&page=3",
    f"/api/oruk/services?per_page=50&taxonomy_term_id={term_id('strand', 'stalking')}",
    "/api/oruk/services?per_page=50&postcode=W6&day=MO",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(url: str, count: int, n_requests: int) -> float:
    upgrade(url)
    started = time.perf_counter()
    generate(url, count)
    generated = time.perf_counter() - started
    app = create_app(
        {"DIRECTORY_DATABASE_URL": url, "SECRET_KEY": "bench", "ORUK_REQUESTS_PER_MINUTE": 10**9}
    )
    client = app.test_client()
    started = time.perf_counter()
    first = client.get(REQUESTS[0])
    build = time.perf_counter() - started
    assert first.status_code == 200 and first.get_json()["total_items"] == count
    for path in REQUESTS:  # warm up
        assert client.get(path).status_code == 200
    timings: dict[str, list[float]] = {"plain": [], "search": []}
    for i in range(n_requests):
        path = REQUESTS[i % len(REQUESTS)]
        t0 = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)
        timings["search" if "search=" in path else "plain"].append(elapsed)
    every = timings["plain"] + timings["search"]
    print(
        f"SQLite: {count} services; generated in {generated:.1f} s; "
        f"feed build (first request) {build * 1000:.0f} ms"
    )
    for label, values in (*timings.items(), ("all", every)):
        print(
            f"  {label:6} {len(values):4} requests: p50 {percentile(values, 0.5):.2f} ms, "
            f"p95 {percentile(values, 0.95):.2f} ms, mean {statistics.mean(values):.2f} ms, "
            f"max {max(values):.2f} ms"
        )
    print(f"  machine load average while measuring: {os.getloadavg()[0]:.1f}")
    with session_scope(url) as session:
        session.get(Service, "svc-00001").name = "Renamed"
    t0 = time.perf_counter()
    client.get(REQUESTS[0])
    print(
        f"  first request after a write (feed rebuild): {(time.perf_counter() - t0) * 1000:.0f} ms"
    )
    return percentile(every, 0.95)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        p95 = measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.services, args.requests)
    verdict = "meets" if p95 <= TARGET_P95_MS else "misses"
    print(f"p95 {p95:.2f} ms {verdict} the target of {TARGET_P95_MS} ms")
    sys.exit(0 if p95 <= TARGET_P95_MS else 1)


if __name__ == "__main__":
    main()
