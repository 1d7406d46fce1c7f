"""Every setting of the web app: read from the environment once, by the app factory, into
app.config (the README's "Production settings" table lists them). Tests pass their own values
to create_app, which win over these.

The database URL is the directory's, not the web app's: directory.db reads
DIRECTORY_DATABASE_URL wherever DIRECTORY_DATABASE_URL is not in app.config.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta

from directory.editor.models import utcnow

DEFAULT_BOT_URL = "http://127.0.0.1:5005"
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"


def flag(value: str | None, default: bool) -> bool:
    """A yes/no setting; an empty or unknown word keeps the default, which is the safe side."""
    word = (value or "").strip().lower()
    if word in ("1", "true", "yes"):
        return True
    if word in ("0", "false", "no"):
        return False
    return default


def proxy_hops(value) -> int:
    if not str(value).strip().isdigit():
        raise ValueError(f"VAWG_PROXY_HOPS must be a number of proxies (0 or more), not {value!r}")
    return int(value)


def from_environ(environ: Mapping[str, str] | None = None) -> dict:
    environ = os.environ if environ is None else environ
    return {
        # Where the widget posts messages: the Rasa chat channel (the launcher sets it).
        "BOT_URL": environ.get("VAWG_BOT_URL", DEFAULT_BOT_URL),
        "EXIT_URL": environ.get("VAWG_EXIT_URL", DEFAULT_EXIT_URL),
        # The sites allowed to frame the chat (checked in directory.web.public).
        "CHAT_HOST_ORIGINS": environ.get("VAWG_CHAT_HOST_ORIGINS", ""),
        # How many proxies in front of the app to trust for X-Forwarded-*; 0 trusts none, so
        # no client can forge them.
        "PROXY_HOPS": environ.get("VAWG_PROXY_HOPS", "0"),
        # See directory.web.security.uses_https: off only for plain http on 127.0.0.1.
        "SECURE_COOKIES": flag(environ.get("VAWG_COOKIE_SECURE"), True),
        # Empty: generated once into var/secret_key (directory.web.secret_key).
        "SECRET_KEY": environ.get("VAWG_SECRET_KEY", "").strip() or None,
        # One maintainer may publish their own changes only when the partnership runs the
        # directory alone.
        "EDITOR_SINGLE_MAINTAINER": flag(environ.get("VAWG_EDITOR_SINGLE_MAINTAINER"), False),
        # Requests a minute from one address to the Open Referral UK API (directory.web.oruk).
        "ORUK_REQUESTS_PER_MINUTE": environ.get("VAWG_ORUK_REQUESTS_PER_MINUTE", "300"),
        # Fixed, not from the environment.
        "EDITOR_IDLE_TIMEOUT": timedelta(minutes=30),
        "EDITOR_SESSION_LIFETIME": timedelta(hours=10),
        "EDITOR_CLOCK": utcnow,  # what sign-in delays are timed by; tests replace it
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # imports
        "SESSION_COOKIE_NAME": "vawg_editor",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # CSRF is checked in the editor blueprints' before_request (directory.web.auth), so
        # other blueprints' POSTs (none need a form today) are not affected.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "WTF_CSRF_TIME_LIMIT": 3600,
        # Flask-WTF's HTTPS check wants a Referer, which no-referrer pages never send; the
        # token plus SameSite=Lax cookies are the protection.
        "WTF_CSRF_SSL_STRICT": False,
    }
