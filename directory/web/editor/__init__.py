"""The maintainers' editor, mounted at /editor/: sign-in, directory entries, review, audit,
import and export. Server-rendered; works under a strict CSP (no inline script or style).

`init_app(app)` is the one call the application factory makes. It sets what the editor needs
app-wide: the SECRET_KEY (env VAWG_SECRET_KEY, else var/secret_key), the session cookie flags
(Secure unless the app's plain-http opt-out applies, see directory.web.security.uses_https;
HttpOnly; SameSite=Lax) and CSRF protection (checked on every editor POST; other blueprints
are left alone). EDITOR_CLOCK (utcnow) is what sign-in delays are timed by; tests replace it.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from datetime import timedelta

from flask import Blueprint, Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from directory.editor.models import utcnow
from directory.editor.secret_key import load_secret_key
from directory.web.security import uses_https

bp = Blueprint(
    "editor",
    __name__,
    url_prefix="/editor",
    template_folder="../templates",
    static_folder="../static/editor",
    static_url_path="/assets",
)
csrf = CSRFProtect()


class SessionInterface(SecureCookieSessionInterface):
    """Marks the cookie Secure unless this is plain http to this machine with the opt-out set."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return uses_https(app, request) if request else bool(app.config["SECURE_COOKIES"])


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def init_app(app: Flask) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key()
    # Flask has its own defaults for these, so they are set, not defaulted.
    app.config.update(
        SESSION_COOKIE_NAME="vawg_editor",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(app.config["SECURE_COOKIES"]),
        MAX_CONTENT_LENGTH=app.config.get("MAX_CONTENT_LENGTH") or 5 * 1024 * 1024,  # imports
    )
    defaults = {
        # Checked explicitly in the editor's before_request, so other blueprints' POSTs
        # (none need a form today) are not affected.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": 3600,
        # Flask-WTF's HTTPS check wants a Referer, which no-referrer pages never send; the
        # token plus SameSite=Lax cookies are the protection.
        "WTF_CSRF_SSL_STRICT": False,
        "EDITOR_IDLE_TIMEOUT": timedelta(minutes=30),
        "EDITOR_SESSION_LIFETIME": timedelta(hours=10),
        # One maintainer may publish their own changes only when the partnership runs the
        # directory alone (VAWG_EDITOR_SINGLE_MAINTAINER=1).
        "EDITOR_SINGLE_MAINTAINER": _env_flag("VAWG_EDITOR_SINGLE_MAINTAINER"),
        "EDITOR_CLOCK": utcnow,
    }
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    app.session_interface = SessionInterface()
    csrf.init_app(app)

    from directory.web.editor import auth, entries, review, transfer  # noqa: F401  (routes)

    # The pathways teammate's screens add routes to this blueprint (issue 8); they must be
    # imported before the blueprint is first registered.
    # find_spec, not a blanket `except ImportError`: a broken module must fail loudly.
    if importlib.util.find_spec("directory.web.pathways_editor") is not None:
        importlib.import_module("directory.web.pathways_editor")

    app.register_blueprint(bp)
