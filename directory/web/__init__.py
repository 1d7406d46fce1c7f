"""The web app on :5000: an application factory with one blueprint per module.

The factory reads the environment once (directory.web.settings); `create_app(config)` values
win over it. Behind a reverse proxy, PROXY_HOPS trusts that many proxies for the client's
address, scheme and host (X-Forwarded-*).
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from directory.web import settings


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(settings.from_environ())
    if config:
        app.config.update(config)
    if hops := settings.proxy_hops(app.config["PROXY_HOPS"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    from directory.web import (
        auth,
        entries,
        find,
        health,
        insight,
        oruk,
        pathways,
        public,
        review,
        security,
        transfer,
    )

    security.init_app(app)
    auth.init_app(app)  # the editor's secret key, session cookie and CSRF protection
    app.register_blueprint(health.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(find.bp)  # the professionals' directory, under /find/
    app.register_blueprint(oruk.bp)  # the Open Referral UK read API, under /api/oruk/
    # The maintainers' editor, under /editor/ (see directory.web.auth.editor_blueprint).
    for blueprint in (auth.bp, entries.bp, review.bp, transfer.bp, pathways.bp, insight.bp):
        app.register_blueprint(blueprint)
    return app
