"""`python -m bot.rasa_server run [rasa run options]`: Rasa's server, private by construction.

The launcher starts Rasa through this module rather than `python -m rasa`, because Rasa 3.6
quietly does things that would keep conversations:
- a custom tracker store that fails to import is replaced by the never-evicting in-memory one;
- every store is wrapped in FailSafeTrackerStore, which on a save error (Redis down) copies the
  conversation into a never-evicting in-memory store;
- `--enable-api` serves whole transcripts; DEBUG logs carry what people type;
- a failed action call is logged at ERROR with the response body, which can hold the tracker.
Here each of those is an error at start-up, before Rasa serves anything. And when the action
server cannot be reached or fails, Rasa would answer nothing at all; here the reply is the
helpline (`_answer_with_the_helpline_on_failure`).

It also bounds what one request may cost (`limit_http`): a body of at most 32 KB (413), a
request that must arrive within 10 s, and idle keep-alive connections closed after 5 s, so
slow or huge clients cannot hold the server.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path

import yaml

from bot import action_client, gc_tuning, logging_setup
from bot.tracker_store import (
    EphemeralTrackerStore,
    UnsafeConfiguration,
    check_endpoints,
    load_store_class,
)

logger = logging.getLogger("bot.rasa_server")

# Options of `rasa run` that would expose or log conversations.
FORBIDDEN_OPTIONS = {
    "--enable-api": "the HTTP API serves whole transcripts",
    "--verbose": "INFO logging is for development only",
    "-v": "INFO logging is for development only",
    "--debug": "DEBUG logs carry what people type",
    "-vv": "DEBUG logs carry what people type",
    "--log-file": "no log files: logs go to the console at WARNING",
    "--use-syslog": "no syslog: logs go to the console at WARNING",
    "--logging-config-file": "logging is configured here, at WARNING",
}


def _option_value(argv: list[str], name: str, default: str) -> str:
    for index, arg in enumerate(argv):
        if arg == name and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return default


def check_arguments(argv: list[str]) -> None:
    if not argv or argv[0] != "run":
        raise UnsafeConfiguration("usage: python -m bot.rasa_server run [rasa run options]")
    for arg in argv[1:]:
        name = arg.split("=", 1)[0]
        if name in FORBIDDEN_OPTIONS:
            raise UnsafeConfiguration(f"{name} is not allowed: {FORBIDDEN_OPTIONS[name]}.")


def _load_store_or_fail(domain, store, event_broker=None):
    """Replaces Rasa's loader, which falls back to InMemoryTrackerStore on import errors."""
    store_class = load_store_class(str(store.type))
    return store_class(host=store.url, domain=domain, event_broker=event_broker, **store.kwargs)


def _use_store_unwrapped(store, domain):
    """Replaces Agent._create_tracker_store: no FailSafeTrackerStore, so no silent copy."""
    if not isinstance(store, EphemeralTrackerStore):
        raise UnsafeConfiguration(
            f"Rasa was given {type(store).__name__}, not one of our ephemeral stores."
        )
    store.domain = domain
    return store


def _client_response_error_init(self, status: int, message: str, text: str) -> None:
    """ClientResponseError without the response body in its message.

    The body of a failed action call can hold the whole tracker, and Rasa logs the message at
    ERROR. The body stays on `.text` for Rasa's own handling of rejected actions.
    """
    self.status, self.message, self.text = status, message, text
    Exception.__init__(self, f"{status}, {message}")


@functools.lru_cache(maxsize=1)
def _action_result_validator():
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _validate_action_result(self, result: dict) -> bool:
    """Rasa's check of an action server's reply, with the validator built once.

    Rasa calls `jsonschema.validate`, which re-checks the schema itself on every call: about
    half of the Rasa process's CPU under load (py-spy). Same schema, same errors.
    """
    from jsonschema import ValidationError, exceptions

    error = exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    if isinstance(error, ValidationError):
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid."
        )
    raise error


MAX_BODY_BYTES = 32 * 1024
HTTP_LIMITS = {
    "REQUEST_MAX_SIZE": MAX_BODY_BYTES,
    "REQUEST_TIMEOUT": 10,  # headers and body must arrive within this
    "RESPONSE_TIMEOUT": 30,
    "KEEP_ALIVE_TIMEOUT": 5,  # Rasa sets 120
    "REQUEST_BUFFER_SIZE": 16 * 1024,
}


def limit_http(app) -> None:
    """Sanic's limits for every request, and errors as short JSON that never echo a body."""
    from sanic.exceptions import SanicException

    app.config.update(HTTP_LIMITS)

    async def as_json(_request, error: SanicException):
        from sanic import response

        status = getattr(error, "status_code", 500) or 500
        message = ERROR_MESSAGES.get(status, "The request could not be handled.")
        return response.json({"error": message}, status=status, headers=NO_STORE)

    app.error_handler.add(SanicException, as_json)


ERROR_MESSAGES = {
    400: "The request could not be read.",
    404: "Not found.",
    405: "Method not allowed.",
    408: "The request took too long to arrive.",
    413: f"The request is too large: at most {MAX_BODY_BYTES // 1024} KB.",
    503: "The service is not ready. Please try again shortly.",
}
NO_STORE = {"Cache-Control": "no-store"}


def _configure_app_with_limits(configure_app):
    @functools.wraps(configure_app)
    def configure(*args, **kwargs):
        app = configure_app(*args, **kwargs)
        limit_http(app)
        return app

    return configure


def _configure_app_with_a_frozen_heap(configure_app):
    @functools.wraps(configure_app)
    def configure(*args, **kwargs):
        app = configure_app(*args, **kwargs)
        gc_tuning.freeze_heap_once_started(app)
        return app

    return configure


_EVENT_TYPES: dict[str, type] = {}


def _resolve_event_type(type_name: str, default: type | None = None) -> type | None:
    """Rasa's `Event.resolve_by_type`, with the name -> class table kept between calls.

    Rasa walks every subclass of Event (and `inspect.isabstract` on each) for every event it
    reads back from the tracker store or an action's reply: about 5 % of the Rasa process's
    CPU under load (py-spy). The walk runs again for a name not yet seen, so an event class
    imported later is still found; the first class with the name wins, as in Rasa.
    """
    found = _EVENT_TYPES.get(type_name)
    if found is not None:
        return found  # the hot path: no import, no walk
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        _EVENT_TYPES.setdefault(cls.type_name, cls)
    if type_name in _EVENT_TYPES:
        return _EVENT_TYPES[type_name]
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install_speedups() -> None:
    """Not guards: changes that only make Rasa faster under load (see each module)."""
    import rasa.core.run
    from rasa.shared.core.events import Event

    action_client.install()
    Event.resolve_by_type = staticmethod(_resolve_event_type)
    rasa.core.run.configure_app = _configure_app_with_a_frozen_heap(rasa.core.run.configure_app)


def _answer_with_the_helpline_on_failure(run):
    """RemoteAction.run, replying with the helpline when the action server is down or fails.

    Rasa logs the failure and carries on without the action's events, so the person would get
    an empty reply. A rejection (ActionExecutionRejection) is Rasa's normal flow and passes.
    """
    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core.events import BotUttered
    from rasa.shared.exceptions import RasaException

    @functools.wraps(run)
    async def running(self, output_channel, nlg, tracker, domain):
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException as error:
            from bot.channels import unavailable_text

            # The type only: a message can quote the action server's response (the tracker).
            logger.error(
                "Action %s failed (%s): answering with the helpline.",
                self.name(),
                type(error).__name__,
            )
            return [BotUttered(text=unavailable_text())]

    return running


def install_guards() -> None:
    import rasa.core.actions.action
    import rasa.core.agent
    import rasa.core.run
    import rasa.core.tracker_store
    import rasa.utils.endpoints

    rasa.core.run.configure_app = _configure_app_with_limits(rasa.core.run.configure_app)

    rasa.core.actions.action.RemoteAction._validate_action_result = _validate_action_result
    rasa.core.actions.action.RemoteAction.run = _answer_with_the_helpline_on_failure(
        rasa.core.actions.action.RemoteAction.run
    )

    rasa.core.tracker_store._load_from_module_name_in_endpoint_config = _load_store_or_fail
    rasa.core.agent.Agent._create_tracker_store = staticmethod(_use_store_unwrapped)
    rasa.utils.endpoints.ClientResponseError.__init__ = _client_response_error_init


def prepare(argv: list[str], environ: dict[str, str]) -> list[str]:
    """Checks everything that can be checked before Rasa loads; returns Rasa's argv."""
    check_arguments(argv)
    environ.setdefault("LOG_LEVEL", "WARNING")
    environ.setdefault("LOG_LEVEL_LIBRARIES", "ERROR")
    environ["RASA_TELEMETRY_ENABLED"] = "false"
    logging_setup.check_environment(environ)
    endpoints_path = Path(_option_value(argv, "--endpoints", "endpoints.yml"))
    try:
        endpoints = yaml.safe_load(endpoints_path.read_text()) or {}
    except OSError as error:
        raise UnsafeConfiguration(f"Cannot read {endpoints_path}: {error}") from error
    check_endpoints(endpoints)
    return argv if "--quiet" in argv else [*argv, "--quiet"]


def main(argv: list[str] | None = None) -> int:
    import os

    try:
        rasa_argv = prepare(list(sys.argv[1:] if argv is None else argv), os.environ)
    except (UnsafeConfiguration, logging_setup.UnsafeLogging) as error:
        print(f"error: Rasa not started. {error}", file=sys.stderr, flush=True)
        return 2
    install_guards()
    logging_setup.install_redaction()
    install_speedups()
    # Quick exits the chat channel handles itself are counted in this process (bot.channels).
    from bot.settings import insight_flush_seconds
    from directory import insight

    insight.start(interval=insight_flush_seconds())

    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *rasa_argv]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
