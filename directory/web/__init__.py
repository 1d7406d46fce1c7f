"""The web app on :5000: an application factory with one blueprint per area.

Behind a reverse proxy, PROXY_HOPS (env VAWG_PROXY_HOPS) is how many proxies in front of the
app to trust for the client's address, scheme and host (X-Forwarded-*); 0, the default, trusts
none, so no client can forge them. SECURE_COOKIES (env VAWG_COOKIE_SECURE, default on) is
explained in directory.web.security.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def _proxy_hops(value: str) -> int:
    if not value.strip().isdigit():
        raise ValueError(f"VAWG_PROXY_HOPS must be a number of proxies (0 or more), not {value!r}")
    return int(value)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        BOT_URL=os.environ.get("VAWG_BOT_URL", "http://127.0.0.1:5005"),
        EXIT_URL=os.environ.get("VAWG_EXIT_URL", "https://www.bbc.co.uk/weather"),
        PROXY_HOPS=_proxy_hops(os.environ.get("VAWG_PROXY_HOPS", "0")),
        SECURE_COOKIES=os.environ.get("VAWG_COOKIE_SECURE", "1").strip().lower()
        not in ("0", "false", "no"),
    )
    if config:
        app.config.update(config)
    if hops := _proxy_hops(str(app.config["PROXY_HOPS"])):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    from directory.web import editor, health, public, security

    security.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(public.bp)
    editor.init_app(app)  # /editor/: also sets SECRET_KEY, session cookie flags and CSRF
    # Blueprints of other areas register here.
    return app
