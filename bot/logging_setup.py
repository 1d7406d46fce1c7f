"""Logging guards for the Rasa process: never DEBUG, and structured fields that may carry what
someone typed are redacted at every level.

Rasa 3.6 logs user text at DEBUG, and a few of its WARNING/ERROR events carry it too (the stock
REST channel logs `text=` when a message fails). Its structlog pipeline starts with an
`_anonymizer` processor that only acts when an anonymisation plugin exists; we replace it with
one that always blanks those fields.
"""

from __future__ import annotations

import logging
from typing import Any

from bot import settings

REDACTED = "[redacted]"
# Field names Rasa's own anonymizer treats as personal data, plus the ones that hold trackers.
SENSITIVE_FIELDS = frozenset(
    {
        "text", "response_text", "user_text", "slot_values", "parse_data_text",
        "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
        "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
        "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
        "entity", "token_text", "user_message", "json_message", "tracker", "events", "slots",
        "latest_message", "body", "metadata", "event_info_text", "utterance", "parse_data",
        "new_events", "extraction_events", "slot_value", "value",
    }
)  # fmt: skip
MINIMUM_LEVEL = logging.WARNING


class UnsafeLogging(RuntimeError):
    """The run configuration would log below WARNING."""


def redact(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in SENSITIVE_FIELDS.intersection(event_dict):
        event_dict[key] = REDACTED
    return event_dict


def install_redaction() -> None:
    """Must run before Rasa configures structlog (it reads the processor at that moment)."""
    import rasa.utils.log_utils

    rasa.utils.log_utils._anonymizer = redact


def check_environment(environ: dict[str, str] | None = None) -> None:
    """Refuses LOG_LEVEL settings below WARNING (INFO and DEBUG are for development only)."""
    for variable, value in settings.log_levels(environ).items():
        level = logging.getLevelName(value)
        if not isinstance(level, int) or level < MINIMUM_LEVEL:
            raise UnsafeLogging(
                f"{variable}={value!r}: the run configuration logs at WARNING or above only, "
                "because Rasa logs what people type at lower levels."
            )
