"""Keep Python's full garbage collections from stalling every conversation at once.

Once the model is loaded, the Rasa server holds millions of long-lived objects (TensorFlow,
spaCy, the domain). A full (generation 2) collection walks all of them: measured pauses of
310-390 ms, several a minute under load, and every message in flight waits through each one.
That was the whole p95 tail at 20 conversations. Freezing the heap once the server is up moves
those objects out of the collector's sight; they stay alive for the life of the server anyway.
Objects created afterwards (conversations, requests) are collected as usual.
"""

from __future__ import annotations

import gc


async def _freeze_heap(*_listener_args) -> None:
    gc.collect()
    gc.freeze()


def freeze_heap_once_started(app) -> None:
    """Register on a Sanic app: runs after every `before_server_start` listener (which is where
    Rasa loads its model), before the first request."""
    app.register_listener(_freeze_heap, "after_server_start")
