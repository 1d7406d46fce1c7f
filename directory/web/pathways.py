"""The editor's pathway screens: list, view (with bot preview and history), edit.

Under /editor/pathways, with the sign-in, CSRF and no-store rules of every editor blueprint
(directory.web.auth.editor_blueprint). Saving makes a proposal in the editor's generic
draft -> review -> publish machinery (entity_type "pathway"); the review screens publish it.

Steps and thresholds are one per line; forms are "name | note" lines; contacts are a small YAML
list, because each has up to seven fields (label, borough, service_id, phone, route, note,
professional_only) and the pathway's own validation explains every mistake by field. Sources are
a YAML list too (url, title, read, page_date, supports); `reviewed` is the day someone last
checked the pathway against them, and the list page shows pathways not reviewed in 12 months
first.
"""

from __future__ import annotations

from datetime import date

import yaml
from flask import abort, current_app, render_template, request
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from directory.editor import changes as workflow
from directory.editor.pathways import PATHWAYS
from directory.pathways.answers import pathway_answers
from directory.pathways.formatting import contacts_text, steps_text
from directory.pathways.models import STATUSES, Pathway
from directory.pathways.store import (
    REVIEW_MONTHS,
    PathwayError,
    pathway_from_dict,
    pathway_to_dict,
    review_due,
)
from directory.pathways.vocabulary import borough_labels, place_ids
from directory.web.auth import db, editor_blueprint
from directory.web.proposals import save_proposal_from_form

bp = editor_blueprint("pathways", __name__)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _yaml_list(items: list) -> str:
    return yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=1000) if items else ""


def _records(field) -> list[dict]:
    """A YAML list of mappings typed into `field`; problems are added to the field's errors."""
    try:
        records = yaml.safe_load(field.data or "") or []
    except yaml.YAMLError:
        field.errors = [*field.errors, "This is not valid YAML"]
        return []
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        field.errors = [*field.errors, "Give a list, each item starting with '- '"]
        return []
    return records


class PathwayForm(FlaskForm):
    base_version = HiddenField()
    draft_revision = HiddenField()
    title = StringField("Title", validators=[DataRequired("Enter a title"), Length(max=200)])
    situation = TextAreaField("Situation", validators=[DataRequired("Say when it applies")])
    applies_to = TextAreaField("Who it applies to", validators=[DataRequired("Say who")])
    legal_duty = TextAreaField("Legal duty (leave empty if there is none)")
    reviewed = StringField("Reviewed on (YYYY-MM-DD)", validators=[Length(max=10)])
    sources = TextAreaField("Sources (YAML list)")
    unsourced = TextAreaField("Claims with no source found, one per line")
    # Only for a pathway from before sources were structured; a sources list replaces it.
    source = TextAreaField("Source (free text, from before sources were listed)")
    status = SelectField("Status", choices=[(s, s.capitalize()) for s in STATUSES])
    steps = TextAreaField("Steps, in order, one per line")
    thresholds = TextAreaField("Thresholds, one per line")
    forms = TextAreaField('Forms, one per line: "name | note"')
    contacts = TextAreaField("Contacts (YAML list)")

    @staticmethod
    def data_from_payload(payload: dict) -> dict:
        sources = [
            {k: v for k, v in item.items() if v not in (None, "")}
            for item in payload.get("sources") or []
        ]
        return {
            **{k: payload.get(k) or "" for k in ("title", "situation", "applies_to")},
            "legal_duty": payload.get("legal_duty") or "",
            "status": payload.get("status") or "active",
            "reviewed": payload.get("reviewed") or "",
            "sources": _yaml_list(sources),
            "unsourced": "\n".join(payload.get("unsourced") or []),
            "source": "" if sources else payload.get("source") or "",
            "steps": "\n".join(payload.get("steps") or []),
            "thresholds": "\n".join(payload.get("thresholds") or []),
            "forms": "\n".join(
                f["name"] + (f" | {f['note']}" if f.get("note") else "")
                for f in payload.get("forms") or []
            ),
            "contacts": _yaml_list(
                [{k: v for k, v in c.items() if v not in (None, "")} for c in payload["contacts"]]
            )
            if payload.get("contacts")
            else "",
        }

    def to_payload(self, pathway_id: str) -> dict:
        contacts = _records(self.contacts)
        sources = _records(self.sources)
        forms = []
        for line in _lines(self.forms.data):
            name, _, note = line.partition("|")
            forms.append({"name": name.strip(), "note": note.strip() or None})
        return {
            "id": pathway_id,
            "title": self.title.data,
            "situation": self.situation.data,
            "applies_to": self.applies_to.data,
            "legal_duty": self.legal_duty.data or None,
            "reviewed": (self.reviewed.data or "").strip() or None,
            "sources": sources,
            "unsourced": _lines(self.unsourced.data),
            "source": None if sources else self.source.data,
            "status": self.status.data,
            "steps": _lines(self.steps.data),
            "thresholds": _lines(self.thresholds.data),
            "forms": forms,
            "contacts": contacts,
        }


def bot_preview(pathway_id: str) -> dict[str, str]:
    """What the bot says now, per borough: the same text functions the action server uses."""
    url = current_app.config.get("DIRECTORY_DATABASE_URL")
    preview = {}
    for borough, label in borough_labels().items():
        answers = pathway_answers([pathway_id], borough, url)
        if answers:
            preview[label] = steps_text(answers[0]) + "\n\n" + contacts_text(answers[0], borough)
    return preview


def _today() -> date:
    """Today, or the app's REVIEW_TODAY (a date) in tests."""
    return current_app.config.get("REVIEW_TODAY") or date.today()


@bp.get("/pathways")
@login_required
def pathways():
    today = _today()
    with db() as database:
        listed = [
            (pathway_to_dict(p), workflow.open_change(database, "pathway", p.id))
            for p in database.execute(select(Pathway).order_by(Pathway.title)).scalars()
        ]
        due = [(data, change) for data, change in listed if review_due(data["reviewed"], today)]
        # Never reviewed first, then the longest since review; the rest by title.
        due.sort(key=lambda item: (item[0]["reviewed"] or "", item[0]["title"]))
        due_ids = {data["id"] for data, _ in due}
        rest = [item for item in listed if item[0]["id"] not in due_ids]
        return render_template(
            "pathways/list.html",
            listed=due + rest,
            due=due,
            due_ids=due_ids,
            review_months=REVIEW_MONTHS,
        )


@bp.get("/pathways/<pathway_id>")
@login_required
def pathway(pathway_id: str):
    with db() as database:
        current = PATHWAYS.current(database, pathway_id)
        if current is None:
            abort(404)
        return render_template(
            "pathways/entry.html",
            pathway=current,
            review_is_due=review_due(current["reviewed"], _today()),
            review_months=REVIEW_MONTHS,
            open_change=workflow.open_change(database, "pathway", pathway_id),
            events=workflow.history(database, "pathway", pathway_id),
            preview=bot_preview(pathway_id),
        )


@bp.route("/pathways/<pathway_id>/edit", methods=["GET", "POST"])
@login_required
def edit_pathway(pathway_id: str):
    with db() as database:
        current = PATHWAYS.current(database, pathway_id)
        if current is None:
            abort(404)
        open_change = workflow.open_change(database, "pathway", pathway_id)
        starting_point = open_change.payload if open_change else current
        form = PathwayForm(
            data=None if request.method == "POST" else PathwayForm.data_from_payload(starting_point)
        )
        if request.method == "GET":
            form.base_version.data = PATHWAYS.version(database, pathway_id)
            form.draft_revision.data = open_change.revision if open_change else ""
        extra_errors: list[str] = []
        status = 200
        if request.method == "POST":
            valid = form.validate()
            payload = form.to_payload(pathway_id)
            valid = valid and not form.contacts.errors and not form.sources.errors
            if valid:
                try:
                    payload = pathway_from_dict(payload, boroughs=place_ids())
                    problems = PATHWAYS.validate(database, payload)
                except PathwayError as error:
                    problems = error.errors
                extra_errors = [f"{f}: {' '.join(m)}" for f, m in problems.items()]
                valid = not problems
            if valid:
                response, error, status = save_proposal_from_form(
                    database, PATHWAYS, pathway_id, payload, form
                )
                if response is not None:
                    return response
                extra_errors.append(error)
            else:
                status = 400
        return (
            render_template(
                "pathways/edit.html",
                form=form,
                pathway_id=pathway_id,
                open_change=open_change,
                extra_errors=extra_errors,
            ),
            status,
        )
