"""The web app on :5000: an application factory with one blueprint per area."""

from __future__ import annotations

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        BOT_URL=os.environ.get("VAWG_BOT_URL", "http://127.0.0.1:5005"),
        EXIT_URL=os.environ.get("VAWG_EXIT_URL", "https://www.bbc.co.uk/weather"),
    )
    if config:
        app.config.update(config)

    from directory.web import editor, health, public, security

    security.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(public.bp)
    editor.init_app(app)  # /editor/: also sets SECRET_KEY, session cookie flags and CSRF
    # Blueprints of other areas register here.
    return app
