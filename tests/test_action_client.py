"""The Rasa server's calls to the action server reuse connections (bot/action_client.py)."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import action_client


@pytest.fixture(autouse=True, scope="module")
def _installed():
    action_client.install()


async def _serve(handler) -> tuple[web.AppRunner, str, list]:
    """An HTTP server on a free port that records the peer port of each request's connection."""
    peers: list[int] = []

    async def recording(request: web.Request) -> web.StreamResponse:
        peers.append(request.transport.get_extra_info("peername")[1])
        return await handler(request)

    app = web.Application()
    app.router.add_post("/webhook", recording)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/webhook", peers


async def _echo(request: web.Request) -> web.Response:
    return web.json_response({"events": [], "got": (await request.json())["n"]})


def test_consecutive_calls_share_one_connection_and_get_their_own_answers():
    async def scenario():
        runner, url, peers = await _serve(_echo)
        try:
            endpoint = EndpointConfig(url)
            answers = [await endpoint.request(json={"n": n}) for n in range(3)]
        finally:
            await runner.cleanup()
        return answers, peers

    answers, peers = asyncio.run(scenario())
    assert [a["got"] for a in answers] == [0, 1, 2]
    assert len(peers) == 3 and len(set(peers)) == 1


def test_errors_still_reach_rasa_as_client_response_errors():
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"error": "no"}, status=400)

    async def scenario():
        runner, url, _ = await _serve(refuse)
        try:
            await EndpointConfig(url).request(json={})
        finally:
            await runner.cleanup()

    with pytest.raises(ClientResponseError) as raised:
        asyncio.run(scenario())
    assert raised.value.status == 400


async def _read_request(reader: asyncio.StreamReader) -> bytes | None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return await reader.readexactly(length)


def test_a_call_on_a_connection_closed_under_it_is_retried_on_a_fresh_one():
    """The race keep-alive brings: the server closes an idle connection just as a call is
    sent on it. Here the first connection answers one call, then hangs up on the next."""
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(len(connections))
        first_connection = len(connections) == 1
        answered = 0
        try:
            while True:
                body = await _read_request(reader)
                if first_connection and answered == 1:
                    return  # hang up without answering
                reply = json.dumps({"events": [], "got": json.loads(body)["n"]}).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(reply)}\r\n\r\n".encode()
                    + reply
                )
                await writer.drain()
                answered += 1
        except asyncio.IncompleteReadError:
            return
        finally:
            writer.close()

    async def scenario():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        try:
            return [await endpoint.request(json={"n": n}) for n in (1, 2)]
        finally:
            server.close()

    answers = asyncio.run(scenario())
    assert [a["got"] for a in answers] == [1, 2]
    assert len(connections) == 2
