"""Public pages: the demo partnership home page with the chat widget, the embed docs,
"cover your tracks" advice, and the widget bundle itself.

Pages work under a strict CSP: no inline scripts or style attributes; the widget's
styles are a constructed stylesheet inside its shadow root.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request, send_file

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BUNDLE = PROJECT_ROOT / "webchat" / "dist" / "webchat.js"
DEFAULT_BOT_URL = "http://127.0.0.1:5005"
DEFAULT_EXIT_URL = "https://www.bbc.co.uk/weather"
NATIONAL_HELPLINE = "0808 2000 247"
# The bundle's URL has no version in it, so caches keep it for an hour, not a year.
BUNDLE_MAX_AGE_S = 3600

bp = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static/public",
    static_url_path="/assets/public",
)


@bp.context_processor
def widget_settings() -> dict:
    config = current_app.config
    return {
        "bot_url": config.get("BOT_URL", DEFAULT_BOT_URL),
        "exit_url": config.get("EXIT_URL", DEFAULT_EXIT_URL),
        "helpline": NATIONAL_HELPLINE,
    }


@bp.get("/")
def home():
    return render_template("public/home.html")


@bp.get("/embed")
def embed():
    script_url = request.url_root.rstrip("/") + "/webchat.js"
    return render_template("public/embed.html", script_url=script_url)


@bp.get("/cover-your-tracks")
def cover_your_tracks():
    return render_template("public/cover_your_tracks.html")


@bp.get("/webchat.js")
def webchat_js():
    bundle = Path(current_app.config.get("WEBCHAT_BUNDLE", DEFAULT_BUNDLE))
    if not bundle.is_file():
        abort(404, description="The chat widget is not built: run `make webchat`.")
    response = send_file(bundle, mimetype="text/javascript", max_age=BUNDLE_MAX_AGE_S)
    # Other sites (the partnership's own) embed this script.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
