"""Maintainer accounts, sign-in with progressive delays, and server-side sessions.

Every sign-in, failure, delay, sign-out and account change is recorded in the audit trail
(`directory.editor.audit`); passwords never are, and neither is an email typed at sign-in
that is no account's.

Failed sign-ins slow down one account, not everyone: after FREE_FAILURES failures in a row
each further attempt for that email must wait 2, 4, 8 … seconds (at most MAX_DELAY), right
password or not. Nothing is keyed on the client address, so one person behind the same proxy
as everyone else cannot lock them all out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from directory.editor.audit import record_account_event
from directory.editor.models import ROLES, EditorSession, LoginFailure, Maintainer, utcnow
from directory.rules import valid_email

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # long passphrases are fine; megabytes to hash are not
MAX_EMAIL_LENGTH = 254  # the longest address that can be delivered (RFC 5321)
FREE_FAILURES = 3
MAX_DELAY = timedelta(minutes=15)
FAILURES_FORGOTTEN_AFTER = timedelta(hours=24)
COMMON_PASSWORDS = Path(__file__).with_name("common_passwords") / "passwords.txt"
# Compared against when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A problem with the account details given; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


@cache
def common_passwords() -> frozenset[str]:
    return frozenset(COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines())


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer.")
    if password.strip().lower() in common_passwords():
        raise AccountError(
            "That password is on a list of common passwords that attackers try first. "
            "Choose another: several unrelated words make a strong one."
        )


def create_maintainer(
    session: Session, email: str, password: str, role: str, note: str | None = None
) -> Maintainer:
    email = normalise_email(email)
    if len(email) > MAX_EMAIL_LENGTH:
        raise AccountError(f"The email address must be {MAX_EMAIL_LENGTH} characters or fewer.")
    if not valid_email(email):  # the address's form only: no DNS look-up
        raise AccountError("Enter an email address, like name@example.org.")
    _check_role(role)
    check_new_password(password)
    if session.execute(select(Maintainer.id).where(Maintainer.email == email)).first():
        raise AccountError(f"There is already a maintainer with the email {email}.")
    maintainer = Maintainer(email=email, password_hash=generate_password_hash(password), role=role)
    session.add(maintainer)
    session.flush()
    record_account_event(
        session, maintainer, "created", note=note, changes=[_change("role", None, role)]
    )
    return maintainer


def set_password(
    session: Session, email: str, password: str, note: str | None = None
) -> Maintainer:
    maintainer = _existing(session, email)
    check_new_password(password)
    maintainer.password_hash = generate_password_hash(password)
    _end_all_sessions(session, maintainer)  # a new password ends every existing session
    record_account_event(session, maintainer, "password changed", note=note)
    return maintainer


def set_role(session: Session, email: str, role: str, note: str | None = None) -> Maintainer:
    maintainer = _existing(session, email)
    _check_role(role)
    if maintainer.role != role:
        change = _change("role", maintainer.role, role)
        maintainer.role = role
        record_account_event(session, maintainer, "role changed", note=note, changes=[change])
    return maintainer


def deactivate(session: Session, email: str, note: str | None = None) -> Maintainer:
    maintainer = _existing(session, email)
    if maintainer.active:
        maintainer.active = False
        record_account_event(
            session, maintainer, "deactivated", note=note, changes=[_change("active", True, False)]
        )
    _end_all_sessions(session, maintainer)
    return maintainer


def find_maintainer(session: Session, email: str) -> Maintainer | None:
    return session.execute(
        select(Maintainer).where(Maintainer.email == normalise_email(email))
    ).scalar_one_or_none()


def count_maintainers(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(Maintainer).where(Maintainer.active.is_(True))
    ).scalar_one()


def _existing(session: Session, email: str) -> Maintainer:
    maintainer = find_maintainer(session, email)
    if maintainer is None:
        raise AccountError(f"There is no maintainer with the email {normalise_email(email)}.")
    return maintainer


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")


def _change(field: str, before, after) -> dict:
    return {"field": field, "before": before, "after": after}


def _end_all_sessions(session: Session, maintainer: Maintainer) -> None:
    session.execute(delete(EditorSession).where(EditorSession.maintainer_id == maintainer.id))


# --- signing in -------------------------------------------------------------------------------


@dataclass
class SignIn:
    maintainer: Maintainer | None  # None: refused
    wait: timedelta = timedelta(0)  # how long until this account may try again
    too_soon: bool = False  # refused without checking the password: the wait had not passed


def delay_after(failures: int) -> timedelta:
    """How long an account waits after `failures` failed sign-ins in a row."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)), MAX_DELAY)


def _failure_key(email: str) -> str:
    return "email-sha256:" + hashlib.sha256(email.encode()).hexdigest()


def authenticate(
    session: Session, email: str, password: str, client: str, now: datetime | None = None
) -> SignIn:
    """Checks a sign-in. While the account's delay runs the password is not even looked at,
    so a right guess inside the delay is refused like a wrong one. `now` is for tests."""
    now = now or utcnow()
    email = normalise_email(email)
    key = _failure_key(email)
    failures, last = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at >= now - FAILURES_FORGOTTEN_AFTER
        )
    ).one()
    if failures and now < last + delay_after(failures):
        return SignIn(None, wait=last + delay_after(failures) - now, too_soon=True)

    maintainer = find_maintainer(session, email)
    valid = check_password_hash(maintainer.password_hash if maintainer else _DUMMY_HASH, password)
    where = f"from {client}"
    if maintainer is not None and valid and maintainer.active:
        session.execute(delete(LoginFailure).where(LoginFailure.key == key))
        record_account_event(session, maintainer, "signed in", actor=maintainer, note=where)
        return SignIn(maintainer)

    session.add(LoginFailure(key=key, at=now))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - FAILURES_FORGOTTEN_AFTER))
    why = (
        "no such account"
        if maintainer is None
        else "account deactivated"
        if valid
        else "wrong password"
    )
    record_account_event(session, maintainer, "sign-in failed", note=f"{why}, {where}")
    wait = delay_after(failures + 1)
    if wait:
        seconds = int(wait.total_seconds())
        record_account_event(
            session, maintainer, "sign-in delayed", note=f"next try in {seconds} s, {where}"
        )
    return SignIn(None, wait=wait)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, maintainer: Maintainer) -> str:
    token = secrets.token_urlsafe(32)
    session.add(EditorSession(token_hash=_hash_token(token), maintainer_id=maintainer.id))
    return token


def resume_session(
    session: Session, token: str, idle: timedelta, lifetime: timedelta
) -> Maintainer | None:
    """The signed-in maintainer, or None when the session is unknown, idle too long or too
    old (an expired session is deleted)."""
    row = session.get(EditorSession, _hash_token(token))
    if row is None:
        return None
    now = utcnow()
    if now - row.last_seen_at > idle or now - row.created_at > lifetime:
        session.delete(row)
        return None
    if not row.maintainer.active:
        return None
    # Touch at most once a minute: a page view should not always be a write.
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return row.maintainer


def end_session(session: Session, token: str) -> None:
    row = session.get(EditorSession, _hash_token(token))
    if row is not None:
        record_account_event(session, row.maintainer, "signed out", actor=row.maintainer)
        session.delete(row)
