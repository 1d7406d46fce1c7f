"""The widget's bundles and the public pages, without a browser: size, forbidden APIs,
third-party addresses, the JavaScript unit tests, and what the web app serves (the chat's
frame page and its policy included)."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from directory.web import create_app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WEBCHAT = PROJECT_ROOT / "webchat"
BUNDLE = WEBCHAT / "dist" / "webchat.js"  # the loader, on the host page
CHAT_BUNDLE = WEBCHAT / "dist" / "chat.js"  # the chat, in its frame
BUNDLES = [BUNDLE, CHAT_BUNDLE]
SOURCES = sorted((WEBCHAT / "src").glob("*.js"))
DATA = sorted((WEBCHAT / "src").glob("*.json"))  # inlined into the bundles too
MAX_GZIPPED_BYTES = 25 * 1024  # both bundles together: a visitor who opens the chat loads both

# The same list the repository hook greps for, plus other ways to keep data on the device.
FORBIDDEN = re.compile(
    r"localStorage|sessionStorage|indexedDB|document\.cookie|\.innerHTML\s*=|insertAdjacentHTML"
    r"|outerHTML\s*=|serviceWorker|caches\.open|openDatabase|\beval\(|new Function\("
)


def _read(path: Path) -> str:
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make webchat` (make test does it first).")
    return path.read_text()


@pytest.fixture(scope="module")
def bundle() -> str:
    return _read(BUNDLE)


@pytest.fixture(scope="module")
def chat_bundle() -> str:
    return _read(CHAT_BUNDLE)


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name)
def test_bundle_is_built_from_the_current_sources(path):
    _read(path)
    newest = max(p.stat().st_mtime for p in [*SOURCES, *DATA])
    assert path.stat().st_mtime >= newest, f"{path.name} is stale: run `make webchat`"


def test_bundles_are_at_most_25_kb_gzipped_together(bundle, chat_bundle):
    total = 0
    for name, text in (("webchat.js", bundle), ("chat.js", chat_bundle)):
        size = len(gzip.compress(text.encode(), compresslevel=9))
        total += size
        print(f"{name}: {len(text)} bytes, {size} bytes gzipped")
    print(f"together: {total} bytes gzipped")
    assert total <= MAX_GZIPPED_BYTES


@pytest.mark.parametrize("path", [*SOURCES, *BUNDLES], ids=lambda p: p.name)
def test_no_storage_or_html_injection_apis(path):
    found = FORBIDDEN.findall(_read(path))
    assert not found, f"{path.name} uses {sorted(set(found))}"


def test_bundles_name_no_third_party_address(bundle, chat_bundle):
    # Only the documented default exit page; no CDN, font or analytics address. Neither names
    # the bot: the server writes its address into the frame's script tag.
    urls = set(re.findall(r"https?://[^\s\"'`)]+", bundle))
    assert urls == {"https://www.bbc.co.uk/weather"}
    urls = set(re.findall(r"https?://[^\s\"'`)]+", chat_bundle))
    assert urls == {"https://www.bbc.co.uk/weather"}


def test_the_loader_closes_its_shadow_root_and_never_calls_the_bot():
    source = (WEBCHAT / "src" / "loader.js").read_text()
    assert re.findall(r"attachShadow\(\{[^}]*\}\)", source) == ['attachShadow({ mode: "closed" })']
    assert "fetch(" not in source and "sendBeacon" not in source and "XMLHttpRequest" not in source


def test_what_crosses_between_frame_and_loader_is_a_control_name():
    # Every postMessage sends {[TAG]: what}, `what` a control name, never message text.
    for name in ("loader.js", "chat.js"):
        source = (WEBCHAT / "src" / name).read_text()
        calls = re.findall(r"postMessage\(([^;]*)\)", source)
        assert calls, name
        assert all(call.startswith("{ [TAG]: what }") for call in calls), calls


def test_the_chat_endpoint_is_called_without_caching_and_exit_uses_a_beacon():
    source = (WEBCHAT / "src" / "chat.js").read_text()
    assert 'cache: "no-store"' in source
    assert "navigator.sendBeacon(" in source
    assert "crypto.randomUUID()" in source


def test_javascript_unit_tests():
    node = shutil.which("node")
    assert node, "node is required to build and test the widget"
    result = subprocess.run(
        [node, "--test", "test/"], cwd=WEBCHAT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- The public pages --------------------------------------------------------------


@pytest.fixture
def client():
    app = create_app(
        {
            "TESTING": True,
            "BOT_URL": "http://bot.test:5005/webhooks/rest/webhook",
            "EXIT_URL": "https://exit.test/",
            "CHAT_HOST_ORIGINS": "https://www.partner.test, https://other.test:8443",
        }
    )
    return app.test_client()


def test_demo_page_embeds_the_widget_with_the_configured_urls(client):
    html = client.get("/").get_data(as_text=True)
    assert "Hammersmith &amp; Fulham, Kensington &amp; Chelsea and Westminster" in html
    assert "0808 2000 247" in html
    tag = re.search(r"<script [^>]*></script>", html).group(0)
    assert 'src="/webchat.js"' in tag
    assert "data-bot-url" not in tag  # the frame's server decides which bot it talks to
    assert 'data-exit-url="https://exit.test/"' in tag
    assert " async" in tag
    assert 'href="https://exit.test/" rel="nofollow noreferrer" data-vawg-exit' in html


@pytest.mark.parametrize("path", ["/", "/embed", "/cover-your-tracks", "/chat"])
def test_pages_work_under_a_strict_csp(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert not re.search(
        r"(src|href)=\"(https?:)?//(?!exit\.test)", html.split("<main")[0]
    ), "the page head loads something from elsewhere"


def test_embed_page_documents_the_snippet_and_options(client):
    html = client.get("/embed").get_data(as_text=True)
    assert '&lt;script src="http://localhost/webchat.js"' in html
    for option in ("data-exit-url", "data-cover-tracks-url", "data-vawg-exit"):
        assert option in html
    assert "window.AngelouChat.exit()" in html
    assert "<code>frame-src http://localhost</code>" in html
    assert "must carry no third-party scripts" in html
    assert "VAWG_CHAT_HOST_ORIGINS" in html


def test_cover_your_tracks_page(client):
    html = client.get("/cover-your-tracks").get_data(as_text=True)
    for topic in (
        "Private browsing",
        "Clearing your browsing history",
        "Shared and monitored devices",
        "call log",
        "phone bills",
        "does <strong>not</strong> erase your browsing history",
    ):
        assert topic in html


def test_webchat_js_is_served_as_a_cacheable_script(client, bundle):
    response = client.get("/webchat.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert response.get_data(as_text=True) == bundle


def test_webchat_js_missing_is_a_404_that_says_how_to_build_it(tmp_path):
    app = create_app({"TESTING": True, "WEBCHAT_BUNDLE": str(tmp_path / "none.js")})
    response = app.test_client().get("/webchat.js")
    assert response.status_code == 404
    assert "make webchat" in response.get_data(as_text=True)


# --- The chat's frame page -----------------------------------------------------------


def test_the_chat_frame_page_runs_the_chat_with_the_servers_settings(client):
    response = client.get("/chat")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tag = re.search(r"<script [^>]*></script>", html).group(0)
    assert 'src="/chat.js"' in tag
    assert 'data-bot-url="http://bot.test:5005/webhooks/rest/webhook"' in tag
    assert 'data-exit-url="https://exit.test/"' in tag
    assert 'data-cover-tracks-url="/cover-your-tracks"' in tag
    assert "async" not in tag  # it must run while the page loads, before the loader's hello


def test_the_chat_frame_has_its_own_strict_policy(client):
    headers = client.get("/chat").headers
    assert headers["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; connect-src http://bot.test:5005; "
        "frame-ancestors 'self' https://www.partner.test https://other.test:8443; "
        "base-uri 'none'; form-action 'none'"
    )
    # frame-ancestors decides who may frame it; X-Frame-Options: DENY would forbid everyone.
    assert "X-Frame-Options" not in headers
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in headers


def test_other_pages_still_refuse_to_be_framed(client):
    for path in ("/", "/embed", "/webchat.js"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_the_chat_frame_allows_only_this_app_when_no_host_is_configured(monkeypatch):
    monkeypatch.delenv("VAWG_CHAT_HOST_ORIGINS", raising=False)
    app = create_app({"TESTING": True, "BOT_URL": "http://127.0.0.1:5005"})
    policy = app.test_client().get("/chat").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self';" in policy


def test_host_origins_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("VAWG_CHAT_HOST_ORIGINS", "https://www.partner.test")
    app = create_app({"TESTING": True})
    assert app.config["CHAT_HOST_ORIGINS"] == ["https://www.partner.test"]
    policy = app.test_client().get("/chat").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://www.partner.test;" in policy


@pytest.mark.parametrize(
    "bad",
    ["www.partner.test", "https://www.partner.test/page", "javascript:alert(1)", "*", "'none'"],
)
def test_a_host_origin_that_is_not_an_origin_stops_the_app(bad):
    with pytest.raises(ValueError, match="CHAT_HOST_ORIGINS takes origins"):
        create_app({"TESTING": True, "CHAT_HOST_ORIGINS": [bad]})


def test_chat_js_is_served_to_the_frame_only(client, chat_bundle):
    response = client.get("/chat.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response.get_data(as_text=True) == chat_bundle


def test_demo_pages_can_load_the_widget_from_another_origin():
    app = create_app({"TESTING": True, "CHAT_URL": "https://chat.angelou.test/"})
    response = app.test_client().get("/")
    html = response.get_data(as_text=True)
    assert '<script src="https://chat.angelou.test/webchat.js"' in html
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' https://chat.angelou.test;" in policy
    assert "frame-src 'self' https://chat.angelou.test;" in policy
