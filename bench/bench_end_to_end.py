"""End-to-end quality: play a set of messages through the real REST channel and print, per
category, how often the reply names a fitting service or pathway (tests/e2e/scoring.py).

    .venv/bin/python bench/bench_end_to_end.py                       # the held-out set
    .venv/bin/python bench/bench_end_to_end.py --items FILE_OR_DIR --failures   # a tuning set
    .venv/bin/python bench/bench_end_to_end.py --items bench/tuning_full_languages --failures
    .venv/bin/python bench/bench_end_to_end.py --rasa-url http://127.0.0.1:5005 \
        --database-url sqlite:///var/directory.sqlite3                 # a stack already running

Items with a `language` (the full languages, issue 18) are also scored on whether the reply is
in that language (tests/e2e/scoring.py: ReplyLanguages), per language.

Without --rasa-url it starts its own stack on free ports (as the tests do). --failures lists
the items that failed with what the reply named: use it on a tuning set, never on the
held-out set (reading those would tune the assistant to the test).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from directory.wording import TRANSLATIONS, WORDING  # noqa: E402
from tests.e2e.scoring import HELD_OUT, Catalogue, ReplyLanguages, load_items, play  # noqa: E402


def _sender(rasa_url: str):
    def send(sender: str, text: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            f"{rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    return send


@contextlib.contextmanager
def _stack(rasa_url: str | None, database_url: str | None, model: Path | None):
    if rasa_url:
        yield rasa_url, database_url or f"sqlite:///{PROJECT_ROOT / 'var' / 'directory.sqlite3'}"
        return
    from tests.conftest import MODEL, launch_stack

    with (
        tempfile.TemporaryDirectory() as workdir,
        launch_stack(Path(workdir), model=model or MODEL) as stack,
    ):
        yield stack.rasa_url, stack.database_url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=Path, default=HELD_OUT)
    parser.add_argument("--rasa-url")
    parser.add_argument("--database-url")
    parser.add_argument("--model", type=Path, help="a trained model (default models/vawg.tar.gz)")
    parser.add_argument("--domain", type=Path, default=PROJECT_ROOT / "domain", help="responses")
    parser.add_argument("--failures", action="store_true", help="list failed items (tuning sets)")
    args = parser.parse_args()
    items = load_items(args.items)
    with _stack(args.rasa_url, args.database_url, args.model) as (rasa_url, database_url):
        catalogue = Catalogue.load(database_url, args.domain)
        report = play(items, _sender(rasa_url), lambda: str(uuid.uuid4()), catalogue)
    print(f"{len(items)} items from {args.items}")
    print("\n".join(report.lines()))
    languages = ReplyLanguages.load(TRANSLATIONS, args.domain, WORDING)
    wrong_language = {
        o.item["id"]
        for o in report.outcomes
        if o.item.get("language") and not languages.speaks(o.reply.texts, o.item["language"])
    }
    by_language: dict[str, list] = {}
    for o in report.outcomes:
        if o.item.get("language"):
            by_language.setdefault(o.item["language"], []).append(o)
    for code, outcomes in sorted(by_language.items()):
        both = sum(o.passed and o.item["id"] not in wrong_language for o in outcomes)
        said = sum(o.item["id"] not in wrong_language for o in outcomes)
        print(
            f"{code}: fitting {sum(o.passed for o in outcomes)}/{len(outcomes)}, in {code} "
            f"{said}/{len(outcomes)}, both {both}/{len(outcomes)}"
        )
    if args.failures:
        failed = [o for o in report.outcomes if not o.passed or o.item["id"] in wrong_language]
        for outcome in failed:
            item = outcome.item
            language = " (not in its language)" if item["id"] in wrong_language else ""
            print(f"\n{item['id']} [{item['category']}]{language} {' / '.join(item['turns'])}")
            print(
                f"  wanted: {item.get('fitting') or item.get('pathways') or item.get('faq')}"
                f"{' +danger' if item.get('danger') else ''}"
            )
            print(
                f"  got:    services={outcome.reply.services[:4]} pathways={outcome.reply.pathways}"
                f" danger={outcome.reply.danger}"
            )
            print(
                "  first:  "
                + (
                    outcome.reply.texts[0][:160].replace("\n", " | ")
                    if outcome.reply.texts
                    else "(nothing)"
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
