"""Directory command line.

    python -m directory init-db            create the schema (alembic upgrade head)
    python -m directory upgrade            bring the schema up to date (alembic upgrade head)
    python -m directory seed               add or update the seed services (idempotent)
    python -m directory validate [FILE --format F]
                                           check the database (or an import file) against the rules
    python -m directory export --format hsds-json|csv [--output FILE]
    python -m directory import FILE --format hsds-json|csv [--dry-run] [--retire-missing]
    python -m directory gaps [--csv]      where there is no local service (borough × strand ×
                                           audience), for commissioners
    python -m directory insight [--since YYYY-MM-DD] --json
                                           the insight counters' aggregates (counts below 5
                                           shown as "<5"), see directory.insight

The database is DIRECTORY_DATABASE_URL (default: SQLite var/directory.sqlite3). Errors name
the file, row and field, and exit non-zero; an import writes nothing unless all of it is valid.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from directory.db import session_scope, upgrade
from directory.importing import FORMATS, ImportFailed, import_file, plan_import, read_file


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day written YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m directory")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init-db", help="create the schema (alembic upgrade head)")
    commands.add_parser("upgrade", help="bring the schema up to date")
    commands.add_parser("seed", help="add or update the seed services")
    validate = commands.add_parser("validate", help="check the database or an import file")
    validate.add_argument("file", nargs="?")
    validate.add_argument("--format", choices=FORMATS, default="csv")
    export = commands.add_parser("export", help="write the directory as HSDS JSON or CSV")
    export.add_argument("--format", choices=FORMATS, required=True)
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    load = commands.add_parser("import", help="import services from HSDS JSON or CSV")
    load.add_argument("file")
    load.add_argument("--format", choices=FORMATS, required=True)
    load.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")
    load.add_argument(
        "--retire-missing", action="store_true", help="retire active services not in the file"
    )
    report = commands.add_parser("gaps", help="where there is no local service")
    report.add_argument("--csv", action="store_true", help="every combination, as CSV")
    counts = commands.add_parser("insight", help="the insight counters' aggregates as JSON")
    counts.add_argument("--since", type=_day, help="first day (YYYY-MM-DD)")
    counts.add_argument("--json", action="store_true", required=True, help="print JSON")
    args = parser.parse_args(argv)

    if args.command == "insight":
        import json

        from directory.insight import Period, report

        print(json.dumps(report(Period(since=args.since)), indent=1))
        return 0

    if args.command == "gaps":
        from directory.gaps import gaps, gaps_csv, gaps_text

        rows = gaps()
        sys.stdout.write(gaps_csv(rows) if args.csv else gaps_text(rows))
        return 0

    if args.command in ("init-db", "upgrade"):
        upgrade()
        return 0
    if args.command == "seed":
        from directory.pathways.seed import load_pathways
        from directory.seed import load_seed

        with session_scope() as session:
            print(f"seeded {load_seed(session)} services")
        # A separate transaction: pathway contacts link to the services just written.
        with session_scope() as session:
            print(f"seeded {load_pathways(session)} referral pathways")
        return 0
    if args.command == "export":
        from directory.exporting import export_text
        from directory.formats import InvalidExport

        try:
            with session_scope() as session:
                text = export_text(session, args.format)
        except InvalidExport as invalid:
            print(invalid, file=sys.stderr)
            print("nothing was exported: the directory breaks the HSDS 3.0 schema", file=sys.stderr)
            return 1
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
        return 0
    if args.command == "validate":
        return _validate(args)
    try:
        with session_scope() as session:
            plan = import_file(session, args.file, args.format, args.dry_run, args.retire_missing)
            if not plan.ok:
                raise ImportFailed(plan.errors)
    except ImportFailed as failed:
        print(*failed.errors, sep="\n", file=sys.stderr)
        print("nothing was imported", file=sys.stderr)
        return 1
    print(("dry run: " if args.dry_run else "") + plan.summary())
    for sid, changes in plan.changed.items():
        print(f"  changed {sid}: {', '.join(changes)}")
    return 0


def _validate(args) -> int:
    from directory.validation import validate_database

    with session_scope() as session:
        if args.file:
            plan = plan_import(session, read_file(args.file, args.format))
            problems = [str(e) for e in plan.errors]
        else:
            problems = validate_database(session)
        session.rollback()
    for problem in problems:
        print(problem, file=sys.stderr)
    print("valid" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
