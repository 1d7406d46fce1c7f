"""Sign-in, sign-out, sessions and the permission checks every editor route uses."""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import wraps

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from directory.db import session_scope
from directory.editor.accounts import (
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    authenticate,
    end_session,
    resume_session,
    start_session,
)
from directory.web.editor import bp, csrf

SESSION_KEY = "editor_token"


@contextmanager
def db():
    """A database session for one request step; commits on success."""
    with session_scope(current_app.config.get("DIRECTORY_DATABASE_URL")) as database:
        yield database


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(
                max=MAX_EMAIL_LENGTH,
                message=f"An email address is at most {MAX_EMAIL_LENGTH} characters long",
            ),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"A password is at most {MAX_PASSWORD_LENGTH:,} characters long",
            ),
        ],
    )


class ActionForm(FlaskForm):
    """A button that changes something: carries only the CSRF token."""


@bp.before_request
def load_maintainer():
    g.maintainer = None
    token = session.get(SESSION_KEY)
    if token:
        config = current_app.config
        with db() as database:
            maintainer = resume_session(
                database, token, config["EDITOR_IDLE_TIMEOUT"], config["EDITOR_SESSION_LIFETIME"]
            )
            if maintainer is not None:
                database.expunge(maintainer)
        if maintainer is None:
            session.pop(SESSION_KEY, None)
        g.maintainer = maintainer
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.after_request
def no_store(response):
    # Editor pages show unpublished drafts: never cache them, never send a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    return (
        render_template(
            "editor/error.html",
            title="Your form expired",
            message="The page was open too long or came from somewhere else, so nothing was "
            "saved. Go back, reload the page and try again.",
        ),
        400,
    )


@bp.context_processor
def editor_globals() -> dict:
    return {"maintainer": g.get("maintainer"), "action_form": ActionForm()}


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.maintainer is None:
            return redirect(url_for("editor.login", next=request.full_path))
        return view(*args, **kwargs)

    return wrapped


def reviewer_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if g.maintainer.role != "reviewer":
            abort(403, description="Only a reviewer can do this.")
        return view(*args, **kwargs)

    return wrapped


@bp.errorhandler(403)
def forbidden(error):
    return (
        render_template("editor/error.html", title="Not allowed", message=error.description),
        403,
    )


def _safe_next(target: str | None) -> str:
    # Only paths inside the editor: never an open redirect to another site.
    if target and target.startswith("/editor/") and not target.startswith("//"):
        return target
    return url_for("editor.entries")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status, headers, problem, wait = 200, {}, None, 0
    if form.validate_on_submit():
        with db() as database:
            result = authenticate(
                database,
                form.email.data,
                form.password.data,
                request.remote_addr or "unknown",  # the real client's, behind ProxyFix
                now=current_app.config["EDITOR_CLOCK"](),
            )
            token = start_session(database, result.maintainer) if result.maintainer else None
        if token is not None:
            session.clear()  # a fresh session on sign-in: no fixation
            session[SESSION_KEY] = token
            return redirect(_safe_next(request.args.get("next")))
        wait = math.ceil(result.wait.total_seconds())
        status, problem = (429, "too soon") if result.too_soon else (401, "not right")
        if wait:
            headers["Retry-After"] = str(wait)
    elif request.method == "POST":
        status = 400
    page = render_template("editor/login.html", form=form, problem=problem, wait=wait)
    return page, status, headers


@bp.post("/logout")
def logout():
    token = session.pop(SESSION_KEY, None)
    if token:
        with db() as database:
            end_session(database, token)
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("editor.login"))
