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

    from directory.web import health

    app.register_blueprint(health.bp)
    # Blueprints of other areas register here.
    return app
