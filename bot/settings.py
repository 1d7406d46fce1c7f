"""Every environment variable the bot side reads, in one place (the web app's are in
directory.web.settings; `directory` must not import `bot`, and `bot` needs no Flask).

The launcher (bot.launcher) sets CHAT_ORIGINS for the Rasa process it starts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

# Every Origin a browser may post from (space-separated): the launcher sets it from its web
# and --cors-origin origins. Unset, any Origin is accepted, as Rasa's own --cors would.
CHAT_ORIGINS = "VAWG_CHAT_ORIGINS"
# "1" adds the tests' tracker probe to the chat channel; never set in production.
TEST_HOOKS = "VAWG_TEST_HOOKS"
# Rasa's own log levels; below WARNING they log what people type (bot.logging_setup).
LOG_LEVELS = ("LOG_LEVEL", "LOG_LEVEL_LIBRARIES")
DEFAULT_LOG_LEVEL = "WARNING"
# How often (seconds) the insight counters held in memory are added to the database
# (directory.insight); also at process stop. Batched so a write cannot be tied to a message.
INSIGHT_FLUSH_SECONDS = "VAWG_INSIGHT_FLUSH_SECONDS"
DEFAULT_INSIGHT_FLUSH_SECONDS = 300.0


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def chat_origins(environ: Mapping[str, str] | None = None) -> frozenset[str] | None:
    value = _environ(environ).get(CHAT_ORIGINS)
    return frozenset(value.split()) if value is not None else None


def test_hooks(environ: Mapping[str, str] | None = None) -> bool:
    return _environ(environ).get(TEST_HOOKS) == "1"


def log_levels(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = _environ(environ)
    return {name: environ.get(name, DEFAULT_LOG_LEVEL).strip().upper() for name in LOG_LEVELS}


def insight_flush_seconds(environ: Mapping[str, str] | None = None) -> float:
    value = _environ(environ).get(INSIGHT_FLUSH_SECONDS, "").strip()
    try:
        seconds = float(value) if value else DEFAULT_INSIGHT_FLUSH_SECONDS
    except ValueError:
        raise ValueError(
            f"{INSIGHT_FLUSH_SECONDS} must be a number of seconds, not {value!r}"
        ) from None
    if seconds <= 0:
        raise ValueError(f"{INSIGHT_FLUSH_SECONDS} must be more than 0 seconds")
    return seconds
