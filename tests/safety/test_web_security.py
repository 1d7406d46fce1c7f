"""Security headers on the web app's pages (directory/web/security.py)."""

from __future__ import annotations

import pytest

from directory.web import create_app
from directory.web.security import content_security_policy

BOT_URL = "https://bot.angelou.example:8443/webhooks/rest/webhook"
EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' https://bot.angelou.example:8443; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


@pytest.fixture
def client():
    return create_app({"BOT_URL": BOT_URL, "TESTING": True}).test_client()


@pytest.mark.parametrize("path", ["/", "/cover-your-tracks", "/embed", "/healthz", "/missing"])
def test_every_response_carries_the_headers(client, path):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_policy_allows_connections_to_the_bot_origin_only():
    assert "connect-src 'self' http://127.0.0.1:5005;" in content_security_policy(
        "http://127.0.0.1:5005"
    )
    with pytest.raises(ValueError):
        content_security_policy("javascript:alert(1)")
