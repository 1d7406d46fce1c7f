"""The insight dashboard, /editor/insight, for analysts and reviewers: the counters of
directory.insight over a period, drawn server-side as SVG (nothing loaded from elsewhere),
each chart with a text alternative and its data table, and the same figures as CSV.

Every number shown comes from `directory.insight.report`, so a count below 5 is "<5"
everywhere; a chart draws a "<5" cell as the lowest band, never as its true value.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Response, abort, current_app, g, render_template, request
from flask_login import login_required

from directory import insight
from directory.places import borough_label, partnership_boroughs
from directory.taxonomy import vocabulary
from directory.web.auth import editor_blueprint
from directory.wording import wording

bp = editor_blueprint("insight", __name__)

ROLES = ("analyst", "reviewer")
PERIODS = {"30": 30, "90": 90, "365": 365, "all": None}
DEFAULT_PERIOD = "90"
MONTHLY_AFTER_DAYS = 92  # longer periods are charted by month
CHART_WIDTH, CHART_HEIGHT = 640, 220


def insight_required(view):
    @login_required
    def wrapped(*args, **kwargs):
        if g.maintainer.role not in ROLES:
            abort(403, description="Only analysts and reviewers can see the insight dashboard.")
        return view(*args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _period() -> tuple[str, insight.Period]:
    choice = request.args.get("period", DEFAULT_PERIOD)
    if choice not in PERIODS:
        choice = DEFAULT_PERIOD
    days = PERIODS[choice]
    if days is None:
        return choice, insight.ALL_TIME
    until = insight.today()
    return choice, insight.Period(since=until - timedelta(days=days - 1), until=until)


def short_name(dimension: str, value: str) -> str:
    """For a chart's axis: a label's words before any bracket ("Domestic abuse")."""
    return name_of(dimension, value).split(" (", 1)[0]


def name_of(dimension: str, value: str) -> str:
    """A person's word for a counter id (vocabulary labels; the fixed ids from wording.yml)."""
    fixed = wording()["insight_ids"]
    if value in fixed:
        return fixed[value]
    if dimension == "borough":
        return borough_label(value)
    if dimension in ("strand", "need", "audience", "language"):
        return vocabulary().label(dimension, value)
    return value.replace("-", " ").capitalize()


def _number(count) -> int:
    """For drawing only: "<5" is drawn in the lowest band (as 0), never as its true value."""
    return count if isinstance(count, int) else 0


def time_chart(report: dict) -> dict:
    """Searches over time: one bar a day, or a month for long periods."""
    rows = report["searches_over_time"]
    key = "month" if rows and "month" in rows[0] else "day"
    top = max([_number(r["count"]) for r in rows] + [5])
    width = CHART_WIDTH / max(len(rows), 1)
    bars = []
    for i, row in enumerate(rows):
        height = round((CHART_HEIGHT - 20) * _number(row["count"]) / top, 1)
        bars.append(
            {
                "x": round(i * width, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "width": max(round(width - 1, 1), 0.5),
                "height": height,
                "when": row[key],
                "count": row["count"],
            }
        )
    return {"bars": bars, "top": top, "by": key, "rows": rows}


def heat_map(report: dict) -> dict:
    """Borough × strand: a cell per pair, shaded by its (suppressed) count."""
    cells = {(r["borough"], r["strand"]): r["count"] for r in report["borough_strand"]}
    boroughs = [*partnership_boroughs(), insight.OUTSIDE_AREA, insight.NOT_GIVEN]
    boroughs += sorted({b for b, _ in cells} - set(boroughs))
    strands = [*vocabulary().terms["strand"], insight.NOT_GIVEN]
    strands += sorted({s for _, s in cells} - set(strands))
    top = max([_number(c) for c in cells.values()] + [5])
    grid = []
    for borough in boroughs:
        line = []
        for strand in strands:
            # No searches at all is shown as "<5" too: a zero is a count below 5.
            count = cells.get((borough, strand), insight.SUPPRESSED)
            # Four shades: "<5" the palest, then thirds of the highest count.
            band = 0 if count == insight.SUPPRESSED else 1 + min(2, int(3 * count / (top + 1)))
            line.append({"strand": strand, "count": count, "band": band})
        grid.append({"borough": borough, "cells": line})
    return {"boroughs": boroughs, "strands": strands, "grid": grid}


SHADES = ("#f3f2f1", "#a9c9e6", "#1d70b8", "#0b3d6b")
INK = ("#0b0c0c", "#0b0c0c", "#ffffff", "#ffffff")


GAPS_SHOWN = 50  # the largest; every one is in the CSV


def dashboard_report(period: insight.Period, url: str | None) -> dict:
    """What the page shows (the CSV has every table in full)."""
    monthly = period.since is None or (period.until - period.since).days > MONTHLY_AFTER_DAYS
    return {
        "searches_over_time": insight.totals(
            ("month" if monthly else "day",), "search", period, url
        ),
        "borough_strand": insight.totals(("borough", "strand"), "search", period, url),
        "gaps": insight.totals(
            ("borough", "strand", "need", "audience", "detail"), "gap", period, url, GAPS_SHOWN
        ),
    }


@bp.get("/insight")
@insight_required
def dashboard():
    choice, period = _period()
    url = current_app.config.get("DIRECTORY_DATABASE_URL")
    report = dashboard_report(period, url)
    return render_template(
        "editor/insight.html",
        report=report,
        period=period,
        choice=choice,
        periods=PERIODS,
        time=time_chart(report),
        heat=heat_map(report),
        shades=SHADES,
        ink=INK,
        name_of=name_of,
        short_name=short_name,
        chart_width=CHART_WIDTH,
        chart_height=CHART_HEIGHT,
        gaps_shown=GAPS_SHOWN,
        totals={
            "pathways": insight.totals(("detail",), "pathway", period, url),
            "danger": insight.totals((), "danger", period, url),
            "quick_exits": insight.totals((), "quick-exit", period, url),
            "searches": insight.totals((), "search", period, url),
        },
    )


CSV_COLUMNS = ("table", "day", "period", *insight.DIMENSIONS, "count")


def report_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for table, rows in report.items():
        for row in rows:
            writer.writerow({"table": table, **row})
    return out.getvalue()


@bp.get("/insight.csv")
@insight_required
def download():
    choice, period = _period()
    report = insight.report(period, current_app.config.get("DIRECTORY_DATABASE_URL"))
    since = period.since.isoformat() if period.since else "all"
    return Response(
        report_csv(report),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="insight-{since}-{insight.today()}.csv"'
        },
    )
