"""Accounts, sign-in, sessions, CSRF and who may reach which route."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from directory import db
from directory.editor.accounts import FREE_FAILURES, AccountError, create_maintainer
from directory.editor.models import ChangeRequest, EditorSession, Maintainer
from directory.models import utcnow
from directory.web import create_app
from directory.web.secret_key import load_secret_key
from tests.editor.helpers import PASSWORD, csrf_from, login, signed_in

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = dict(os.environ, DIRECTORY_DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "directory.editor", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=60,
    )


# --- the CLI ------------------------------------------------------------------------------------


def test_create_maintainer_reads_the_password_from_stdin_and_never_echoes_it(database_url):
    secret = "horse battery staple correct"
    result = run_cli(
        database_url,
        "create-maintainer",
        "New@Example.org",
        "--role",
        "editor",
        stdin=secret + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "created editor new@example.org" in result.stdout
    assert secret not in result.stdout + result.stderr
    with db.session_scope(database_url) as session:
        maintainer = session.execute(
            select(Maintainer).where(Maintainer.email == "new@example.org")
        ).scalar_one()
        assert maintainer.role == "editor"
        assert secret not in maintainer.password_hash
        assert maintainer.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_create_maintainer_refuses_bad_input(database_url):
    assert run_cli(database_url, "create-maintainer", "x@example.org", "--role", "admin").returncode
    short = run_cli(
        database_url, "create-maintainer", "x@example.org", "--role", "editor", stdin="short\n"
    )
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    duplicate = run_cli(
        database_url, "create-maintainer", "editor@example.org", "--role", "editor", stdin=PASSWORD
    )
    assert duplicate.returncode == 2 and "already" in duplicate.stderr


@pytest.mark.parametrize(
    "email", ["no-at-sign.org", "two@@example.org", "someone@localhost", "someone@example"]
)
def test_an_account_needs_a_deliverable_looking_address(database_url, email):
    with (
        pytest.raises(AccountError, match="Enter an email address"),
        db.session_scope(database_url) as session,
    ):
        create_maintainer(session, email, PASSWORD, "editor")


def test_an_account_address_is_kept_in_lower_case(database_url):
    with db.session_scope(database_url) as session:
        maintainer = create_maintainer(session, " New.Person@Example.ORG ", PASSWORD, "editor")
        assert maintainer.email == "new.person@example.org"


def test_the_cli_creates_the_schema_on_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run_cli(
        url, "create-maintainer", "a@example.org", "--role", "reviewer", stdin=PASSWORD
    )
    assert result.returncode == 0, result.stderr
    assert "a@example.org\treviewer\tactive" in run_cli(url, "list").stdout


def test_deactivate_and_set_password_end_sessions(app, database_url):
    client = signed_in(app, "editor@example.org")
    assert client.get("/editor/").status_code == 200
    assert run_cli(database_url, "deactivate", "editor@example.org").returncode == 0
    assert client.get("/editor/").status_code == 302
    assert login(app.test_client(), "editor@example.org").status_code == 401

    reviewer = signed_in(app, "reviewer@example.org")
    new = "a brand new long password"
    assert run_cli(database_url, "set-password", "reviewer@example.org", stdin=new).returncode == 0
    assert reviewer.get("/editor/").status_code == 302  # the old session is over
    assert login(app.test_client(), "reviewer@example.org", new).status_code == 302


# --- the secret key ----------------------------------------------------------------------------


def test_secret_key_is_generated_once_privately(tmp_path, monkeypatch):
    monkeypatch.delenv("VAWG_SECRET_KEY", raising=False)
    path = tmp_path / "var" / "secret_key"
    first = load_secret_key(path)
    assert len(first) >= 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(path) == first  # kept, not regenerated


def test_the_app_takes_its_secret_key_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("VAWG_SECRET_KEY", "env-key-for-this-test")
    app = create_app({"DIRECTORY_DATABASE_URL": database_url})
    assert app.config["SECRET_KEY"] == "env-key-for-this-test"


# --- signing in -------------------------------------------------------------------------------


def test_sign_in_and_out(app):
    client = app.test_client()
    response = login(client, "editor@example.org")
    assert response.status_code == 302
    assert client.get("/editor/").status_code == 200
    page = client.get("/editor/")
    assert (
        client.post("/editor/logout", data={"csrf_token": csrf_from(page.text)}).status_code == 302
    )
    assert client.get("/editor/").status_code == 302


def test_logout_ends_the_session_even_for_a_copied_cookie(app, database_url):
    client = app.test_client()
    login(client, "editor@example.org")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    page = client.get("/editor/")
    client.post("/editor/logout", data={"csrf_token": csrf_from(page.text)})
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
    assert thief.get("/editor/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(app):
    client = app.test_client()
    wrong_password = login(client, "editor@example.org", "not the password!")
    unknown_user = login(client, "nobody@example.org", "not the password!")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert "The email address or password is not right" in wrong_password.text
    assert "The email address or password is not right" in unknown_user.text
    assert client.get("/editor/").status_code == 302


def test_sign_in_is_rate_limited(app):
    now = utcnow()
    app.config["EDITOR_CLOCK"] = lambda: now  # time stands still: the delay never passes
    client = app.test_client()
    for _ in range(FREE_FAILURES):
        assert login(client, "editor@example.org", "guess guess guess").status_code == 401
    # Now even the right password is refused for a while.
    response = login(client, "editor@example.org")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    assert client.get("/editor/").status_code == 302
    # Another account is not locked by someone guessing this one (per-account delays and their
    # tests: test_sign_in_delays.py).
    assert login(app.test_client(), "reviewer@example.org").status_code == 302


def test_public_pages_never_open_the_editor_session(app):
    # Signing in is the editor's business: a survivor's visit reads and sets no cookie.
    # The professionals' directory too (its own check of every page: tests/site).
    for url in (
        "/",
        "/embed",
        "/cover-your-tracks",
        "/find/",
        "/find/?place=W6&strand=domestic-abuse",
        "/find/service/national-domestic-abuse-helpline",
        "/find/pathways",
    ):
        response = app.test_client().get(url)
        assert response.status_code == 200, url
        assert "Set-Cookie" not in response.headers, url
        assert "Cookie" not in response.headers.get("Vary", ""), url


def test_session_cookie_flags(app):
    client = app.test_client()
    response = login(client, "editor@example.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Secure by default even here, unless VAWG_COOKIE_SECURE=0 (tests/safety/test_proxy_headers.py)
    secure = app.test_client()
    page = secure.get("/editor/login", base_url="https://localhost")
    response = secure.post(
        "/editor/login",
        base_url="https://localhost",
        data={
            "email": "editor@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_idle_sessions_expire(app, database_url):
    client = signed_in(app, "editor@example.org")
    assert client.get("/editor/").status_code == 200
    with db.session_scope(database_url) as session:
        session.execute(update(EditorSession).values(last_seen_at=utcnow() - timedelta(hours=7)))
    response = client.get("/editor/")
    assert response.status_code == 302 and "/editor/login" in response.headers["Location"]


def test_sessions_end_after_their_lifetime_however_active(app, database_url):
    client = signed_in(app, "editor@example.org")
    with db.session_scope(database_url) as session:
        session.execute(update(EditorSession).values(created_at=utcnow() - timedelta(hours=11)))
    assert client.get("/editor/").status_code == 302


def test_sign_in_redirects_only_inside_the_editor(app):
    client = app.test_client()
    page = client.get("/editor/login")
    response = client.post(
        "/editor/login?next=https://evil.example/",
        data={
            "email": "editor@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.headers["Location"] == "/editor/"


# --- CSRF ---------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(as_editor, database_url):
    from tests.editor.helpers import edit_form

    form = edit_form(as_editor, "national-domestic-abuse-helpline")
    form["phones-0-number"] = "020 7946 0123"
    del form["csrf_token"]
    response = as_editor.post("/editor/services/national-domestic-abuse-helpline/edit", data=form)
    assert response.status_code == 400
    assert "Your form expired" in response.text
    form["csrf_token"] = "forged"
    response = as_editor.post("/editor/services/national-domestic-abuse-helpline/edit", data=form)
    assert response.status_code == 400
    with db.session_scope(database_url) as session:
        assert session.execute(select(ChangeRequest)).first() is None


def test_login_itself_needs_the_csrf_token(app):
    response = app.test_client().post(
        "/editor/login", data={"email": "editor@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_a_token_from_another_session_is_refused(app):
    attacker = app.test_client()
    token = csrf_from(attacker.get("/editor/login").text)
    victim = signed_in(app, "reviewer@example.org")
    assert victim.post("/editor/logout", data={"csrf_token": token}).status_code == 400


# --- permissions --------------------------------------------------------------------------------

ARGS = {
    "service_id": "national-domestic-abuse-helpline",
    "change_id": 1,
    "import_id": 1,
    "format": "csv",
    "filename": "editor.css",
}
PUBLIC = {"auth.login", "auth.static"}


def editor_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/editor/") and rule.endpoint not in PUBLIC:
            url = rule.rule
            for name, value in ARGS.items():
                url = url.replace(f"<{name}>", str(value)).replace(f"<int:{name}>", str(value))
            yield rule.endpoint, url, sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_there_are_routes_to_check(app):
    assert len(list(editor_routes(app))) >= 15


def test_anonymous_users_reach_nothing_but_the_login(app):
    client = app.test_client()
    for endpoint, url, methods in editor_routes(app):
        for method in methods:
            # A valid token, but no account.
            token = csrf_from(client.get("/editor/login").text)
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert response.headers["Location"].startswith("/editor/login"), endpoint


REVIEWER_ONLY = {"review.publish_change", "review.reject_change", "transfer.apply_import"}


def test_editors_are_refused_reviewer_actions(app, as_editor):
    from tests.editor.test_editing import change_id_from, propose_phone

    change_id = change_id_from(propose_phone(as_editor, "020 7946 0123"))
    token = csrf_from(as_editor.get("/editor/").text)
    checked = set()
    for endpoint, url, _methods in editor_routes(app):
        if endpoint in REVIEWER_ONLY:
            url = url.replace("/1/", f"/{change_id}/")
            response = as_editor.post(url, data={"csrf_token": token, "note": "x"})
            assert response.status_code == 403, endpoint
            assert "Not allowed" in response.text
            checked.add(endpoint)
    assert checked == REVIEWER_ONLY & {e for e, _, _ in editor_routes(app)}
    assert "review.publish_change" in checked


def test_pages_set_no_store_and_use_no_inline_script_or_style(as_reviewer):
    for url in (
        "/editor/",
        "/editor/services/national-domestic-abuse-helpline",
        "/editor/services/national-domestic-abuse-helpline/edit",
        "/editor/services/new",
        "/editor/changes",
        "/editor/transfer",
    ):
        response = as_reviewer.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
        html = response.text
        assert "<script" not in html and "style=" not in html and "<style" not in html, url
        assert "http://" not in html.replace("http://www.w3.org", ""), url  # nothing external
        assert "default-src 'self'" in response.headers.get("Content-Security-Policy", "")


@pytest.mark.parametrize("url", ["/editor/services/no-such-service", "/editor/changes/999"])
def test_unknown_things_are_404(as_editor, url):
    assert as_editor.get(url).status_code == 404
