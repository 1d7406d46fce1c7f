"""The exit phrases: one list (webchat/src/exit-phrases.json) that the widget acts on before
sending and the channel (bot/channels.py) closes the chat on. Both must read that list and
normalise what was typed alike, so a phrase leaves whichever side sees it first."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bot import channels

WEBCHAT = Path(__file__).resolve().parents[2] / "webchat"
PHRASES_FILE = WEBCHAT / "src" / "exit-phrases.json"
CHAT_BUNDLE = WEBCHAT / "dist" / "chat.js"

# What people might type: the phrases in other cases, spacing and punctuation, and longer
# messages or other scripts that only contain one.
TYPED = [
    "EXIT",
    "Get me out!",
    "  leave\tnow  ",
    "close\nchat",
    "quick\u00a0exit",  # a no-break space
    "exit\u2003now",  # an em space
    "Quit.",
    "get-me-out",
    "e x i t",
    "exit the building",
    "I want to leave him",
    "how do I get out",
    "EXİT",  # Turkish capital dotted I
    "ｅｘｉｔ",  # full-width letters
    "exit 😀",
    "sortie",
    "¡SALIR!",
    "Wyjdź.",
    "اخرج!",
    "خُروج",  # with a vowel mark
    "salir de casa",
    "",
]


def phrases() -> list[str]:
    by_language = json.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    return [phrase for listed in by_language.values() for phrase in listed]


def widget_decisions(texts: list[str]) -> list[bool]:
    """isExitPhrase from the widget's source, run by node on each text."""
    node = shutil.which("node")
    assert node, "node is required to build and test the widget"
    script = """
        import { isExitPhrase } from "./src/exit-phrase.js";
        let input = "";
        process.stdin.on("data", (d) => (input += d));
        process.stdin.on("end", () => {
            console.log(JSON.stringify(JSON.parse(input).map(isExitPhrase)));
        });
    """
    result = subprocess.run(
        [node, "--input-type=module", "-e", script],
        cwd=WEBCHAT,
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_channel_reads_the_widgets_list():
    assert channels.EXIT_PHRASES_FILE == PHRASES_FILE
    listed = phrases()
    assert frozenset(listed) == channels.EXIT_PHRASES
    assert len(listed) == len(channels.EXIT_PHRASES)  # no phrase written twice


FULL_LANGUAGES = ("en", "ar", "es", "pt", "fr", "pl")  # issue 18: typed exit in each


def test_each_full_language_has_phrases_that_can_be_typed():
    by_language = json.loads(PHRASES_FILE.read_text(encoding="utf-8"))
    for language in FULL_LANGUAGES:
        listed = by_language.get(language, [])
        assert len(listed) >= 5, language
        # Each is written as normalised, so typing it exactly (in any case) leaves.
        assert [channels.normalise_exit_phrase(p) for p in listed] == listed, language


def test_the_channel_and_the_widget_decide_alike():
    texts = [*phrases(), *(p.title() + "!" for p in phrases()), *TYPED]
    server = [channels.normalise_exit_phrase(text) in channels.EXIT_PHRASES for text in texts]
    assert widget_decisions(texts) == server
    assert any(server) and not all(server)  # the cases cover both answers


def _escaped(text: str) -> str:
    """As the bundler writes letters beyond ASCII: \\xE1, \\u062E."""
    return "".join(
        c if ord(c) < 128 else (f"\\x{ord(c):02X}" if ord(c) < 256 else f"\\u{ord(c):04X}")
        for c in text
    )


def test_the_built_chat_carries_the_same_list():
    if not CHAT_BUNDLE.exists():
        pytest.fail(f"{CHAT_BUNDLE} is missing: run `make webchat` (make test does it first).")
    bundle = CHAT_BUNDLE.read_text()
    missing = [p for p in phrases() if p not in bundle and _escaped(p) not in bundle]
    assert not missing, "dist/chat.js is stale: run `make webchat`"


def test_the_widget_exits_to_the_web_apps_default_page():
    """The loader on a host page needs an exit page of its own; it is the web app's default."""
    import re

    from directory.web.settings import DEFAULT_EXIT_URL

    common = (Path(channels.__file__).parents[1] / "webchat" / "src" / "common.js").read_text()
    found = re.search(r'export const DEFAULT_EXIT_URL = "([^"]+)";', common)
    assert found and found.group(1) == DEFAULT_EXIT_URL
