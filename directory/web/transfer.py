"""Import and export from the editor, through the directory's importer and exporter.

An upload is planned first (a dry run: nothing is written) and the plan is shown. The upload
and its plan are kept as a proposal (entity_type "import"); a reviewer other than the uploader
applies it, in one transaction: every change or none. If the directory changed since the
preview, applying is refused and the maintainer previews again. Applying is a compare-and-set
on the import's revision (carried by the form) and on every entry's version, so two applies,
or an apply and a publish, can never both write.
"""

from __future__ import annotations

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
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, SelectField

from directory.diffs import diff
from directory.editor import audit
from directory.editor import changes as workflow
from directory.editor.adapters import ADAPTERS
from directory.editor.entities import StaleError, claim_version
from directory.editor.models import ChangeRequest, utcnow
from directory.exporting import export_text
from directory.importing import FORMATS, ImportFailed, apply_plan, plan_import, read_text
from directory.models import Organization, Service
from directory.serialize import organization_to_dict, service_to_dict
from directory.web.auth import db, editor_blueprint, reviewer_required
from directory.web.proposals import int_or_none

bp = editor_blueprint("transfer", __name__)

FORMAT_LABELS = {"csv": "CSV spreadsheet", "hsds-json": "Open Referral HSDS 3.0 JSON"}
MEDIA_TYPES = {"csv": ("text/csv", "csv"), "hsds-json": ("application/json", "json")}


class ImportForm(FlaskForm):
    file = FileField("File to import", validators=[FileRequired("Choose a file to import")])
    format = SelectField("Format", choices=[(f, FORMAT_LABELS[f]) for f in FORMATS])
    retire_missing = BooleanField(
        "This file is the whole directory: retire entries that are not in it"
    )


@bp.get("/transfer")
@login_required
def transfer():
    return render_template("editor/transfer.html", form=ImportForm(), formats=FORMAT_LABELS)


@bp.get("/export.<format>")
@login_required
def export(format: str):
    if format not in MEDIA_TYPES:
        abort(404)
    with db() as database:
        text = export_text(database, format)
    media_type, extension = MEDIA_TYPES[format]
    return Response(
        text,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="directory.{extension}"'},
    )


def _plan(database, upload: dict):
    records = read_text(upload["text"], upload["format"], upload["filename"])
    return plan_import(
        database, records, retire_missing=upload["retire_missing"], source=upload["filename"]
    )


@bp.post("/import")
@login_required
def upload_import():
    form = ImportForm()
    if not form.validate():
        return render_template("editor/transfer.html", form=form, formats=FORMAT_LABELS), 400
    raw = form.file.data.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.file.errors = ["The file must be saved as UTF-8 text"]
        return render_template("editor/transfer.html", form=form, formats=FORMAT_LABELS), 400
    upload = {
        "filename": (form.file.data.filename or "upload").rsplit("/", 1)[-1][:100],
        "format": form.format.data,
        "retire_missing": bool(form.retire_missing.data),
        "text": text,
    }
    with db() as database:
        plan = _plan(database, upload)
        database.rollback()  # planning writes nothing; make sure of it
        now = utcnow()
        proposal = ChangeRequest(
            entity_type="import",
            entity_id=upload["filename"],
            kind="import",
            payload={**upload, "plan": plan.as_dict()},
            status="draft",
            revision=1,
            author_id=g.maintainer.id,
            created_at=now,
            updated_at=now,
        )
        database.add(proposal)
        database.flush()
        note = f"{plan.summary()}; {len(plan.errors)} errors ({FORMAT_LABELS[upload['format']]})"
        audit.record_event(
            database, "import", proposal.entity_id, "uploaded", g.maintainer, note, proposal.id
        )
        return redirect(url_for("transfer.import_preview", import_id=proposal.id))


def _load_import(database, import_id: int) -> ChangeRequest:
    proposal = database.get(ChangeRequest, import_id)
    if proposal is None or proposal.entity_type != "import":
        abort(404)
    return proposal


@bp.get("/imports/<int:import_id>")
@login_required
def import_preview(import_id: int):
    with db() as database:
        proposal = _load_import(database, import_id)
        block = workflow.may_publish(
            proposal, g.maintainer, current_app.config["EDITOR_SINGLE_MAINTAINER"]
        )
        plan = proposal.payload["plan"]
        changed = {
            sid: diff(
                {f: values[0] for f, values in fields.items()},
                {f: values[1] for f, values in fields.items()},
            )
            for sid, fields in plan["changed"].items()
        }
        return render_template(
            "editor/import_plan.html",
            proposal=proposal,
            plan=plan,
            changed=changed,
            upload=proposal.payload,
            apply_block=block,
        )


@bp.post("/imports/<int:import_id>/apply")
@reviewer_required
def apply_import(import_id: int):
    back = redirect(url_for("transfer.import_preview", import_id=import_id))
    with db() as database:
        proposal = _load_import(database, import_id)
        block = workflow.may_publish(
            proposal, g.maintainer, current_app.config["EDITOR_SINGLE_MAINTAINER"]
        )
        if block:
            abort(403, description=block.replace("change", "import"))
        if proposal.status != "draft":
            flash("This import has already been applied or discarded.")
            return back
        # The revision on the reviewer's screen (a form without one counts as stale).
        if (int_or_none(request.form.get("revision")) or 0) != proposal.revision:
            flash(f"Nothing was imported. {workflow.PROPOSAL_MOVED_ON}")
            return back
        plan = _plan(database, proposal.payload)
        if plan.as_dict() != proposal.payload["plan"]:
            database.rollback()
            flash(
                "The directory changed since this preview, so nothing was imported. "
                "Upload the file again to see what it would change now."
            )
            return back
        if not plan.ok:
            flash("The file has errors, so nothing was imported.")
            return back
        touched = sorted(set(plan.added) | set(plan.changed) | set(plan.retired))
        before = {sid: ADAPTERS["service"].current(database, sid) for sid in touched}
        orgs_before = {
            oid: (organization_to_dict(o) if (o := database.get(Organization, oid)) else None)
            for oid in plan.organizations
        }
        try:
            # Compare-and-set, first on the import itself (a second apply of it waits here,
            # then is refused), then on every entry at the version the preview was made from
            # (in id order, so two imports never wait on each other).
            workflow.decide(
                database,
                proposal,
                ("draft",),
                proposal.revision,
                {"status": "published", "reviewer_id": g.maintainer.id, "decided_at": utcnow()},
            )
            for sid in touched:
                if sid in plan.base_versions:
                    claim_version(database, Service, sid, plan.base_versions[sid])
            apply_plan(database, plan)
        except (ImportFailed, StaleError, IntegrityError):
            # ImportFailed here means stale too: the plan itself was checked above.
            database.rollback()
            flash(
                "The directory changed just now, so nothing was imported. "
                "Upload the file again to see what it would change now."
            )
            return back
        database.expire_all()
        note = f"Imported from {proposal.payload['filename']}"
        for oid, old in orgs_before.items():
            new = organization_to_dict(database.get(Organization, oid))
            if old != new:
                workflow.record(
                    database, "organization", oid, "imported", g.maintainer,
                    diff(old, new), proposal, note,
                )  # fmt: skip
        for sid in touched:
            after = service_to_dict(database.get(Service, sid))
            workflow.record(
                database, "service", sid, "imported", g.maintainer,
                diff(before[sid], after), proposal, note,
            )  # fmt: skip
        count = len(touched)
    flash(f"Imported: {count} {'entry' if count == 1 else 'entries'} changed.")
    return back


@bp.post("/imports/<int:import_id>/discard")
@login_required
def discard_import(import_id: int):
    with db() as database:
        proposal = _load_import(database, import_id)
        if proposal.author_id != g.maintainer.id and g.maintainer.role != "reviewer":
            abort(403, description="Only the maintainer who uploaded this import, or a "
                  "reviewer, can discard it.")  # fmt: skip
        if proposal.status == "draft":
            proposal.status, proposal.decided_at = "withdrawn", utcnow()
            audit.record_event(
                database, "import", proposal.entity_id, "discarded", g.maintainer,
                change_id=proposal.id,
            )  # fmt: skip
    flash("The import was discarded; nothing was changed.")
    return redirect(url_for("transfer.transfer"))
