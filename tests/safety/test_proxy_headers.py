"""Behind a reverse proxy: X-Forwarded-* trusted only for the configured number of proxies,
Secure session cookies and HSTS by default, and the plain-http opt-out only on loopback."""

from __future__ import annotations

import pytest
from flask import request

from directory.web import create_app

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}


def make_app(monkeypatch, **config):
    monkeypatch.delenv("VAWG_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("VAWG_PROXY_HOPS", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "test-only-key", **config})

    @app.get("/test-client")
    def client_seen():
        return {"addr": request.remote_addr, "secure": request.is_secure, "host": request.host}

    return app


def cookie_of(app, base_url="http://localhost", headers=None) -> str:
    response = app.test_client().get("/editor/login", base_url=base_url, headers=headers or {})
    assert response.status_code == 200
    return response.headers["Set-Cookie"]


def test_no_proxy_is_trusted_by_default(monkeypatch):
    app = make_app(monkeypatch)
    seen = app.test_client().get("/test-client", headers=FORWARDED).json
    assert seen == {"addr": "127.0.0.1", "secure": False, "host": "localhost"}


def test_the_configured_proxy_hops_are_trusted(monkeypatch):
    monkeypatch.setenv("VAWG_PROXY_HOPS", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    app.add_url_rule("/test-client", view_func=lambda: {"addr": request.remote_addr})
    headers = {**FORWARDED, "X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
    # Only the last hop (the one our proxy added) is believed, not what the client wrote.
    assert app.test_client().get("/test-client", headers=headers).json["addr"] == "203.0.113.9"


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_a_bad_hop_count_is_refused_clearly(monkeypatch, value):
    monkeypatch.setenv("VAWG_PROXY_HOPS", value)
    with pytest.raises(ValueError, match="VAWG_PROXY_HOPS must be a number of proxies"):
        create_app({"TESTING": True})


def test_cookies_are_secure_httponly_and_samesite_by_default(monkeypatch):
    app = make_app(monkeypatch)
    for base_url in ("http://localhost", "https://directory.example"):
        cookie = cookie_of(app, base_url)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_hsts_is_sent_when_cookies_are_secure(monkeypatch):
    app = make_app(monkeypatch)
    for path in ("/", "/editor/login", "/healthz"):
        headers = app.test_client().get(path).headers
        assert headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("host", ["http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]"])
def test_the_opt_out_allows_plain_http_on_loopback_only(monkeypatch, host):
    monkeypatch.setenv("VAWG_COOKIE_SECURE", "0")
    app = create_app({"TESTING": True, "SECRET_KEY": "k"})
    assert "Secure" not in cookie_of(app, host)
    assert "Strict-Transport-Security" not in app.test_client().get("/", base_url=host).headers
    # A public name, or HTTPS, still gets Secure cookies and HSTS.
    for other in ("http://directory.example", "https://127.0.0.1:5000"):
        assert "Secure" in cookie_of(app, other)
        assert "Strict-Transport-Security" in app.test_client().get("/", base_url=other).headers


def test_behind_a_trusted_proxy_the_forwarded_host_decides(monkeypatch):
    app = make_app(monkeypatch, SECURE_COOKIES=False, PROXY_HOPS=1)
    public = {"X-Forwarded-Host": "directory.example", "X-Forwarded-Proto": "http"}
    assert "Secure" in cookie_of(app, "http://127.0.0.1:5000", public)
    assert "Secure" not in cookie_of(app, "http://127.0.0.1:5000")
