"""Directory command line: `python -m directory init-db|seed|upgrade`."""

from __future__ import annotations

import argparse
import sys

from directory.db import get_engine, session_scope
from directory.models import Base
from directory.seed import load_seed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m directory")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init-db", help="create the tables")
    commands.add_parser("upgrade", help="bring the schema up to date")
    commands.add_parser("seed", help="load the seed entries into an empty directory")
    args = parser.parse_args(argv)

    if args.command in ("init-db", "upgrade"):
        Base.metadata.create_all(get_engine())
    elif args.command == "seed":
        with session_scope() as session:
            print(f"seeded {load_seed(session)} services")
    return 0


if __name__ == "__main__":
    sys.exit(main())
