"""The directory layer's words for people live in directory/wording.yml, each used."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from directory import wording
from directory.wording import listing, say

DIRECTORY = Path(wording.__file__).parent
# The chat channel says one entry too (chat_unavailable); bot may import directory, not back.
BOT = DIRECTORY.parent / "bot"
_SAID = re.compile(r"""\bsay\(\s*["']([a-z0-9_]+)["']""")
# Keys chosen at run time (say(where), a tier's key) are named whole in the code all the same.
_NAMED = re.compile(r"""["']((?:out_of_area|tier)_[a-z_]+)["']""")
# Tables read whole: wording()["short_labels"], wording()["insight_ids"].
_TABLE = re.compile(r"""\bwording\(\)\[["']([a-z0-9_]+)["']\]""")


def _keys_in_code() -> set[str]:
    found = set()
    for path in [*DIRECTORY.rglob("*.py"), *BOT.rglob("*.py")]:
        text = path.read_text()
        found |= set(_SAID.findall(text)) | set(_NAMED.findall(text)) | set(_TABLE.findall(text))
    return found


def test_every_key_the_code_says_is_in_the_wording_file_and_every_entry_is_used():
    entries = set(wording.wording())
    used = _keys_in_code()
    assert used - entries == set(), "said in code, missing from directory/wording.yml"
    assert entries - used == set(), "in directory/wording.yml, said nowhere"


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(KeyError):
        say("covers")  # needs {boroughs}


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_listing(items, text):
    assert listing(items) == text
