"""Insight counters: vocabulary ids only, one day at a time, suppressed below 5, safe with
several writers on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select, text

from directory import insight
from directory.__main__ import main
from directory.db import get_engine, upgrade

DAY = date(2026, 11, 2)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'insight.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    upgrade(url)
    return url


def _rows(url):
    with get_engine(url).connect() as connection:
        return [r._asdict() for r in connection.execute(select(insight.InsightCount.__table__))]


def test_the_migration_makes_the_table_and_lets_analysts_in_on_both_back_ends(url):
    columns = {c["name"]: c for c in inspect(get_engine(url)).get_columns("insight_count")}
    assert set(columns) == {"day", "event", *insight.DIMENSIONS, "count"}
    with get_engine(url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO editor_maintainer (email, password_hash, role, active, created_at)"
                " VALUES ('a@example.org', 'x', 'analyst', true, '2026-12-01')"
            )
        )
    refused = text(
        "INSERT INTO editor_maintainer (email, password_hash, role, active, created_at)"
        " VALUES ('b@example.org', 'x', 'boss', true, '2026-12-01')"
    )
    with (
        pytest.raises(Exception, match="editor_maintainer_role|CHECK"),
        get_engine(url).begin() as connection,
    ):
        connection.execute(refused)


def test_counts_are_batched_in_memory_until_flushed_and_then_added_up(url):
    counter = insight.Counter(url, clock=lambda: DAY)
    for _ in range(3):
        counter.record("search", borough="westminster", strand="domestic-abuse", need="refuge")
    counter.record("danger", asker="survivor")
    assert _rows(url) == []  # nothing written at the time of the search
    assert counter.flush() == 2
    assert counter.flush() == 0
    for _ in range(4):
        counter.record("search", borough="westminster", strand="domestic-abuse", need="refuge")
    counter.flush()
    rows = {(r["event"], r["borough"]): r["count"] for r in _rows(url)}
    assert rows == {("search", "westminster"): 7, ("danger", "-"): 1}


def test_free_text_can_never_become_a_dimension():
    counter = insight.Counter("sqlite://", clock=lambda: DAY)
    counter.record(
        "search",
        borough="my street, W6",
        strand="he hits me",
        need="refuge",
        audience="women",
        language="not a language",
        asker="Jane",
        detail="call me on 07700",
    )
    [key] = counter.pending()
    assert key == (DAY, "search", "other", "other", "refuge", "women", "other", "other", "other")
    with pytest.raises(ValueError):
        counter.record("my whole message")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("westminster", "westminster"),
        ("camden", "outside-area"),
        ("outside-london", "outside-area"),
        (None, "not-given"),
        ("any", "not-given"),
        ("Flat 2, 10 Some Road", "other"),
    ],
)
def test_boroughs_are_the_partnership_s_or_a_fixed_id(value, expected):
    assert insight.borough_id(value) == expected


def test_no_row_can_be_tied_to_a_conversation_or_a_time_finer_than_a_day(url):
    counter = insight.Counter(url)
    counter.record("search", borough="westminster", strand="stalking", asker="survivor")
    counter.record("quick-exit")
    counter.flush()
    table = insight.InsightCount.__table__
    # The schema: a DATE, vocabulary ids and a count; nothing else could hold a conversation.
    assert {c.name: type(c.type).__name__ for c in table.columns} == {
        "day": "Date",
        "event": "String",
        **{name: "String" for name in insight.DIMENSIONS},
        "count": "Integer",
    }
    for row in _rows(url):
        assert type(row["day"]) is date  # not a datetime: no hour, minute or second
        assert row["day"] == insight.today()
        values = {row[name] for name in insight.DIMENSIONS}
        assert all(len(v) <= 64 and " " not in v for v in values)
    # No row id, on SQLite not even the hidden rowid, that would tell which combination was
    # first counted when; a second search of the same combination adds to its row.
    with get_engine(url).connect() as connection:
        if connection.dialect.name == "sqlite":
            with pytest.raises(Exception, match="rowid"):
                connection.execute(text("SELECT rowid FROM insight_count"))
    before = len(_rows(url))
    counter.record("search", borough="westminster", strand="stalking", asker="survivor")
    counter.flush()
    assert len(_rows(url)) == before
    assert {r["event"]: r["count"] for r in _rows(url)} == {"search": 2, "quick-exit": 1}


def _write_many(url: str, times: int) -> None:
    from directory.db import get_engine as engine_of

    engine_of.cache_clear()
    counter = insight.Counter(url, clock=lambda: DAY)
    for _ in range(times):
        for _ in range(7):
            counter.record("search", borough="westminster", need="refuge", asker="survivor")
        counter.record("gap", borough="hammersmith-and-fulham", detail="no-local")
        counter.flush()


def test_two_processes_writing_at_once_lose_no_count(url):
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_many, args=(url, 40)) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    counts = {r["event"]: r["count"] for r in _rows(url)}
    assert counts == {"search": 2 * 40 * 7, "gap": 2 * 40}


def test_every_count_below_5_is_shown_as_less_than_5(url):
    batch = {
        (DAY, "search", "westminster", "domestic-abuse", "-", "-", "-", "survivor", "-"): 4,
        (DAY, "search", "westminster", "stalking", "-", "-", "-", "survivor", "-"): 5,
        (DAY, "search", "kensington-and-chelsea", "stalking", "-", "-", "-", "survivor", "-"): 1,
        (DAY + timedelta(days=1), "quick-exit", *["-"] * 7): 2,
    }
    insight.add_counts(batch, url)
    report = insight.report(url=url)
    heat = {(r["borough"], r["strand"]): r["count"] for r in report["borough_strand"]}
    assert heat == {
        ("kensington-and-chelsea", "stalking"): "<5",
        ("westminster", "domestic-abuse"): "<5",
        ("westminster", "stalking"): 5,
    }
    assert report["searches_by_day"] == [{"day": str(DAY), "count": 10}]
    assert insight.totals(("month",), "search", url=url) == [{"month": "2026-11", "count": 10}]
    assert report["quick_exits"] == [{"day": str(DAY + timedelta(days=1)), "count": "<5"}]
    since = insight.report(insight.Period(since=DAY + timedelta(days=1)), url=url)
    assert since["searches_by_day"] == []
    for rows in report.values():
        assert all(r["count"] == "<5" or r["count"] >= 5 for r in rows)


def test_the_command_prints_suppressed_aggregates_as_json(url, capsys, monkeypatch):
    monkeypatch.setenv("DIRECTORY_DATABASE_URL", url)
    insight.add_counts(
        {
            (DAY, "search", "westminster", "-", "refuge", "-", "-", "survivor", "-"): 6,
            (DAY, "search", "outside-area", "-", "refuge", "-", "-", "survivor", "-"): 2,
            (DAY - timedelta(days=40), "danger", *["-"] * 5, "survivor", "-"): 9,
        },
        url,
    )
    assert main(["insight", "--since", str(DAY), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"borough": "westminster", "need": "refuge", "count": 6} in [
        {k: r[k] for k in ("borough", "need", "count")} for r in out["searches"]
    ]
    assert {
        "period": f"{DAY}/{DAY}",
        "borough": "outside-area",
        "strand": "-",
        "count": "<5",
    } in out["borough_strand"]
    assert out["danger"] == []  # before --since
    assert all(r["day"] >= str(DAY) for r in out["searches"])
    assert main(["insight", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["danger"][0]["count"] == 9


def test_the_background_timer_flushes_and_so_does_the_process_stopping(url):
    import subprocess
    import sys
    import time

    counter = insight.Counter(url, interval=0.1).start()
    counter.record("danger", asker="professional")
    deadline = time.monotonic() + 10
    while not _rows(url) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r["count"] for r in _rows(url)] == [1]
    counter.record("danger", asker="professional")
    counter.stop()
    assert [r["count"] for r in _rows(url)] == [2]
    # A process that counts and exits (here before any interval passed) writes at exit.
    script = (
        "from directory import insight; import sys; "
        "insight.start(sys.argv[1], interval=3600); insight.record('quick-exit')"
    )
    subprocess.run([sys.executable, "-c", script, url], check=True, timeout=60)
    assert {r["event"]: r["count"] for r in _rows(url)} == {"danger": 2, "quick-exit": 1}


def test_the_migration_downgrades_and_upgrades_again(url):
    from alembic import command

    from directory.db import alembic_config

    config = alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006_editor_audit")
    assert "insight_count" not in inspect(get_engine(url)).get_table_names()
    upgrade(url)
    insight.add_counts({(DAY, "quick-exit", *["-"] * 7): 1}, url)
    assert len(_rows(url)) == 1


def test_the_command_refuses_a_day_that_is_not_one(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["insight", "--since", "2026-13-01", "--json"])
    assert stopped.value.code == 2
    assert "'2026-13-01' is not a day written YYYY-MM-DD" in capsys.readouterr().err
