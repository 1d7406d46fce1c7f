"""Insight without transcripts: daily counters of what the assistant was asked, and nothing else.

A counter row is (day, event, borough, strand, need, audience, language, asker, detail) →
count. Every dimension is a vocabulary id (directory/vocabulary), a pathway id, or one of the
fixed ids below; anything else is written as OTHER, so no free text can reach the table. There
is no conversation id and no time finer than a day.

Events:

- `search`: a page of services was shown (first page only), with the search's borough, first
  strand, first need, first audience, first language and who asked;
- `pathway`: a referral pathway was shown to someone (detail: the pathway id);
- `danger`: the danger lines (999, Silent Solution) were given;
- `quick-exit`: a conversation was closed by quick exit (no other dimension);
- `gap`: a search that had to be widened (detail `widened`) or found nothing local
  (detail `no-local`) for an area of the partnership.

Recording is a dict increment under a lock (`Counter.record`); a background timer flushes the
batch every `interval` seconds, and again when the process stops (atexit), with atomic upserts
(`INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count`) so several processes can
write. So the time of a write says nothing about when any one conversation happened.

Every view of the counters (`aggregate`, the dashboard, its CSV, `python -m directory insight`)
shows a count below SUPPRESS_BELOW as "<5" (`shown`).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from directory.db import get_engine
from directory.models import Base
from directory.places import OUTSIDE_LONDON, is_known_borough, partnership_boroughs
from directory.taxonomy import vocabulary

logger = logging.getLogger(__name__)

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
NOT_GIVEN = "not-given"
OUTSIDE_AREA = "outside-area"
OTHER = "other"
NONE = "-"  # a dimension the event does not have
EVENTS = ("search", "pathway", "danger", "quick-exit", "gap")
ASKERS = ("survivor", "professional")
GAP_DETAILS = ("widened", "no-local")
DIMENSIONS = ("borough", "strand", "need", "audience", "language", "asker", "detail")
PATHWAY_SEED = Path(__file__).resolve().parent / "pathways" / "seed"


class InsightCount(Base):
    """One day's count of one combination. No text, no conversation id, no time of day."""

    __tablename__ = "insight_count"
    # The key is the combination itself: no row id, whose order would tell which combination
    # was first counted when (and on SQLite no hidden rowid either: WITHOUT ROWID).
    __table_args__ = (
        PrimaryKeyConstraint("day", "event", *DIMENSIONS, name="pk_insight_count"),
        # The dashboard reads one event over a period: with the key (in every index of a
        # WITHOUT ROWID table) and the count, every read of it is answered from the index.
        Index("ix_insight_count_event_day", "event", "day", "count"),
        {"sqlite_with_rowid": False},
    )
    day = Column(Date, nullable=False)
    event = Column(String(16), nullable=False)
    borough = Column(String(64), nullable=False)
    strand = Column(String(64), nullable=False)
    need = Column(String(64), nullable=False)
    audience = Column(String(64), nullable=False)
    language = Column(String(16), nullable=False)
    asker = Column(String(16), nullable=False)
    detail = Column(String(64), nullable=False)
    count = Column(Integer, nullable=False)


# --- dimension values: vocabulary ids only --------------------------------------------------


@lru_cache(maxsize=1)
def pathway_ids() -> frozenset[str]:
    return frozenset(path.stem for path in PATHWAY_SEED.glob("*.yml"))


def borough_id(value: str | None) -> str:
    """A partnership borough's id; any other known place (or outside London) is OUTSIDE_AREA;
    nothing said (or skipped) is NOT_GIVEN; anything else OTHER."""
    if not value or value == "any":
        return NOT_GIVEN
    if value in partnership_boroughs():
        return value
    if value == OUTSIDE_LONDON or is_known_borough(value):
        return OUTSIDE_AREA
    return OTHER


def term_id(taxonomy: str, values) -> str:
    """The first value, if the vocabulary knows it; NOT_GIVEN when there is none."""
    first = next(iter(values or ()), None)
    if first is None:
        return NOT_GIVEN
    return first if isinstance(first, str) and vocabulary().knows(taxonomy, first) else OTHER


def asker_id(professional: bool) -> str:
    return "professional" if professional else "survivor"


def _valid(event: str, dims: dict[str, str]) -> tuple[str, ...]:
    """The row key: every value checked again here, so a caller's mistake cannot write text."""
    if event not in EVENTS:
        raise ValueError(f"unknown insight event {event!r}")
    vocab = vocabulary()
    fixed = {NOT_GIVEN, NONE, OTHER}
    key = []
    for name in DIMENSIONS:
        value = dims.get(name, NONE)
        if name == "borough":
            ok = value in fixed | {OUTSIDE_AREA} or value in partnership_boroughs()
        elif name in ("strand", "need", "audience", "language"):
            ok = value in fixed or (isinstance(value, str) and vocab.knows(name, value))
        elif name == "asker":
            ok = value in (*ASKERS, NONE)
        else:
            ok = value in (NONE, *GAP_DETAILS) or value in pathway_ids()
        key.append(value if ok else OTHER)
    return tuple(key)


def today() -> date:
    return datetime.now(UTC).date()


# --- the batching counter -------------------------------------------------------------------


class Counter:
    """Counts in memory, (day, event, dims) → n; `flush()` adds them to the database."""

    def __init__(self, url: str | None = None, interval: float = 300.0, clock=today):
        self.url = url
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: dict[tuple, int] = defaultdict(int)
        self._timer: threading.Thread | None = None
        self._stop = threading.Event()

    def record(self, event: str, **dims: str) -> None:
        key = (self.clock(), event, *_valid(event, dims))
        with self._lock:
            self._pending[key] += 1

    def pending(self) -> dict[tuple, int]:
        with self._lock:
            return dict(self._pending)

    def flush(self) -> int:
        """Write the batch (one transaction, atomic upserts); return the rows written. On a
        database error the counts go back into the batch for the next flush."""
        with self._lock:
            batch, self._pending = self._pending, defaultdict(int)
        if not batch:
            return 0
        try:
            add_counts(batch, self.url)
        except Exception:
            with self._lock:
                for key, n in batch.items():
                    self._pending[key] += n
            raise
        return len(batch)

    def start(self) -> Counter:
        """Flush every `interval` seconds in a background thread, and at process exit."""
        if self._timer is None:
            self._timer = threading.Thread(target=self._run, name="insight-flush", daemon=True)
            self._timer.start()
            atexit.register(self.stop)
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 (kept for the next flush; nothing to log but this)
                logger.warning("Insight counters could not be written yet.")

    def stop(self) -> None:
        self._stop.set()
        try:
            self.flush()
        except Exception:  # noqa: BLE001 (at exit: never stop the process from stopping)
            logger.warning("Insight counters could not be written.")


def add_counts(batch: dict[tuple, int], url: str | None = None) -> None:
    """Add each (day, event, *dims) → n to the table, atomically (safe with several writers)."""
    engine = get_engine(url)
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    table = InsightCount.__table__
    rows = [
        {"day": key[0], "event": key[1], **dict(zip(DIMENSIONS, key[2:], strict=True)), "count": n}
        for key, n in sorted(batch.items())
    ]
    statement = dialect.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "event", *DIMENSIONS],
        set_={"count": table.c.count + statement.excluded.count},
    )
    with engine.begin() as connection:
        connection.execute(statement, rows)


_counter: Counter | None = None


def start(url: str | None = None, interval: float = 300.0) -> Counter:
    """The process's counter, flushing in the background (the action server and Rasa call it)."""
    global _counter
    if _counter is None:
        _counter = Counter(url, interval).start()
    return _counter


def install(counter: Counter | None) -> None:
    """Tests: use this counter (None: count nothing)."""
    global _counter
    _counter = counter


def record(event: str, **dims: str) -> None:
    """Count one event, if this process counts (a process that never called `start` does not)."""
    if _counter is not None:
        _counter.record(event, **dims)


# --- reading: always suppressed -------------------------------------------------------------


def shown(count: int) -> int | str:
    return count if count >= SUPPRESS_BELOW else SUPPRESSED


@dataclass(frozen=True)
class Period:
    since: date | None = None
    until: date | None = None


ALL_TIME = Period()


def totals(
    group_by: tuple[str, ...],
    event: str = "search",
    period: Period = ALL_TIME,
    url=None,
    largest: int | None = None,
) -> list[dict]:
    """Counts summed by `group_by` (column names, "day" or "month" too), suppressed; rows in
    key order (or the `largest` few, biggest first), each with its dimensions by id and
    `count` (an int ≥ 5 or "<5")."""
    table = InsightCount.__table__
    columns = []
    for name in group_by:
        if name == "month":
            columns.append(func.substr(func.cast(table.c.day, String), 1, 7).label("month"))
        else:
            columns.append(table.c[name])
    query = select(*columns, func.sum(table.c.count).label("n")).where(table.c.event == event)
    if period.since:
        query = query.where(table.c.day >= period.since)
    if period.until:
        query = query.where(table.c.day <= period.until)
    query = query.group_by(*columns)
    if largest is not None:
        query = query.order_by(func.sum(table.c.count).desc(), *columns).limit(largest)
    else:
        query = query.order_by(*columns)
    with get_engine(url).connect() as connection:
        result = connection.execute(query).all()
    rows = []
    for row in result:
        if row[-1] is None:  # a total over no rows at all
            continue
        values = dict(zip(group_by, row[:-1], strict=True))
        if "day" in values:
            values["day"] = str(values["day"])
        rows.append({**values, "count": shown(int(row[-1]))})
    return rows


def interval(period: Period, url=None) -> str:
    """The period as an ISO 8601 interval of days ("2026-11-01/2026-11-30"); an open end is
    the first or last day counted."""
    since, until = period.since, period.until
    if since is None or until is None:
        table = InsightCount.__table__
        with get_engine(url).connect() as connection:
            first, last = connection.execute(
                select(func.min(table.c.day), func.max(table.c.day))
            ).one()
        since = since or first or today()
        until = until or last or today()
    return f"{since}/{until}"


def report(period: Period = ALL_TIME, url=None) -> dict[str, list[dict]]:
    """Everything the dashboard's CSV and the command show; every count suppressed. Each row
    names its day, or (for totals over the period) the period, as `period`."""
    tables = _tables(period, url)
    span = interval(period, url)
    return {
        name: [row if "day" in row else {"period": span, **row} for row in rows]
        for name, rows in tables.items()
    }


def _tables(period: Period, url) -> dict[str, list[dict]]:
    search_dims = ("borough", "strand", "need", "audience", "language", "asker")
    return {
        "searches_by_day": totals(("day",), "search", period, url),
        "searches": totals(("day", *search_dims), "search", period, url),
        "borough_strand": totals(("borough", "strand"), "search", period, url),
        "pathways": totals(("day", "detail", "borough", "asker"), "pathway", period, url),
        "danger": totals(("day", "asker"), "danger", period, url),
        "quick_exits": totals(("day",), "quick-exit", period, url),
        "gaps": totals(("borough", "strand", "need", "audience", "detail"), "gap", period, url),
    }


__all__ = [
    "Counter",
    "InsightCount",
    "Period",
    "SUPPRESSED",
    "add_counts",
    "asker_id",
    "borough_id",
    "record",
    "report",
    "shown",
    "start",
    "term_id",
    "totals",
]
