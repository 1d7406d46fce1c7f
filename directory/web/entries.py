"""Directory entries: list and search, view with history, edit, add, verify, retire/restore;
and two reports on them: gaps in provision, and sources to re-check."""

from __future__ import annotations

from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from directory.editor import changes as workflow
from directory.editor.entities import ChangeError, StaleError, status_payload
from directory.editor.services import (
    SERVICES,
    SOURCE_RECHECK_MONTHS,
    bot_preview,
    list_services,
    mark_verified,
    needs_checking,
    organization_choices,
    sources_to_recheck,
)
from directory.gaps import ANYONE, gaps, gaps_csv
from directory.places import borough_label
from directory.serialize import normalise_service_dict
from directory.taxonomy import vocabulary
from directory.web.auth import db, editor_blueprint
from directory.web.forms import RetireForm, SearchForm, VerifyForm
from directory.web.proposals import save_proposal_from_form
from directory.web.service_form import ServiceForm

bp = editor_blueprint("entries", __name__)

NEW_SERVICE = {
    "status": "active",
    "scope": "local",
    "referral_route": "self",
    "gender": "any",
    "phones": [],
    "schedules": [],
    "locations": [],
}


@bp.get("/")
@login_required
def entries():
    form = SearchForm(request.args)
    with db() as database:
        listed = list_services(
            database,
            q=form.q.data or "",
            borough=form.borough.data or "",
            strand=form.strand.data or "",
            need=form.need.data or "",
            status=form.status.data or "",
            only_needs_checking=bool(form.needs_checking.data),
        )
        return render_template("editor/entries.html", form=form, listed=listed)


@bp.get("/services/<service_id>")
@login_required
def entry(service_id: str):
    with db() as database:
        current = SERVICES.current(database, service_id)
        if current is None:
            abort(404)
        open_change = workflow.open_change(database, "service", service_id)
        events = workflow.history(database, "service", service_id)
        return render_template(
            "editor/entry.html",
            service=current,
            version=SERVICES.version(database, service_id),
            open_change=open_change,
            events=events,
            preview=bot_preview(database, current),
            checking=needs_checking(current),
            verify_form=VerifyForm(),
            retire_form=RetireForm(),
        )


def _apply_directory_errors(form: ServiceForm, errors: dict[str, list[str]]) -> list[str]:
    """Puts the directory's own validation errors beside the fields they name; returns the
    ones no field shows."""
    unplaced = []
    for path, messages in errors.items():
        field = form.field_for_error(path)
        for message in messages:
            text = message[:1].upper() + message[1:]
            if field is not None:
                field.errors = [*field.errors, text]
            else:
                unplaced.append(f"{path}: {text}")
    return unplaced


def _edit(service_id: str | None):
    with db() as database:
        current = SERVICES.current(database, service_id) if service_id else None
        open_change = workflow.open_change(database, "service", service_id) if service_id else None
        if service_id and current is None and not (open_change and open_change.kind == "create"):
            abort(404)
        creating = current is None
        if open_change is not None and open_change.kind in ("retire", "restore"):
            flash("This entry has an open proposal to retire or restore it: decide that first.")
            return redirect(url_for("review.change", change_id=open_change.id))
        starting_point = open_change.payload if open_change else (current or dict(NEW_SERVICE))
        form = ServiceForm(
            organizations=organization_choices(database),
            data=None
            if request.method == "POST"
            else ServiceForm.data_from_payload(starting_point),
        )
        if starting_point.get("status") == "defunct":
            form.status.choices = [*form.status.choices, ("defunct", "Retired")]
        if request.method == "GET":
            form.base_version.data = "" if creating else SERVICES.version(database, service_id)
            form.draft_revision.data = open_change.revision if open_change else ""
        if service_id:
            # The id is fixed once a service exists: the bot and pathways refer to it.
            form.id.data = service_id
        extra_errors: list[str] = []
        status = 200
        if request.method == "POST":
            valid = form.validate()
            payload = normalise_service_dict(form.to_payload(starting_point))
            if creating and payload.get("status") is None:
                payload["status"] = "active"
            directory_errors = SERVICES.validate(database, payload)
            if valid and directory_errors:
                extra_errors = _apply_directory_errors(form, directory_errors)
                valid = False
            if valid:
                kind = "create" if creating else "update"
                response, error, status = save_proposal_from_form(
                    database, SERVICES, payload["id"], payload, form, kind=kind
                )
                if response is not None:
                    return response
                extra_errors.append(error)
            else:
                status = 400
        return (
            render_template(
                "editor/edit.html",
                form=form,
                creating=creating,
                service_id=service_id,
                open_change=open_change,
                extra_errors=extra_errors,
            ),
            status,
        )


@bp.route("/services/<service_id>/edit", methods=["GET", "POST"])
@login_required
def edit_service(service_id: str):
    return _edit(service_id)


@bp.route("/services/new", methods=["GET", "POST"])
@login_required
def new_service():
    return _edit(None)


@bp.post("/services/<service_id>/verify")
@login_required
def verify_service(service_id: str):
    form = VerifyForm()
    if not form.validate():
        flash(
            "Say how you checked the entry (for example, phoned the service): "
            + "; ".join(form.verification_source.errors)
        )
        return redirect(url_for("entries.entry", service_id=service_id))
    with db() as database:
        if SERVICES.current(database, service_id) is None:
            abort(404)
        try:
            mark_verified(database, service_id, g.maintainer, form.verification_source.data)
        except StaleError as error:
            database.rollback()
            flash(str(error))
            return redirect(url_for("entries.entry", service_id=service_id))
    flash("Marked as verified today.")
    return redirect(url_for("entries.entry", service_id=service_id))


def _propose_status(service_id: str, kind: str):
    form = RetireForm()
    if not form.validate():
        flash("Say why, so the reviewer can check it.")
        return redirect(url_for("entries.entry", service_id=service_id))
    with db() as database:
        current = SERVICES.current(database, service_id)
        if current is None:
            abort(404)
        payload = status_payload(SERVICES, current, kind)
        existing = workflow.open_change(database, "service", service_id)
        if existing is not None:
            flash("This entry already has an open proposal: decide or withdraw it first.")
            return redirect(url_for("review.change", change_id=existing.id))
        try:
            change = workflow.save_proposal(
                database,
                SERVICES,
                service_id,
                payload,
                g.maintainer,
                kind=kind,
                base_version=SERVICES.version(database, service_id),
                expected_revision=None,
                note=form.note.data,
            )
            workflow.submit(database, change, g.maintainer)
        except ChangeError as error:
            database.rollback()
            flash(str(error))
            return redirect(url_for("entries.entry", service_id=service_id))
        flash(f"The proposal to {kind} this entry is waiting for a reviewer.")
        return redirect(url_for("review.change", change_id=change.id))


@bp.post("/services/<service_id>/retire")
@login_required
def retire_service(service_id: str):
    return _propose_status(service_id, "retire")


@bp.post("/services/<service_id>/restore")
@login_required
def restore_service(service_id: str):
    return _propose_status(service_id, "restore")


# --- reports ----------------------------------------------------------------------------------


@bp.get("/gaps")
@login_required
def gaps_report():
    """What `python -m directory gaps` prints: where there is no local service, by borough ×
    strand × audience, from the same function."""
    rows = gaps(current_app.config.get("DIRECTORY_DATABASE_URL"))
    return render_template(
        "editor/gaps.html",
        rows=rows,
        found=[r for r in rows if r.is_gap],
        anyone=ANYONE,
        label=vocabulary().label,
        borough_label=borough_label,
    )


@bp.get("/gaps.csv")
@login_required
def gaps_download():
    rows = gaps(current_app.config.get("DIRECTORY_DATABASE_URL"))
    return Response(
        gaps_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="gaps.csv"'},
    )


@bp.get("/sources")
@login_required
def sources():
    """Entries whose source was last read more than 12 months ago, or never, oldest first.

    Entries whose source page no longer matches what they say are not listed: that would mean
    fetching every page while the editor runs, which it never does.
    """
    today = current_app.config.get("REVIEW_TODAY") or date.today()
    with db() as database:
        due = sources_to_recheck(database, today)
        return render_template("editor/sources.html", due=due, months=SOURCE_RECHECK_MONTHS)
