"""Maintainer accounts, sign-in with rate limiting, and server-side sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from directory.editor.models import ROLES, EditorSession, LoginFailure, Maintainer, utcnow

MIN_PASSWORD_LENGTH = 12
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 20
# Compared against when the email is unknown, so a miss costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A problem with the account details given; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")


def create_maintainer(session: Session, email: str, password: str, role: str) -> Maintainer:
    email = normalise_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise AccountError("Enter an email address, like name@example.org.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    check_new_password(password)
    if session.execute(select(Maintainer.id).where(Maintainer.email == email)).first():
        raise AccountError(f"There is already a maintainer with the email {email}.")
    maintainer = Maintainer(email=email, password_hash=generate_password_hash(password), role=role)
    session.add(maintainer)
    session.flush()
    return maintainer


def set_password(session: Session, email: str, password: str) -> Maintainer:
    maintainer = find_maintainer(session, email)
    if maintainer is None:
        raise AccountError(f"There is no maintainer with the email {normalise_email(email)}.")
    check_new_password(password)
    maintainer.password_hash = generate_password_hash(password)
    # A new password ends every existing session.
    session.execute(delete(EditorSession).where(EditorSession.maintainer_id == maintainer.id))
    return maintainer


def find_maintainer(session: Session, email: str) -> Maintainer | None:
    return session.execute(
        select(Maintainer).where(Maintainer.email == normalise_email(email))
    ).scalar_one_or_none()


def count_maintainers(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(Maintainer).where(Maintainer.active.is_(True))
    ).scalar_one()


@dataclass
class SignIn:
    maintainer: Maintainer | None
    rate_limited: bool = False


def _recent_failures(session: Session, key: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return session.execute(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.key == key, LoginFailure.at >= since)
    ).scalar_one()


def authenticate(session: Session, email: str, password: str, client: str) -> SignIn:
    """Checks a sign-in. Too many recent failures for the email or the client address
    refuse it before the password is looked at, so guessing cannot continue."""
    email = normalise_email(email)
    keys = (f"email:{email}", f"client:{client}")
    if (
        _recent_failures(session, keys[0]) >= MAX_FAILURES_PER_EMAIL
        or _recent_failures(session, keys[1]) >= MAX_FAILURES_PER_CLIENT
    ):
        return SignIn(None, rate_limited=True)
    maintainer = find_maintainer(session, email)
    valid = check_password_hash(maintainer.password_hash if maintainer else _DUMMY_HASH, password)
    if maintainer is None or not valid or not maintainer.active:
        session.add_all(LoginFailure(key=key) for key in keys)
        session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - FAILURE_WINDOW))
        return SignIn(None)
    session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    return SignIn(maintainer)


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
    session.execute(delete(EditorSession).where(EditorSession.token_hash == _hash_token(token)))
