"""The widget's bundle and the public pages, without a browser: size, forbidden APIs,
third-party addresses, the JavaScript unit tests, and what the web app serves."""

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
BUNDLE = WEBCHAT / "dist" / "webchat.js"
SOURCES = sorted((WEBCHAT / "src").glob("*.js"))
MAX_GZIPPED_BYTES = 25 * 1024

# The same list the repository hook greps for, plus other ways to keep data on the device.
FORBIDDEN = re.compile(
    r"localStorage|sessionStorage|indexedDB|document\.cookie|\.innerHTML\s*=|insertAdjacentHTML"
    r"|outerHTML\s*=|serviceWorker|caches\.open|openDatabase|\beval\(|new Function\("
)


@pytest.fixture(scope="module")
def bundle() -> str:
    if not BUNDLE.exists():
        pytest.fail(f"{BUNDLE} is missing: run `make webchat` (make test does it first).")
    return BUNDLE.read_text()


def test_bundle_is_built_from_the_current_sources(bundle):
    newest = max(p.stat().st_mtime for p in SOURCES)
    assert BUNDLE.stat().st_mtime >= newest, "the bundle is stale: run `make webchat`"


def test_bundle_is_at_most_25_kb_gzipped(bundle):
    size = len(gzip.compress(bundle.encode(), compresslevel=9))
    print(f"webchat.js: {len(bundle)} bytes, {size} bytes gzipped")
    assert size <= MAX_GZIPPED_BYTES


@pytest.mark.parametrize("path", [*SOURCES, BUNDLE], ids=lambda p: p.name)
def test_no_storage_or_html_injection_apis(path):
    found = FORBIDDEN.findall(path.read_text())
    assert not found, f"{path.name} uses {sorted(set(found))}"


def test_bundle_names_no_third_party_address(bundle):
    # Only the documented defaults; no CDN, font or analytics address.
    urls = set(re.findall(r"https?://[^\s\"'`)]+", bundle))
    assert urls == {"http://127.0.0.1:5005", "https://www.bbc.co.uk/weather"}


def test_the_chat_endpoint_is_called_without_caching_and_exit_uses_a_beacon():
    source = (WEBCHAT / "src" / "index.js").read_text()
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
        {"TESTING": True, "BOT_URL": "http://bot.test:5005", "EXIT_URL": "https://exit.test/"}
    )
    return app.test_client()


def test_demo_page_embeds_the_widget_with_the_configured_urls(client):
    html = client.get("/").get_data(as_text=True)
    assert "Hammersmith &amp; Fulham, Kensington &amp; Chelsea and Westminster" in html
    assert "0808 2000 247" in html
    tag = re.search(r"<script [^>]*></script>", html).group(0)
    assert 'src="/webchat.js"' in tag
    assert 'data-bot-url="http://bot.test:5005"' in tag
    assert 'data-exit-url="https://exit.test/"' in tag
    assert " async" in tag
    assert 'href="https://exit.test/" rel="nofollow noreferrer" data-vawg-exit' in html


@pytest.mark.parametrize("path", ["/", "/embed", "/cover-your-tracks"])
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
    for option in ("data-bot-url", "data-exit-url", "data-cover-tracks-url", "data-vawg-exit"):
        assert option in html
    assert "window.AngelouChat.exit()" in html


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
