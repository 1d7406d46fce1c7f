"""Security headers on every web app response.

The pages run under a strict Content Security Policy: scripts and styles only from this origin
(the widget styles itself with constructed stylesheets, which CSP allows), connections only to
this origin and the bot, and no framing. No referrer leaves the site, so a visit to a support
service's page does not tell it, or anyone watching, where the person came from.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"BOT_URL must be an http(s) URL, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(bot_url: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {origin_of(bot_url)}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def init_app(app: Flask) -> None:
    csp = content_security_policy(app.config["BOT_URL"])
    headers = {
        "Content-Security-Policy": csp,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            # A view may set a stricter or specific value; never loosen it here.
            response.headers.setdefault(name, value)
        return response
