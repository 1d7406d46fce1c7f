"""Maintainer accounts from the command line (there is no self-registration), and the audit
trail's integrity check.

    python -m directory.editor create-maintainer EMAIL --role editor|reviewer|analyst
    python -m directory.editor set-password EMAIL
    python -m directory.editor set-role EMAIL --role editor|reviewer|analyst
    python -m directory.editor deactivate EMAIL
    python -m directory.editor list
    python -m directory.editor verify-audit

The password is prompted for without echo on a terminal, or read from the first line of
stdin (e.g. from a secrets manager); it is never taken as an argument, which `ps` would show.
Every account change is recorded in the audit trail as made on the command line.
`verify-audit` exits 0 when the trail is whole and 1, naming the first broken event, when an
event was changed or deleted.
Uses DIRECTORY_DATABASE_URL like the rest of the directory.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import select

from directory.db import session_scope, upgrade
from directory.editor import accounts, audit
from directory.editor.accounts import AccountError
from directory.editor.models import ROLES, AuditEvent, Maintainer

BY_CLI = "on the command line"


def read_password(stdin=sys.stdin) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise AccountError("The two passwords differ.")
        return first
    return stdin.readline().rstrip("\r\n")


def verify_audit(session) -> int:
    verdict = audit.verify(session)
    if verdict.intact:
        print(f"audit trail intact: {verdict.count} events, newest hash {verdict.head}")
        return 0
    where = "the audit trail is broken"
    if verdict.broken_id is not None:
        event = session.get(AuditEvent, verdict.broken_id)
        where += (
            f" at event {event.id} ({event.action}, {event.entity_type} {event.entity_id},"
            f" {event.at:%Y-%m-%d %H:%M:%S} UTC)"
        )
    print(f"error: {where}: {verdict.problem}", file=sys.stderr)
    print(f"events intact before it: {verdict.count}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m directory.editor")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-maintainer", help="add a maintainer account")
    create.add_argument("email")
    create.add_argument("--role", choices=ROLES, required=True)
    commands.add_parser("set-password", help="change a password").add_argument("email")
    role = commands.add_parser("set-role", help="make a maintainer an editor or a reviewer")
    role.add_argument("email")
    role.add_argument("--role", choices=ROLES, required=True)
    commands.add_parser("deactivate", help="stop an account signing in").add_argument("email")
    commands.add_parser("list", help="list maintainers")
    commands.add_parser("verify-audit", help="check no audit event was changed or deleted")
    args = parser.parse_args(argv)

    upgrade()  # every migration (a no-op on a current database): the CLI may run first
    try:
        with session_scope() as session:
            if args.command == "create-maintainer":
                maintainer = accounts.create_maintainer(
                    session, args.email, read_password(), args.role, note=BY_CLI
                )
                print(f"created {maintainer.role} {maintainer.email}")
            elif args.command == "set-password":
                maintainer = accounts.set_password(session, args.email, read_password(), BY_CLI)
                print(f"password changed for {maintainer.email}; their sessions are ended")
            elif args.command == "set-role":
                maintainer = accounts.set_role(session, args.email, args.role, BY_CLI)
                print(f"{maintainer.email} is now a {maintainer.role}")
            elif args.command == "deactivate":
                maintainer = accounts.deactivate(session, args.email, BY_CLI)
                print(f"deactivated {maintainer.email}")
            elif args.command == "verify-audit":
                return verify_audit(session)
            else:
                for m in session.execute(select(Maintainer).order_by(Maintainer.email)).scalars():
                    print(f"{m.email}\t{m.role}\t{'active' if m.active else 'inactive'}")
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
