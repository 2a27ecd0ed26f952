"""POST /verify's fast lane: a gate's well-formed scan skips FastAPI's per-request machinery.

At 400 scans/s the gate path's routing, dependency solving and response plumbing took about a
quarter of an API worker's Python time (py-spy, docs/api.md "Load"). This ASGI
middleware answers a well-formed scan itself: the same request model, the same key lookup
rules, the same `handle_scan` in the same gate threads, the same error rendering.

It only ever answers what the route would answer. Anything it does not take as a plain case
(another path or method, an unusual content type, a body that does not validate, no key, the
proof engine not loaded yet) goes down the normal FastAPI stack with the body replayed, so
every error there is FastAPI's own. The route stays registered: OpenAPI documents it and
it serves whatever the lane passes on.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import presented_key
from api.engine import engine_if_loaded
from api.errors import ApiError, api_error_response
from api.routes.verify import scan_in_gate_pool
from api.schemas import VerifyRequest

if TYPE_CHECKING:
    from fastapi import FastAPI

_JSON = b"application/json"


class VerifyLane:
    """Answer plain `POST {path}` scans directly; pass everything else on, body intact."""

    def __init__(self, app: ASGIApp, *, api: FastAPI, path: str) -> None:
        self.app = app
        self.api = api
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        try:
            body = await _read_body(receive, received)
        except ApiError as exc:  # the body limit (BodyLimitMiddleware wraps this receive)
            await api_error_response(exc)(scope, receive, send)
            return
        scan = None if body is None else self._plain_scan(scope, body)
        engine = engine_if_loaded(self.api)  # not loaded: the route loads it or says why not
        if scan is None or engine is None:
            await self.app(scope, _replaying(received, receive), send)
            return
        key, request = scan
        try:
            out = await scan_in_gate_pool(self.api, engine, key, request)
        except ApiError as exc:
            await api_error_response(exc)(scope, receive, send)
            return
        payload = out.model_dump_json(exclude_none=True).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(payload)).encode()),
                    (b"content-type", _JSON),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _plain_scan(self, scope: Scope, body: bytes) -> tuple[str, VerifyRequest] | None:
        """(key, request) when the route would take this scan as it is; None otherwise."""
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)  # the first of repeated headers, as FastAPI reads
        content_type = headers.get(b"content-type")
        if content_type is not None and content_type.split(b";")[0].strip().lower() != _JSON:
            return None
        try:
            key = presented_key(
                _text(headers.get(b"x-affixio-key")), _text(headers.get(b"authorization"))
            )
            return key, VerifyRequest.model_validate(json.loads(body))
        except (ApiError, ValueError, ValidationError):  # json/UTF-8 errors are ValueErrors
            return None


async def _read_body(receive: Receive, received: list[Message]) -> bytes | None:
    """The whole request body (None if the client went away), every message kept for replay."""
    chunks = []
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(received: list[Message], receive: Receive) -> Receive:
    """A receive that gives the messages already read again, then the client's own."""
    pending = list(received)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _text(value: bytes | None) -> str | None:
    # Starlette decodes header values as latin-1.
    return None if value is None else value.decode("latin-1")
