"""Proposals: the review queue, one proposal with its diff and bot preview, and the
decisions (send for review, publish, reject, withdraw).

The publish/reject form carries the proposal revision the reviewer was shown; if the proposal
was saved again since, the decision is refused and the page shows the new version."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import select

from directory.diffs import diff
from directory.editor import changes as workflow
from directory.editor.adapters import ADAPTERS, adapter_for
from directory.editor.diffs import merge
from directory.editor.entities import ChangeError, Conflict, PermissionDenied
from directory.editor.models import ChangeRequest
from directory.editor.services import bot_preview
from directory.web.auth import db, editor_blueprint, reviewer_required
from directory.web.forms import DecisionForm

bp = editor_blueprint("review", __name__)


def _load(database, change_id: int) -> ChangeRequest:
    change = database.get(ChangeRequest, change_id)
    if change is None or change.entity_type not in ADAPTERS:
        abort(404)
    return change


@bp.get("/changes")
@login_required
def changes():
    with db() as database:
        open_changes = workflow.changes_in(database, workflow.OPEN_STATUSES)
        decided = list(
            database.execute(
                select(ChangeRequest)
                .where(ChangeRequest.status.in_(("published", "rejected", "withdrawn")))
                .order_by(ChangeRequest.decided_at.desc())
                .limit(30)
            ).scalars()
        )
        return render_template(
            "editor/changes.html",
            open_changes=[c for c in open_changes if c.entity_type in ADAPTERS],
            decided=[c for c in decided if c.entity_type in ADAPTERS],
            adapters=ADAPTERS,
        )


@bp.get("/changes/<int:change_id>")
@login_required
def change(change_id: int):
    with db() as database:
        request_ = _load(database, change_id)
        adapter = adapter_for(request_.entity_type)
        current = adapter.current(database, request_.entity_id)
        proposed_changes = diff(request_.base, request_.payload, adapter.ignored_fields)
        conflict = None
        publishable = request_.payload
        if request_.status in workflow.OPEN_STATUSES:
            try:
                publishable = merge(
                    request_.base, request_.payload, current, adapter.ignored_fields
                )
            except Conflict as error:
                conflict = str(error)
        preview = None
        if request_.entity_type == "service" and request_.status in workflow.OPEN_STATUSES:
            errors = adapter.validate(database, publishable)
            preview = None if errors else bot_preview(database, publishable)
        publish_block = workflow.may_publish(
            request_, g.maintainer, current_app.config["EDITOR_SINGLE_MAINTAINER"]
        )
        return render_template(
            "editor/change.html",
            change=request_,
            adapter=adapter,
            title=adapter.title(request_.payload),
            proposed_changes=proposed_changes,
            conflict=conflict,
            preview=preview,
            publish_block=publish_block,
            events=[
                e
                for e in workflow.history(database, request_.entity_type, request_.entity_id)
                if e.change_id == request_.id
            ],
            decision_form=DecisionForm(revision=request_.revision),
        )


def _back(change_id: int):
    return redirect(url_for("review.change", change_id=change_id))


def _decide(change_id: int, decision, refused: str, done: str):
    """Apply one workflow decision to a proposal and go back to it. A decision the workflow
    refuses is shown with why ("Not published. ..."); one the person may not make is a 403."""
    with db() as database:
        try:
            decision(database, _load(database, change_id))
        except PermissionDenied as error:
            database.rollback()
            abort(403, description=str(error))
        except ChangeError as error:
            database.rollback()
            flash(f"{refused} {error}".strip())
            return _back(change_id)
    flash(done)
    return _back(change_id)


def _decision_form() -> DecisionForm:
    form = DecisionForm()
    if not form.validate():
        abort(400)
    return form


@bp.post("/changes/<int:change_id>/submit")
@login_required
def submit_change(change_id: int):
    return _decide(
        change_id,
        lambda database, change: workflow.submit(database, change, g.maintainer),
        "",
        "Sent for review.",
    )


@bp.post("/changes/<int:change_id>/publish")
@reviewer_required
def publish_change(change_id: int):
    form = _decision_form()
    return _decide(
        change_id,
        lambda database, change: workflow.publish(
            database,
            change,
            g.maintainer,
            single_maintainer=current_app.config["EDITOR_SINGLE_MAINTAINER"],
            note=form.note.data or None,
            revision=form.seen_revision(),
        ),
        "Not published.",
        "Published. The bot uses it from the next message.",
    )


@bp.post("/changes/<int:change_id>/reject")
@reviewer_required
def reject_change(change_id: int):
    form = _decision_form()
    return _decide(
        change_id,
        lambda database, change: workflow.reject(
            database, change, g.maintainer, form.note.data or "", revision=form.seen_revision()
        ),
        "Not rejected.",
        "Rejected. The author can see your note.",
    )


@bp.post("/changes/<int:change_id>/withdraw")
@login_required
def withdraw_change(change_id: int):
    return _decide(
        change_id,
        lambda database, change: workflow.withdraw(database, change, g.maintainer),
        "",
        "Withdrawn.",
    )
