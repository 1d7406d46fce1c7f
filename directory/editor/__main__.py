"""Maintainer accounts from the command line (there is no self-registration).

    python -m directory.editor create-maintainer EMAIL --role editor|reviewer
    python -m directory.editor set-password EMAIL
    python -m directory.editor deactivate EMAIL
    python -m directory.editor list

The password is prompted for without echo on a terminal, or read from the first line of
stdin (e.g. from a secrets manager); it is never taken as an argument, which `ps` would show.
Uses DIRECTORY_DATABASE_URL like the rest of the directory.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import delete, select

from directory.db import session_scope
from directory.editor.accounts import (
    AccountError,
    create_maintainer,
    find_maintainer,
    normalise_email,
    set_password,
)
from directory.editor.models import ROLES, EditorSession, Maintainer
from directory.editor.schema import ensure_schema


def read_password(stdin=sys.stdin) -> str:
    if stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password again: "):
            raise AccountError("The two passwords differ.")
        return first
    return stdin.readline().rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m directory.editor")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-maintainer", help="add a maintainer account")
    create.add_argument("email")
    create.add_argument("--role", choices=ROLES, required=True)
    commands.add_parser("set-password", help="change a password").add_argument("email")
    commands.add_parser("deactivate", help="stop an account signing in").add_argument("email")
    commands.add_parser("list", help="list maintainers")
    args = parser.parse_args(argv)

    ensure_schema()
    try:
        with session_scope() as session:
            if args.command == "create-maintainer":
                maintainer = create_maintainer(session, args.email, read_password(), args.role)
                print(f"created {maintainer.role} {maintainer.email}")
            elif args.command == "set-password":
                maintainer = set_password(session, args.email, read_password())
                print(f"password changed for {maintainer.email}; their sessions are ended")
            elif args.command == "deactivate":
                maintainer = find_maintainer(session, args.email)
                if maintainer is None:
                    raise AccountError(f"There is no maintainer {normalise_email(args.email)}.")
                maintainer.active = False
                session.execute(
                    delete(EditorSession).where(EditorSession.maintainer_id == maintainer.id)
                )
                print(f"deactivated {maintainer.email}")
            else:
                for m in session.execute(select(Maintainer).order_by(Maintainer.email)).scalars():
                    print(f"{m.email}\t{m.role}\t{'active' if m.active else 'inactive'}")
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
