"""Saving an edit form as a proposal: the one step every entity editor shares."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from directory.editor import changes as workflow
from directory.editor.entities import ChangeError, StaleError


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def save_proposal_from_form(
    database, adapter, entity_id: str, payload: dict, form, *, kind="update"
):
    """Save (and, if asked, send for review) the proposal behind a valid edit form.

    Returns `(redirect_response, None, 302)`, or `(None, message, status)` when the form was
    stale (409: someone else saved first; nothing is overwritten) or the change was refused (400).
    """
    try:
        change = workflow.save_proposal(
            database,
            adapter,
            entity_id,
            payload,
            g.maintainer,
            kind=kind,
            base_version=None if kind == "create" else int_or_none(form.base_version.data),
            expected_revision=int_or_none(form.draft_revision.data),
        )
        if request.form.get("send") == "review":
            workflow.submit(database, change, g.maintainer)
            flash("Your change is saved and waiting for a reviewer.")
        else:
            flash("Draft saved. The bot uses it only once a reviewer publishes it.")
    except StaleError as error:
        database.rollback()
        return None, str(error), 409
    except ChangeError as error:
        database.rollback()
        return None, str(error), 400
    return redirect(url_for("review.change", change_id=change.id)), None, 302
