"""bot/rasa_server.py reads event types from a table, with the answers Rasa gives."""

from __future__ import annotations


def test_event_types_resolve_as_rasa_resolves_them():
    from rasa.shared.core import events
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_server import _resolve_event_type

    for cls in all_subclasses(events.Event):
        assert _resolve_event_type(cls.type_name) is events.Event.resolve_by_type(cls.type_name)
    assert _resolve_event_type("topic") is None
    assert _resolve_event_type("no-such-event", default=events.SlotSet) is events.SlotSet
    try:
        _resolve_event_type("no-such-event")
    except ValueError as error:
        assert "no-such-event" in str(error)
    else:
        raise AssertionError("an unknown event name must raise")
