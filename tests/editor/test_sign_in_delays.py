"""Progressive per-account sign-in delays (on an injected clock: nothing sleeps), length limits
on the sign-in form, and new passwords checked against the list of common passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest

from directory import db
from directory.editor.accounts import (
    FREE_FAILURES,
    MAX_DELAY,
    MAX_EMAIL_LENGTH,
    MAX_PASSWORD_LENGTH,
    AccountError,
    check_new_password,
    common_passwords,
    create_maintainer,
    delay_after,
)
from directory.editor.models import utcnow
from tests.editor.helpers import PASSWORD, login
from tests.editor.test_accounts import run_cli

WRONG = "not the password at all"


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(app):
    app.config["EDITOR_CLOCK"] = clock = Clock()
    return clock


def test_the_delay_doubles_after_the_free_failures_and_is_capped():
    assert [delay_after(n).total_seconds() for n in range(1, 8)] == [0, 0, 2, 4, 8, 16, 32]
    assert delay_after(FREE_FAILURES + 30) == MAX_DELAY


def test_the_right_password_is_refused_until_the_delay_passes(app, clock):
    client = app.test_client()
    for _ in range(FREE_FAILURES - 1):
        assert login(client, "editor@example.org", WRONG).status_code == 401
    third = login(client, "editor@example.org", WRONG)
    assert third.status_code == 401 and third.headers["Retry-After"] == "2"
    assert "must wait 2 seconds before the next try" in third.text

    clock.advance(1)
    too_soon = login(client, "editor@example.org")  # the right password, one second early
    assert too_soon.status_code == 429
    assert too_soon.headers["Retry-After"] == "1"
    assert "Wait 1 second, then try again" in too_soon.text
    assert client.get("/editor/").status_code == 302

    clock.advance(1)
    assert login(client, "editor@example.org").status_code == 302
    assert client.get("/editor/").status_code == 200


def test_each_further_failure_doubles_the_wait_and_refusals_do_not_extend_it(app, clock):
    client = app.test_client()
    for _ in range(FREE_FAILURES):
        login(client, "editor@example.org", WRONG)
    for expected in (4, 8, 16):
        clock.advance(expected / 2 - 0.5)
        # Hammering during the wait is refused without checking, and adds nothing to it.
        assert login(client, "editor@example.org", WRONG).status_code == 429
        clock.advance(0.5)
        response = login(client, "editor@example.org", WRONG)
        assert response.status_code == 401
        assert response.headers["Retry-After"] == str(expected)


def test_a_delay_is_per_account_not_for_everyone_behind_the_same_address(app, clock):
    attacker = app.test_client()
    for i in range(25):
        login(attacker, "reviewer@example.org", WRONG)
        login(attacker, f"nobody{i}@example.org", WRONG)
    assert login(attacker, "reviewer@example.org").status_code == 429
    # Someone else on the same address (the same proxy) signs in at once.
    assert login(app.test_client(), "editor@example.org").status_code == 302


def test_an_unknown_email_is_delayed_the_same_way(app, clock):
    client = app.test_client()
    known = [login(client, "editor@example.org", WRONG) for _ in range(FREE_FAILURES + 1)]
    unknown = [login(client, "nobody@example.org", WRONG) for _ in range(FREE_FAILURES + 1)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 3 + [429]


def test_failures_are_forgotten_after_a_day_and_after_a_sign_in(app, clock):
    client = app.test_client()
    for _ in range(FREE_FAILURES):
        login(client, "editor@example.org", WRONG)
    clock.advance(timedelta(hours=25).total_seconds())
    assert login(client, "editor@example.org", WRONG).status_code == 401
    assert "must wait" not in login(client, "editor@example.org", WRONG).text
    assert login(client, "editor@example.org").status_code == 302
    fresh = app.test_client()
    assert "must wait" not in login(fresh, "editor@example.org", WRONG).text


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("a" * (MAX_EMAIL_LENGTH - 11) + "@example.org", PASSWORD, "at most 254 characters"),
        ("editor@example.org", "x" * (MAX_PASSWORD_LENGTH + 1), "at most 1,024 characters"),
    ],
)
def test_overlong_sign_in_fields_are_refused_with_a_clear_error(app, email, password, message):
    response = login(app.test_client(), email, password)
    assert response.status_code == 400
    assert message in response.text


def test_the_longest_allowed_fields_are_accepted(app):
    email = "a" * (MAX_EMAIL_LENGTH - 12) + "@example.org"
    assert len(email) == MAX_EMAIL_LENGTH
    assert login(app.test_client(), email, "x" * MAX_PASSWORD_LENGTH).status_code == 401


def test_the_common_password_list_is_shipped_with_its_licence():
    from directory.editor.accounts import COMMON_PASSWORDS

    assert len(common_passwords()) == 30_000
    assert "password" in common_passwords() and "qwertyuiop123" in common_passwords()
    licence = (COMMON_PASSWORDS.parent / "LICENSE").read_text()
    assert "MIT License" in licence
    assert "zxcvbn" in (COMMON_PASSWORDS.parent / "README.md").read_text()


@pytest.mark.parametrize("password", ["qwertyuiop123", "1q2w3e4r5t6y", "  Justinbieber "])
def test_common_passwords_are_refused(password):
    with pytest.raises(AccountError, match="list of common passwords"):
        check_new_password(password)


def test_new_passwords_need_a_sensible_length():
    with pytest.raises(AccountError, match="at least 12"):
        check_new_password("short")
    with pytest.raises(AccountError, match="1024 characters or fewer"):
        check_new_password("y" * (MAX_PASSWORD_LENGTH + 1))
    check_new_password(PASSWORD)  # an uncommon passphrase is fine


def test_the_cli_refuses_a_common_password_and_creates_nothing(database_url):
    result = run_cli(
        database_url, "create-maintainer", "x@example.org", "--role", "editor",
        stdin="qwertyuiop123\n",
    )  # fmt: skip
    assert result.returncode == 2
    assert "list of common passwords" in result.stderr
    assert "x@example.org" not in run_cli(database_url, "list").stdout


def test_an_overlong_email_cannot_be_an_account(database_url):
    with db.session_scope(database_url) as session, pytest.raises(AccountError, match="254"):
        create_maintainer(session, "a" * 250 + "@example.org", PASSWORD, "editor")
