"""Public pages: the demo partnership home page with the chat widget, the embed docs,
"cover your tracks" advice, the widget's two bundles and the chat's frame page.

The widget is two parts. The loader (`/webchat.js`) is the one script a host page
includes: it draws the launcher and an iframe of `/chat`, the frame page, where the
conversation happens (`/chat.js`). The frame comes from this app's origin, not the host
page's, so no script on the host page can read the conversation.

Settings:
- BOT_URL: the Rasa server the chat talks to (the frame's only `connect-src`).
- EXIT_URL: where quick exit goes, unless the host page's script tag says otherwise.
- CHAT_HOST_ORIGINS (space or comma separated): the origins
  whose pages may frame the chat, e.g. the partnership's website; this app's own origin
  always may (the demo pages).
- CHAT_URL: where the demo pages load the widget from; by default this app.

Pages work under a strict CSP: no inline scripts or style attributes; the widget's
styles are constructed stylesheets (the loader's inside its closed shadow root).
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_file,
    url_for,
)

from directory.web.security import chat_frame_policy, origin_of

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DIST = PROJECT_ROOT / "webchat" / "dist"
DEFAULT_BUNDLE = DIST / "webchat.js"
DEFAULT_CHAT_BUNDLE = DIST / "chat.js"
NATIONAL_HELPLINE = "0808 2000 247"
# The bundles' URLs have no version in them, so caches keep them for an hour, not a year.
BUNDLE_MAX_AGE_S = 3600

bp = Blueprint(
    "public",
    __name__,
    template_folder="templates",
    static_folder="static/public",
    static_url_path="/assets/public",
)


def host_origins(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """The origins allowed to frame the chat, each checked to be exactly an origin."""
    items = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value or [])
    origins = []
    for item in filter(None, (i.strip() for i in items)):
        try:
            origin = origin_of(item)
        except ValueError:
            origin = None
        if origin != item.rstrip("/"):
            raise ValueError(
                f"CHAT_HOST_ORIGINS takes origins such as https://www.example.org "
                f"(scheme, host and port only), not {item!r}"
            )
        origins.append(origin)
    return origins


@bp.record_once
def read_settings(state) -> None:
    # A bad origin stops the app at start-up, not at the first chat.
    config = state.app.config
    config["CHAT_HOST_ORIGINS"] = host_origins(config.get("CHAT_HOST_ORIGINS"))


def _chat_url() -> str | None:
    url = current_app.config.get("CHAT_URL")
    return url.rstrip("/") if url else None


@bp.context_processor
def widget_settings() -> dict:
    config = current_app.config
    chat_url = _chat_url()
    return {
        "bot_url": config["BOT_URL"],
        "exit_url": config["EXIT_URL"],
        "helpline": NATIONAL_HELPLINE,
        "widget_src": f"{chat_url}/webchat.js" if chat_url else url_for("public.webchat_js"),
    }


@bp.get("/")
def home():
    return render_template("public/home.html")


@bp.get("/embed")
def embed():
    base = _chat_url() or request.url_root.rstrip("/")
    return render_template(
        "public/embed.html", script_url=f"{base}/webchat.js", chat_origin=origin_of(base)
    )


@bp.get("/cover-your-tracks")
def cover_your_tracks():
    return render_template("public/cover_your_tracks.html")


def _bundle(setting: str, default: Path):
    bundle = Path(current_app.config.get(setting, default))
    if not bundle.is_file():
        abort(404, description="The chat widget is not built: run `make webchat`.")
    return send_file(bundle, mimetype="text/javascript", max_age=BUNDLE_MAX_AGE_S)


@bp.get("/webchat.js")
def webchat_js():
    response = _bundle("WEBCHAT_BUNDLE", DEFAULT_BUNDLE)
    # Other sites (the partnership's own) embed this script.
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/chat.js")
def chat_js():
    response = _bundle("WEBCHAT_CHAT_BUNDLE", DEFAULT_CHAT_BUNDLE)
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"  # only the frame loads it
    return response


@bp.get("/chat")
def chat_frame():
    """The frame the loader draws: the chat, under its own strict policy."""
    config = current_app.config
    response = make_response(render_template("public/chat.html"))
    response.headers["Content-Security-Policy"] = chat_frame_policy(
        config["BOT_URL"], host_origins(config.get("CHAT_HOST_ORIGINS"))
    )
    # Nothing personal in it, but nothing to gain from a copy on the device either.
    response.headers["Cache-Control"] = "no-store"
    return response
