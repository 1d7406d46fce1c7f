"""The professionals' directory site, under /find/: find a service, a page for each service,
and the referral pathways as printable pages.

Server-rendered, GOV.UK-style, on the public site's base template (its quick exit and the
chat), working without JavaScript; like every public page it reads and sets no cookie. The
search is the bot's own (`directory.matching.search`, for a professional), so the site and the
chat never disagree; the referral and provenance lines are the cards' (`directory.cards`) and the
pathway contacts are resolved as the bot's answers are (`directory.pathways.answers`).

A filter the directory does not know (a strand not in the vocabulary, a place nobody can find)
is a 400 with an error summary naming the field, never a 500 and never a silent "anywhere".
The words of those errors are in directory/wording.yml; the pages' words in templates/find/.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import select

from directory.cards import is_refuge, provenance_line, referral_line, shown_address, tel_uri
from directory.db import session_scope
from directory.index import current_index
from directory.matching import LONDON, SearchQuery, search
from directory.models import Organization, Service
from directory.pathways.answers import pathway_answers
from directory.pathways.models import Pathway
from directory.pathways.store import pathway_to_dict
from directory.pathways.vocabulary import borough_labels
from directory.places import borough_label, resolve_place
from directory.ranking import PROFESSIONALS
from directory.serialize import SERVICE_CHILDREN, service_to_dict
from directory.taxonomy import vocabulary
from directory.web.public import widget_settings
from directory.wording import say

PAGE_SIZE = 20
MAX_PLACE_LENGTH = 100  # longer than any place name or postcode
MAX_AGE = 120
FILTERS = ("place", "strand", "need", "audience", "language", "age", "open_now")

bp = Blueprint("find", __name__, url_prefix="/find", template_folder="templates")
# The public base template's exit link, helpline and widget come from the public blueprint.
bp.context_processor(widget_settings)


@bp.context_processor
def helpers() -> dict:
    return {"tel_uri": tel_uri, "long_date": long_date}


def long_date(value: str | date | None) -> str:
    """'2026-12-01' -> '1 December 2026'."""
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def _database_url() -> str | None:
    return current_app.config.get("DIRECTORY_DATABASE_URL")


def _now() -> datetime:
    clock = current_app.config.get("FIND_CLOCK")  # tests fix the time "open now" is read at
    return clock() if clock else datetime.now(LONDON)


def _language_code(value: str) -> str | None:
    """A language by its code ("ar") or its name ("Arabic", "arabic", "farsi")."""
    terms = vocabulary().terms["language"]
    if value in terms:
        return value
    wanted = value.casefold()
    for code, label in terms.items():
        if wanted in (label.casefold(), label.split(" (")[0].casefold()):
            return code
    return None


def _read_filters(args) -> tuple[dict, dict[str, str]]:
    """The filters asked for, checked: (values, {field: problem}). Values are the vocabulary's
    ids, ready for SearchQuery."""
    terms = vocabulary().terms
    errors: dict[str, str] = {}
    values: dict = {}

    place = " ".join(args.get("place", "").split())
    values["place"] = place
    if len(place) > MAX_PLACE_LENGTH or (place and resolve_place(place).kind == "unknown"):
        errors["place"] = say("find_error_place")

    def chosen(field: str, taxonomy: str) -> tuple[tuple[str, ...], bool]:
        """The ids picked for a field, and whether any is not in the vocabulary."""
        picked = [v for v in args.getlist(field) if v]
        return tuple(dict.fromkeys(picked)), any(v not in terms[taxonomy] for v in picked)

    values["strands"], unknown = chosen("strand", "strand")
    if unknown:
        errors["strand"] = say("find_error_strand")
    values["needs"], unknown = chosen("need", "need")
    if unknown:
        errors["need"] = say("find_error_need")
    values["audiences"], unknown = chosen("audience", "audience")
    if unknown:
        errors["audience"] = say("find_error_audience")

    languages = [v.strip() for v in args.getlist("language") if v.strip()]
    codes = [_language_code(v) for v in languages]
    values["languages"] = tuple(dict.fromkeys(c for c in codes if c))
    if None in codes:
        errors["language"] = say("find_error_language")

    age = args.get("age", "").strip()
    values["age"] = _whole_number(age)
    if age and (values["age"] is None or values["age"] > MAX_AGE):
        values["age"] = None
        errors["age"] = say("find_error_age")

    open_now = args.get("open_now", "")
    values["open_now"] = open_now == "yes"
    if open_now not in ("", "yes"):
        errors["open_now"] = say("find_error_open_now")

    page = _whole_number(args.get("page", "1").strip())
    values["page"] = page or 1
    if not page:
        errors["page"] = say("find_error_page")
    return values, errors


def _whole_number(text: str) -> int | None:
    # ASCII digits only: "²" is a digit to str.isdigit but not to int().
    return int(text) if text.isascii() and text.isdigit() else None


def _page_url(page: int) -> str:
    """This search's address on another page of results."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    return "?" + urlencode([*args, ("page", page)])


def _choices() -> dict:
    terms = vocabulary().terms
    choices = {name: terms[name] for name in ("strand", "need", "audience", "language")}
    # "Who the person is": the audience of professionals-only services is not a person's.
    choices["audience"] = {c: label for c, label in terms["audience"].items() if c != PROFESSIONALS}
    return choices


@bp.get("/")
def find():
    values, errors = _read_filters(request.args)
    searched = any(k in request.args for k in (*FILTERS, "page"))
    context = {"values": values, "errors": errors, "choices": _choices(), "searched": searched}
    if errors:
        return render_template("find/find.html", **context), 400
    if searched:
        result = search(
            SearchQuery(
                place=values["place"] or None,
                strands=values["strands"],
                needs=values["needs"],
                audiences=values["audiences"],
                age=values["age"],
                languages=values["languages"],
                open_now=values["open_now"],
                now=_now(),
                for_professional=True,
                limit=None,  # every match, a page at a time
            ),
            database_url=_database_url(),
        )
        pages = max(1, -(-len(result.matches) // PAGE_SIZE))
        page = min(values["page"], pages)
        start = (page - 1) * PAGE_SIZE
        context.update(
            result=result,
            shown=result.matches[start : start + PAGE_SIZE],
            start=start,
            page=page,
            pages=pages,
            page_url=_page_url,
            referral_line=referral_line,
        )
    return render_template("find/find.html", **context)


def _not_found():
    return render_template("find/not_found.html"), 404


@bp.get("/service/<service_id>")
def service(service_id: str):
    entry = current_index(_database_url()).by_id.get(service_id)  # active services only
    if entry is None:
        return _not_found()
    with session_scope(_database_url()) as session:
        row = session.execute(
            select(Service).where(Service.id == service_id).options(*SERVICE_CHILDREN)
        ).scalar_one_or_none()
        if row is None:
            return _not_found()
        data = service_to_dict(row)
        organization = session.get(Organization, row.organization_id)
        organization_name = organization.name if organization else entry.card.organization
    vocab = vocabulary()
    card = entry.card
    # A refuge's or a confidential location's name can say where it is: only its borough shows.
    private = is_refuge(data)
    locations = [
        {
            "name": None if private or loc["confidential"] else loc["name"],
            "borough": borough_label(loc["borough"]) if loc["borough"] else None,
            "address": shown_address(data, loc),
        }
        for loc in data["locations"]
    ]
    return render_template(
        "find/service.html",
        service=data,
        card=card,
        organization=organization_name,
        strands=[vocab.label("strand", c) for c in data["strands"]],
        needs=[vocab.label("need", c) for c in data["needs"]],
        languages=[vocab.label("language", c) for c in data["languages"]],
        boroughs=[borough_label(b) for b in data["boroughs"]],
        scope=vocab.label("scope", data["scope"]),
        referral=referral_line(card, for_professional=True),
        provenance=provenance_line(card),
        locations=locations,
    )


@bp.get("/pathways")
def pathways():
    with session_scope(_database_url()) as session:
        listed = [
            {"id": p.id, "title": p.title, "situation": p.situation}
            for p in session.execute(
                select(Pathway).where(Pathway.status == "active").order_by(Pathway.title)
            ).scalars()
        ]
    return render_template("find/pathways.html", pathways=listed)


@bp.get("/pathways/<pathway_id>")
def pathway(pathway_id: str):
    with session_scope(_database_url()) as session:
        row = session.get(Pathway, pathway_id)
        data = pathway_to_dict(row) if row is not None and row.status == "active" else None
    answers = pathway_answers([pathway_id], database_url=_database_url(), every_borough=True)
    if data is None or not answers:
        return _not_found()
    contacts = answers[0].contacts
    # Every-borough contacts first, then each partnership borough's, in the vocabulary's order.
    groups = [(None, [c for c in contacts if c.borough is None])]
    groups += [
        (label, [c for c in contacts if c.borough == borough])
        for borough, label in borough_labels().items()
    ]
    return render_template(
        "find/pathway.html",
        pathway=data,
        contact_groups=[(label, items) for label, items in groups if items],
    )
