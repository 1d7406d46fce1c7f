"""Keep-alive connections from the Rasa server to the action server.

Rasa 3.6 opens a new aiohttp session, and so a new TCP connection, for every custom-action
call (`EndpointConfig.request` enters `self.session()` each time). A search turn makes two
calls; under load, connecting was about 5 % of the Rasa server's CPU and added round trips
while other conversations waited. Here each endpoint keeps one session with a small pool of
idle connections, and Rasa's request code is otherwise unchanged.

The pool drops idle connections after IDLE_S, well before the action server (Sanic, 5 s
keep-alive) closes them. If a reused connection was closed under us anyway, the call is
retried once on a fresh connection: action calls carry the whole tracker and are safe to repeat.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import aiohttp

IDLE_S = 2.0


class _SharedSession:
    """Stands in for `aiohttp.ClientSession(...)` in `async with`, without closing it."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def _shared_session(endpoint) -> _SharedSession:
    loop = asyncio.get_running_loop()
    session = getattr(endpoint, "_vawg_session", None)
    if session is None or session.closed or getattr(endpoint, "_vawg_loop", None) is not loop:
        from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

        auth = None
        if endpoint.basic_auth:
            auth = aiohttp.BasicAuth(
                endpoint.basic_auth["username"], endpoint.basic_auth["password"]
            )
        session = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_S),
        )
        endpoint._vawg_session, endpoint._vawg_loop = session, loop
    return _SharedSession(session)


def _retry_once_on_a_closed_connection(request):
    @functools.wraps(request)
    async def retrying(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await request(self, *args, **kwargs)
        except aiohttp.ServerDisconnectedError:
            return await request(self, *args, **kwargs)

    return retrying


def install() -> None:
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig, "_vawg_keepalive", False):
        return
    EndpointConfig.session = _shared_session
    EndpointConfig.request = _retry_once_on_a_closed_connection(EndpointConfig.request)
    EndpointConfig._vawg_keepalive = True
