"""Matching speed over a generated directory of 10,000 services (targets: p50 < 2 ms, p95 < 5 ms
on SQLite). Prints figures for SQLite and, when reachable, PostgreSQL.

    .venv/bin/python bench/bench_matching.py [--services 10000] [--queries 2000]
        [--postgres postgresql://postgres@127.0.0.1:5432/test | --no-postgres]

Each timed query is a full `search()`: the freshness check against the database (one tiny
SELECT), place resolution, set operations, ranking and the result objects. The index build
(after any write) is timed separately. PostgreSQL runs in a throwaway database.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import insert

from directory.db import get_engine, session_scope, upgrade
from directory.matching import SearchQuery, current_index, search
from directory.models import (
    Attribute,
    Language,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    derived_id,
)
from directory.places import places
from directory.taxonomy import sync_taxonomies, term_id, vocabulary

PLACES = ["Pimlico", "W6", "SW10 0XE", "Notting Hill", "Shepherd's Bush", "Maida Vale", "W2",
          "Croydon", "E1 6AN", "Manchester", "westminster", None]  # fmt: skip


def generate(url: str, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    vocab = vocabulary()
    strands, needs = list(vocab.terms["strand"]), list(vocab.terms["need"])
    audiences, languages = list(vocab.terms["audience"]), list(vocab.terms["language"])
    boroughs = list(places().labels)
    ours = list(places().partnership)
    rows: dict[type, list[dict]] = {
        m: [] for m in (Service, Phone, ServiceArea, Attribute, Language, Schedule)
    }
    orgs = [{"id": f"org-{i}", "name": f"Organisation {i}", "description": ""} for i in range(500)]
    for i in range(count):
        sid = f"svc-{i:05d}"
        scope = rng.choices(["local", "pan-london", "national"], [70, 20, 10])[0]
        rows[Service].append(
            {
                "id": sid,
                "organization_id": f"org-{i % 500}",
                "name": f"Service {rng.randrange(10**6):06d}",
                "description": "Generated for the benchmark.",
                "status": "active" if rng.random() < 0.95 else "defunct",
                "scope": scope,
                "referral_route": rng.choice(["self", "professional", "both"]),
                "gender": rng.choices(["any", "women", "men"], [70, 25, 5])[0],
                "minimum_age": rng.choice([None, None, 16, 18]),
                "open_24_7": rng.random() < 0.05,
                "contact_verified": rng.random() < 0.5,
                "version": 1,
            }
        )
        rows[Phone].append({"id": derived_id(sid, "phone", 0), "service_id": sid, "position": 0,
                            "number": "020 7946 0000", "type": "voice"})  # fmt: skip
        if scope == "local":
            pool = ours if rng.random() < 0.5 else boroughs
            for b in rng.sample(pool, rng.randint(1, 2)):
                rows[ServiceArea].append(
                    {"id": derived_id(sid, "area", b), "service_id": sid, "borough": b, "name": b}
                )
        tags = [("strand", s) for s in rng.sample(strands, rng.randint(1, 3))]
        tags += [("need", n) for n in rng.sample(needs, rng.randint(1, 3))]
        tags += [("audience", a) for a in rng.sample(audiences, rng.choice([0, 0, 1, 2]))]
        for taxonomy, code in tags:
            rows[Attribute].append(
                {
                    "id": derived_id(sid, "attr", taxonomy, code),
                    "link_id": sid,
                    "link_entity": "service",
                    "taxonomy_term_id": term_id(taxonomy, code),
                }
            )
        if rng.random() < 0.1:
            code = rng.choice(languages)
            rows[Language].append(
                {"id": derived_id(sid, "lang", code), "service_id": sid, "code": code, "name": code}
            )
        if rng.random() < 0.3:
            rows[Schedule].append(
                {
                    "id": derived_id(sid, "schedule", 0),
                    "service_id": sid,
                    "position": 0,
                    "freq": "WEEKLY",
                    "byday": "MO,TU,WE,TH,FR",
                    "opens_at": "09:00",
                    "closes_at": "17:00",
                }
            )
    with session_scope(url) as session:
        sync_taxonomies(session)
        session.execute(insert(Organization), orgs)
        for model in (Service, Phone, ServiceArea, Attribute, Language, Schedule):
            if rows[model]:
                session.execute(insert(model), rows[model])


def queries(n: int, seed: int = 11) -> list[SearchQuery]:
    rng = random.Random(seed)
    vocab = vocabulary()
    strands, needs = list(vocab.terms["strand"]), list(vocab.terms["need"])
    out = []
    for _ in range(n):
        out.append(
            SearchQuery(
                place=rng.choice(PLACES),
                strands=tuple(rng.sample(strands, rng.choice([0, 1, 1, 2]))),
                needs=tuple(rng.sample(needs, rng.choice([0, 1, 1]))),
                audiences=tuple(
                    rng.sample(["women", "men", "lgbt", "young-people"], rng.choice([0, 0, 1]))
                ),
                age=rng.choice([None, None, 15, 30]),
                languages=("ar",) if rng.random() < 0.1 else (),
                open_now=rng.random() < 0.2,
            )
        )
    return out


def measure(label: str, url: str, count: int, n_queries: int) -> None:
    upgrade(url)
    started = time.perf_counter()
    generate(url, count)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = current_index(url)
    build = time.perf_counter() - started
    batch = queries(n_queries)
    for query in batch[:200]:  # warm up
        search(query, url)
    timings, cpu = [], []
    widened = 0
    for query in batch:
        c0, t0 = time.thread_time(), time.perf_counter()
        result = search(query, url)
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        widened += result.widened
        assert result.matches
    timings.sort()
    cpu.sort()
    p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]  # noqa: E731
    c = lambda q: cpu[min(len(cpu) - 1, int(q * len(cpu)))]  # noqa: E731
    print(
        f"{label}: {len(index.entries)} active of {count} services; "
        f"generated in {generated:.1f} s; index build {build * 1000:.0f} ms\n"
        f"  {n_queries} searches: p50 {p(0.50):.3f} ms, p95 {p(0.95):.3f} ms, "
        f"p99 {p(0.99):.3f} ms, "
        f"mean {statistics.mean(timings):.3f} ms, max {timings[-1]:.3f} ms ({widened} widened)\n"
        f"  CPU time per search (this thread; excludes waiting for a busy machine): "
        f"p50 {c(0.50):.3f} ms, p95 {c(0.95):.3f} ms, p99 {c(0.99):.3f} ms\n"
        f"  machine load average while measuring: {os.getloadavg()[0]:.1f}"
    )
    # After a write (e.g. the editor saving), the next search rebuilds the index once.
    with session_scope(url) as session:
        session.get(Service, "svc-00001").name = "Renamed"
    t0 = time.perf_counter()
    search(batch[0], url)
    print(
        f"  first search after a write (index rebuild): {(time.perf_counter() - t0) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.services, args.queries)
    if args.no_postgres:
        return
    import psycopg2

    try:
        admin = psycopg2.connect(args.postgres, connect_timeout=3)
    except psycopg2.OperationalError as error:
        print(f"PostgreSQL: not reachable ({error}); skipped")
        return
    admin.autocommit = True
    name = f"vawg_bench_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.postgres.rsplit('/', 1)[0]}/{name}"
    try:
        measure("PostgreSQL", url, args.services, args.queries)
    finally:
        get_engine(url).dispose()
        get_engine.cache_clear()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
