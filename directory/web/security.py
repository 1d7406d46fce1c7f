"""Security headers on every web app response.

The pages run under a strict Content Security Policy: scripts and styles only from this origin
(the widget styles itself with constructed stylesheets, which CSP allows), connections only to
this origin and the bot, and no framing. The chat's frame page (/chat) sets its own, stricter
policy (chat_frame_policy), which names the sites that may frame it. No referrer leaves the
site, so a visit to a support service's page does not tell it, or anyone watching, where the
person came from.

HTTPS is assumed (Secure cookies, Strict-Transport-Security) unless SECURE_COOKIES is off
(VAWG_COOKIE_SECURE=0, for `make run` on http://127.0.0.1) and the browser came over plain http
to a loopback address: the opt-out never lets a cookie go unsecured to a public host name.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from flask import Flask, Request, Response, request

HSTS = "max-age=31536000"  # a year; not includeSubDomains: the partnership's other sites are theirs


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"BOT_URL must be an http(s) URL, not {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(bot_url: str, chat_url: str | None = None) -> str:
    # The demo pages load the widget from chat_url when it is set (CHAT_URL), else from here.
    chat = f" {origin_of(chat_url)}" if chat_url else ""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{chat}",
            *([f"frame-src 'self'{chat}"] if chat else []),
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src 'self' {origin_of(bot_url)}",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        ]
    )


def chat_frame_policy(bot_url: str, host_origins: list[str]) -> str:
    """The chat frame's policy: its own script, the bot, and framed only by the host sites."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"connect-src {origin_of(bot_url)}",
            " ".join(["frame-ancestors 'self'", *host_origins]),
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def _frame_ancestors_set_by_view(response: Response) -> bool:
    # X-Frame-Options cannot name the sites allowed to frame a page; frame-ancestors can,
    # and browsers that know it ignore X-Frame-Options anyway.
    policy = response.headers.get("Content-Security-Policy", "")
    return "frame-ancestors" in policy and "frame-ancestors 'none'" not in policy


def _is_loopback(host: str) -> bool:
    name = host.rpartition("]")[0].lstrip("[") if host.startswith("[") else host.split(":")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def uses_https(app: Flask, req: Request) -> bool:
    """Whether this response holds to HTTPS: Secure cookies and HSTS."""
    return bool(app.config["SECURE_COOKIES"]) or req.is_secure or not _is_loopback(req.host)


def init_app(app: Flask) -> None:
    csp = content_security_policy(app.config["BOT_URL"], app.config.get("CHAT_URL"))
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
            if name == "X-Frame-Options" and _frame_ancestors_set_by_view(response):
                continue
            # A view may set a stricter or specific value; never loosen it here.
            response.headers.setdefault(name, value)
        if uses_https(app, request):
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
