"""The Open Referral UK 3.0 read API, under /api/oruk/ (the profile's openapi.json, exactly).

Open to anyone, as the profile requires: GET only, no key, `Access-Control-Allow-Origin: *` on
every response (errors too), throttled per client address (ORUK_REQUESTS_PER_MINUTE, counted
as the chat's limits are, directory.counters) with a 429 in JSON. A bad parameter is a 400 and
an unknown id a 404, each `{"error": "..."}` naming what was wrong, as the chat channel's API
errors are. The data and its filters are directory.oruk.feed; the README lists the endpoints.

Parameters the profile's definition names for a path are taken there; a few it defines but
does not list everywhere are taken too: `modified_after`, `format=ndjson` (every result, one
JSON object a line, no pages) and `full=true` (fully nested services in a page) on /services
and /service_at_locations, `postcode` and `proximity` on /services, and `top_only`,
`parent_id` and `taxonomy_id` on /taxonomy_terms (as in HSDS 3.0's own API).
"""

from __future__ import annotations

import json
import math
from datetime import datetime

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from directory.counters import MemoryCounters
from directory.oruk.feed import (
    HSDS_VERSION,
    PROFILE_URL,
    Query,
    current_feed,
    page,
    select_entries,
    utc,
)
from directory.oruk.validation import openapi
from directory.places import postcode_district, resolve_place
from directory.rules import DAYS, TIME

PREFIX = "/api/oruk"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
WINDOW_S = 60
DAY_NAMES = {
    name: code
    for code, name in zip(
        DAYS,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        strict=True,
    )
}
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no")

bp = Blueprint("oruk", __name__, url_prefix=PREFIX)


class BadParameter(Exception):
    pass


@bp.record_once
def read_settings(state) -> None:
    # A bad limit stops the app at start-up, not at the first request.
    value = state.app.config.get("ORUK_REQUESTS_PER_MINUTE")
    if not str(value).strip().isdigit() or int(value) < 1:
        raise ValueError(
            f"VAWG_ORUK_REQUESTS_PER_MINUTE must be a whole number of at least 1, not {value!r}"
        )
    state.app.config["ORUK_REQUESTS_PER_MINUTE"] = int(value)
    state.app.extensions["oruk_counters"] = MemoryCounters()


def _in_api() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _json(body, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def _error(status: int, message: str) -> Response:
    return _json({"error": message}, status)


@bp.before_request
def throttle():
    limit = current_app.config["ORUK_REQUESTS_PER_MINUTE"]
    counters = current_app.extensions["oruk_counters"]
    (count,) = counters.add([f"oruk:{request.remote_addr}"], WINDOW_S)
    if count > limit:
        response = _error(
            429,
            f"Too many requests: at most {limit} a minute from one address. "
            f"Try again in {WINDOW_S} seconds.",
        )
        response.headers["Retry-After"] = str(WINDOW_S)
        return response
    return None


@bp.after_app_request
def allow_any_origin(response: Response) -> Response:
    # After the app's own handlers, so 404s and 405s under the prefix carry it too.
    if _in_api():
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.app_errorhandler(HTTPException)
def api_error(error: HTTPException):
    if not _in_api():
        return error  # the rest of the app keeps Flask's own pages
    return _error(error.code or 500, error.description or error.name)


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter):
    return _error(400, str(error))


# --- parameters ------------------------------------------------------------------------------


def _text(name: str) -> str | None:
    value = request.args.get(name)
    return value.strip() if value is not None and value.strip() else None


def _whole(name: str, default: int, maximum: int | None = None) -> int:
    value = _text(name)
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1 or (maximum and int(value) > maximum):
        span = f"from 1 to {maximum}" if maximum else "of 1 or more"
        raise BadParameter(f"{name} must be a whole number {span}, not {value!r}.")
    return int(value)


def _number(name: str) -> float | None:
    value = _text(name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise BadParameter(f"{name} must be a number of 0 or more, not {value!r}.")
    return number


def _time(name: str) -> str | None:
    value = _text(name)
    if value is None:
        return None
    short = value[:5] if len(value) == 8 and value[5:6] == ":" and value[6:].isdigit() else value
    if not TIME.match(short):
        raise BadParameter(f"{name} must be a time HH:MM (24-hour clock), not {value!r}.")
    return short


def _day(name: str = "day") -> str | None:
    value = _text(name)
    if value is None:
        return None
    code = value.upper() if value.upper() in DAYS else DAY_NAMES.get(value.lower())
    if code is None:
        raise BadParameter(
            f"{name} must be a day: {', '.join(DAYS)} or its name (Monday ...), not {value!r}."
        )
    return code


def _flag(name: str) -> bool:
    value = _text(name)
    if value is None or value.lower() in FALSE:
        return False
    if value.lower() in TRUE:
        return True
    raise BadParameter(f"{name} must be true or false, not {value!r}.")


def _moment(name: str) -> datetime | None:
    value = _text(name)
    if value is None:
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        raise BadParameter(
            f"{name} must be a date or date-time (ISO 8601, e.g. 2026-01-31T09:00:00Z), "
            f"not {value!r}."
        ) from None


def _query(feed, with_locations: bool = False) -> Query:
    term = _text("taxonomy_term_id")
    if term is not None and term not in feed.term_by_id:
        raise BadParameter(f"taxonomy_term_id: there is no taxonomy term {term!r}.")
    taxonomy_key = _text("taxonomy_id")
    taxonomy = feed.taxonomy(taxonomy_key) if taxonomy_key else None
    if taxonomy_key and taxonomy is None:
        raise BadParameter(f"taxonomy_id: there is no taxonomy {taxonomy_key!r}.")
    place, near = None, False
    postcode = _text("postcode")
    if postcode is not None:
        district = postcode_district(postcode)
        if district is None:
            raise BadParameter(
                f"postcode must be a UK postcode or postcode district (e.g. SW10 0XE or W6), "
                f"not {postcode!r}."
            )
        place = resolve_place(district)
    if _text("proximity") is not None:
        if place is None:
            raise BadParameter("proximity needs a postcode.")
        _number("proximity")  # metres, checked; nearness is the district's borough
        near = True
    words = tuple((_text("search") or "").casefold().split())
    return Query(
        words=words,
        term_id=term,
        taxonomy_id=taxonomy.object["id"] if taxonomy else None,
        minimum_age=_number("minimum_age"),
        maximum_age=_number("maximum_age"),
        start_time=_time("start_time"),
        end_time=_time("end_time"),
        day=_day(),
        modified_after=_moment("modified_after"),
        place=place,
        near=near,
        with_locations=with_locations,
    )


def _same(item):
    return item


def _paged(items: list, render=_same) -> Response:
    """A page of `items` (or all of them, one a line, for format=ndjson); only the items on
    the page are rendered, so a page of 50 costs the same however many matched."""
    fmt = (_text("format") or "json").lower()
    if fmt not in ("json", "ndjson"):
        raise BadParameter(f"format must be json or ndjson, not {fmt!r}.")
    number = _whole("page", 1)
    per_page = _whole("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    if fmt == "ndjson":
        lines = (json.dumps(render(item), ensure_ascii=False) + "\n" for item in items)
        return Response(lines, mimetype="application/x-ndjson")
    body = page(items, number, per_page)
    body["contents"] = [render(item) for item in body["contents"]]
    return _json(body)


# --- endpoints -------------------------------------------------------------------------------


def _feed():
    return current_feed(current_app.config.get("DIRECTORY_DATABASE_URL"))


@bp.get("/")
def root():
    return _json(
        {
            "version": HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": url_for("oruk.definition", _external=True),
        }
    )


@bp.get("/openapi.json")
def definition():
    base = url_for("oruk.root", _external=True).rstrip("/")
    return _json(openapi() | {"servers": [{"url": base}]})


@bp.get("/services")
def services():
    feed = _feed()
    full = _flag("full")
    entries = select_entries(feed, _query(feed))
    return _paged(entries, (lambda e: e.full) if full else (lambda e: e.listed))


@bp.get("/services/<id>")
def service(id: str):
    entry = _feed().services.get(id)
    if entry is None:
        return _error(404, f"There is no service {id!r}.")
    return _json(entry.full)


@bp.get("/service_at_locations")
def service_at_locations():
    feed = _feed()
    full = _flag("full")
    entries = select_entries(feed, _query(feed, with_locations=True))
    return _paged(feed.service_locations(entries), lambda row: feed.located_form(*row, full=full))


@bp.get("/service_at_locations/<id>")
def service_at_location(id: str):
    located = _feed().located(id)
    if located is None:
        return _error(404, f"There is no service at a location {id!r}.")
    return _json(located)


@bp.get("/taxonomies")
def taxonomies():
    return _paged([t.object for t in _feed().taxonomies])


@bp.get("/taxonomies/<id>")
def taxonomy(id: str):
    feed = _feed()
    found = feed.taxonomy(id)
    if found is None:
        return _error(404, f"There is no taxonomy {id!r}.")
    return _json(feed.taxonomy_with_terms(found))


@bp.get("/taxonomy_terms")
def taxonomy_terms():
    feed = _feed()
    terms = feed.terms
    taxonomy_key = _text("taxonomy_id")
    if taxonomy_key is not None:
        found = feed.taxonomy(taxonomy_key)
        if found is None:
            raise BadParameter(f"taxonomy_id: there is no taxonomy {taxonomy_key!r}.")
        terms = list(found.terms)
    parent = _text("parent_id")
    if parent is not None:
        if parent not in feed.term_by_id:
            raise BadParameter(f"parent_id: there is no taxonomy term {parent!r}.")
        terms = [t for t in terms if t.get("parent_id") == parent]
    if _flag("top_only"):
        terms = [t for t in terms if not t.get("parent_id")]
    return _paged(terms)


@bp.get("/taxonomy_terms/<id>")
def taxonomy_term(id: str):
    term = _feed().term_by_id.get(id)
    if term is None:
        return _error(404, f"There is no taxonomy term {id!r}.")
    return _json(term)


@bp.route("/<path:rest>", methods=["GET", "HEAD", "OPTIONS"])
def unknown(rest: str):
    return _error(404, f"There is no endpoint {PREFIX}/{rest}.")
