"""The editor's sign-in, sessions and permission checks, and `editor_blueprint`, which every
editor module (entries, review, transfer, pathways) makes its blueprint with, so that each
of them loads the signed-in maintainer, checks CSRF on every POST and is never cached.

Views are guarded with Flask-Login's `login_required` (or `reviewer_required` here); its user
is the maintainer whose server-side session token (directory.editor.accounts) the cookie
holds. Server-rendered; works under a strict CSP (no inline script or style). `init_app(app)`
sets the SECRET_KEY (VAWG_SECRET_KEY, else var/secret_key), the session cookie (Secure unless
the app's plain-http opt-out applies, see directory.web.security.uses_https; HttpOnly;
SameSite=Lax), CSRF protection and Flask-Login.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from functools import wraps

from flask import (
    Blueprint,
    Flask,
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
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, login_required
from flask_wtf.csrf import CSRFError, CSRFProtect

from directory.db import session_scope
from directory.editor.accounts import authenticate, end_session, resume_session, start_session
from directory.editor.models import Maintainer
from directory.web.forms import ActionForm, LoginForm
from directory.web.secret_key import load_secret_key
from directory.web.security import uses_https

# An analyst sees the insight dashboard (directory.web.insight) and signs in and out; no entry,
# draft or account.
ANALYST_BLUEPRINTS = frozenset({"auth", "insight"})
SESSION_KEY = "editor_token"  # the server-side session's token (directory.editor.accounts)

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None  # the sign-in page says what to do
# Sessions are server-side tokens (idle timeout, lifetime, a fresh session on sign-in), so
# Flask-Login keeps nothing in the cookie and protects nothing of its own.
login_manager.session_protection = None


class SignedIn(UserMixin):
    """Flask-Login's current_user: the maintainer this request's session token belongs to."""

    def __init__(self, maintainer: Maintainer):
        self.maintainer = maintainer

    def get_id(self) -> str:
        return str(self.maintainer.id)


@login_manager.request_loader
def signed_in(_request) -> SignedIn | None:
    return SignedIn(g.maintainer) if g.get("maintainer") is not None else None


@contextmanager
def db():
    """A database session for one request step; commits on success."""
    with session_scope(current_app.config.get("DIRECTORY_DATABASE_URL")) as database:
        yield database


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
        if (
            maintainer is not None
            and maintainer.role == "analyst"
            and request.blueprint not in ANALYST_BLUEPRINTS
        ):
            abort(403, description="An analyst can see the insight dashboard only.")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


def no_store(response):
    # Editor pages show unpublished drafts: never cache them, never send a referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


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


def editor_globals() -> dict:
    return {"maintainer": g.get("maintainer"), "action_form": ActionForm()}


def reviewer_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if g.maintainer.role != "reviewer":
            abort(403, description="Only a reviewer can do this.")
        return view(*args, **kwargs)

    return wrapped


def forbidden(error):
    return (
        render_template("editor/error.html", title="Not allowed", message=error.description),
        403,
    )


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure unless this is plain http to this machine with the opt-out set."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return uses_https(app, request) if request else bool(app.config["SECURE_COOKIES"])


csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key()
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["SECURE_COOKIES"])
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    # Templates use `maintainer` (editor_globals); public pages never look for a user.
    login_manager.init_app(app, add_context_processor=False)


def editor_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint for one area of the editor, under /editor."""
    blueprint = Blueprint(name, import_name, url_prefix="/editor", **options)
    blueprint.before_request(load_maintainer)
    blueprint.after_request(no_store)
    blueprint.register_error_handler(CSRFError, csrf_failed)
    blueprint.register_error_handler(403, forbidden)
    blueprint.context_processor(editor_globals)
    return blueprint


bp = editor_blueprint("auth", __name__, static_folder="static/editor", static_url_path="/assets")


def _safe_next(target: str | None) -> str:
    # Only paths inside the editor: never an open redirect to another site.
    if target and target.startswith("/editor/") and not target.startswith("//"):
        return target
    return url_for("entries.entries")


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
            analyst = result.maintainer is not None and result.maintainer.role == "analyst"
        if token is not None:
            session.clear()  # a fresh session on sign-in: no fixation
            session[SESSION_KEY] = token
            if analyst:
                return redirect(url_for("insight.dashboard"))
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
    return redirect(url_for("auth.login"))
