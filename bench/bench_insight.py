"""The insight dashboard with a year of counters: how long the page takes to render.

Fills a temporary SQLite directory with 365 days of counters (a few hundred search
combinations a day across borough × strand × need × audience × language × who asked, plus
gaps, pathways, danger replies and quick exits), then renders /editor/insight through the
Flask test client as an analyst, for the last year and for all time, and prints p50/p95.

    .venv/bin/python bench/bench_insight.py [--per-day 300] [--renders 20]

Target: p95 <= 300 ms with a year of counters.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

TARGET_MS = 300


def fill(url: str, per_day: int, seed: int = 7) -> int:
    from directory import insight
    from directory.pathways.situations import DA_HIGH, DA_STANDARD
    from directory.places import partnership_boroughs
    from directory.taxonomy import vocabulary

    rng = random.Random(seed)
    terms = vocabulary().terms
    boroughs = [*partnership_boroughs(), insight.OUTSIDE_AREA, insight.NOT_GIVEN]
    strands = [*terms["strand"], insight.NOT_GIVEN]
    needs = [*terms["need"], insight.NOT_GIVEN]
    audiences = [*terms["audience"], insight.NOT_GIVEN]
    languages = [*list(terms["language"])[:6], insight.NOT_GIVEN]
    today = insight.today()
    rows = 0
    for back in range(365):
        day = today - timedelta(days=back)
        batch: dict[tuple, int] = {}
        for _ in range(per_day):
            borough, strand, need = rng.choice(boroughs), rng.choice(strands), rng.choice(needs)
            audience, asker = rng.choice(audiences), rng.choice(insight.ASKERS)
            key = (day, "search", borough, strand, need, audience, rng.choice(languages), asker)
            batch[(*key, "-")] = batch.get((*key, "-"), 0) + rng.randint(1, 9)
            if rng.random() < 0.2:
                gap = (day, "gap", borough, strand, need, audience, "-", "-", "widened")
                batch[gap] = batch.get(gap, 0) + 1
        for pathway in (DA_HIGH, DA_STANDARD):
            for borough in boroughs:
                batch[(day, "pathway", borough, *["-"] * 4, "professional", pathway)] = 3
        batch[(day, "danger", *["-"] * 5, "survivor", "-")] = rng.randint(0, 12)
        batch[(day, "quick-exit", *["-"] * 7)] = rng.randint(0, 20)
        insight.add_counts(batch, url)
        rows += len(batch)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--renders", type=int, default=20)
    args = parser.parse_args()

    from directory import db
    from directory.editor.accounts import create_maintainer, start_session
    from directory.web import create_app
    from directory.web.auth import SESSION_KEY

    workdir = Path(tempfile.mkdtemp(prefix="bench-insight-"))
    url = f"sqlite:///{workdir / 'directory.sqlite3'}"
    db.upgrade(url)
    started = time.perf_counter()
    rows = fill(url, args.per_day)
    print(f"{rows} counter rows for 365 days in {time.perf_counter() - started:.1f} s ({url})")
    with db.session_scope(url) as session:
        analyst = create_maintainer(
            session, "analyst@example.org", "a long bench password", "analyst"
        )
        token = start_session(session, analyst)
    app = create_app({"SECRET_KEY": "bench-only", "DIRECTORY_DATABASE_URL": url, "TESTING": True})
    client = app.test_client()
    cookie = app.session_interface.get_signing_serializer(app).dumps({SESSION_KEY: token})
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
    print(f"{'period':>8} {'p50 ms':>8} {'p95 ms':>8} {'KB':>6}  target p95 <= {TARGET_MS} ms")
    for period in ("365", "all", "30"):
        timings, size = [], 0
        client.get(f"/editor/insight?period={period}")  # warm: templates, vocabulary
        for _ in range(args.renders):
            begun = time.perf_counter()
            response = client.get(f"/editor/insight?period={period}")
            timings.append(1000 * (time.perf_counter() - begun))
            assert response.status_code == 200, response.status_code
            size = len(response.data)
        timings.sort()
        p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
        print(f"{period:>8} {statistics.median(timings):>8.0f} {p95:>8.0f} {size // 1024:>6}")


if __name__ == "__main__":
    main()
