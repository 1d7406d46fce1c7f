"""Helpers for the editor tests: forms as a browser would submit them, signing in."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from directory.web.auth import SESSION_KEY

PASSWORD = "a long enough password"


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/editor/login")
    return client.post(
        "/editor/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
    )


def signed_in(app, email: str):
    """A client holding the session the template database started for `email` (signing in
    through the form costs a slow password hash; test_accounts covers the form itself)."""
    client = app.test_client()
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {SESSION_KEY: app.config["TEST_SESSION_TOKENS"][email]}
    )
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie, domain="localhost")
    return client


class _FormParser(HTMLParser):
    """Collects what a browser would submit from each <form> on a page."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button") or not a.get("name"):
                return
            self._form["fields"].append(
                (a["name"], a.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "select":
            self._select = {"name": a.get("name"), "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            if self._select["first"] is None:
                self._select["first"] = a.get("value", "")
            if "selected" in a:
                self._select["chosen"] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            value = (
                self._select["chosen"]
                if self._select["chosen"] is not None
                else self._select["first"]
            )
            self._form["fields"].append((self._select["name"], value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, value = self._textarea
            self._form["fields"].append((name, value.removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None


def page_form(html: str, action_contains: str = "") -> MultiDict:
    """The fields of the first form whose action contains `action_contains`, as submitted."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if action_contains in form["action"] and any(n != "csrf_token" for n, _ in form["fields"]):
            return MultiDict(form["fields"])
    raise AssertionError(f"no form with action containing {action_contains!r}")


def edit_form(client, service_id: str) -> MultiDict:
    page = client.get(f"/editor/services/{service_id}/edit")
    assert page.status_code == 200, page.text
    return page_form(page.text)


def create_maintainer_with_cli(database_url: str, email: str, role: str) -> None:
    """Runs the real CLI, as an administrator would, against the given database."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    result = subprocess.run(
        [sys.executable, "-m", "directory.editor", "create-maintainer", email, "--role", role],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=dict(os.environ, DIRECTORY_DATABASE_URL=database_url),
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
