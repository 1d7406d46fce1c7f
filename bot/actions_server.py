"""`python -m bot.actions_server [rasa_sdk options]`: the action server, minus two leaks.

rasa-sdk 3.6 answers an action that raised with `{"error": ..., "request_body": <the whole
tracker>}`, and Rasa then logs that body at ERROR: every message of the conversation ends up in
the log. It also allows every CORS origin. Here a failing action answers with its name only and
logs the exception type and where it was raised, never its message (a database error's message
carries the query parameters, i.e. slot values). No browser needs this server, so no CORS.
"""

from __future__ import annotations

import logging
import sys
import traceback

from bot import gc_tuning, settings
from bot.rasa_server import FORBIDDEN_OPTIONS
from directory import insight

logger = logging.getLogger("bot.actions_server")


async def private_exception_handler(request, exception: Exception):
    from sanic import response

    try:
        action_name = str((request.json or {}).get("next_action", "?"))
    except Exception:  # noqa: BLE001 (an unparsable body: name nothing)
        action_name = "?"
    where = "".join(traceback.format_tb(exception.__traceback__))
    logger.error("Action %s failed with %s at:\n%s", action_name, type(exception).__name__, where)
    return response.json({"error": "The action failed.", "action_name": action_name}, status=500)


def install_guards() -> None:
    import rasa_sdk.endpoint

    original_create_app = rasa_sdk.endpoint.create_app

    def create_app(action_package_name, cors_origins=None, auto_reload=False):
        app = original_create_app(action_package_name, cors_origins=None, auto_reload=auto_reload)
        app.error_handler.add(Exception, private_exception_handler)
        gc_tuning.freeze_heap_once_started(app)
        return app

    rasa_sdk.endpoint.create_app = create_app


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    for arg in argv:
        name = arg.split("=", 1)[0]
        if name in FORBIDDEN_OPTIONS:
            print(f"error: {name} is not allowed: {FORBIDDEN_OPTIONS[name]}.", file=sys.stderr)
            return 2
    install_guards()
    # Searches, pathways, danger replies and exits through the model are counted here
    # (actions/), flushed in the background and at exit.
    insight.start(interval=settings.insight_flush_seconds())
    import rasa_sdk.__main__

    sys.argv = ["rasa_sdk", *argv, *([] if "--quiet" in argv else ["--quiet"])]
    rasa_sdk.__main__.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
