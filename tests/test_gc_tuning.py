"""Both servers freeze their heap once started, so full collections don't stall every
conversation at once (bot/gc_tuning.py)."""

from __future__ import annotations

import asyncio
import gc

from sanic import Sanic

from bot import gc_tuning
from bot.actions_server import install_guards as install_action_server_guards
from bot.rasa_server import _configure_app_with_a_frozen_heap


def _after_start_listeners(app: Sanic) -> list:
    return [
        route.handler.keywords["listener"]
        for route in app.signal_router.routes
        if route.name == "server.init.after"
    ]


def test_freezing_moves_the_live_heap_out_of_the_collectors_sight():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        asyncio.run(gc_tuning._freeze_heap())
        assert gc.get_freeze_count() > 10_000  # the interpreter and pytest alone hold more
    finally:
        gc.unfreeze()


def test_the_rasa_server_app_freezes_after_it_has_loaded_the_model():
    configure = _configure_app_with_a_frozen_heap(lambda: Sanic("rasa_test_app"))
    assert _after_start_listeners(configure()) == [gc_tuning._freeze_heap]


def test_the_action_server_app_freezes_once_started():
    import rasa_sdk.endpoint

    original = rasa_sdk.endpoint.create_app
    try:
        install_action_server_guards()
        app = rasa_sdk.endpoint.create_app("actions")
        assert gc_tuning._freeze_heap in _after_start_listeners(app)
    finally:
        rasa_sdk.endpoint.create_app = original
