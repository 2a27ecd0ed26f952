"""Tiny ASGI apps for the worker-supervisor tests: they answer with their pid, or fail to start."""

from __future__ import annotations

import asyncio
import os
from typing import Any


async def pid_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer every request with this worker's pid (text); accept lifespan events."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def failing_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An app whose startup fails, like a server whose database is unreachable."""
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "no database"})


async def slow_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """pid_app, but its startup takes two seconds (as loading keys and opening the database)."""
    if scope["type"] == "lifespan":
        await asyncio.sleep(2)
    await pid_app(scope, receive, send)


async def flagged_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """pid_app whose startup fails while the file $PID_APP_FAIL_FLAG exists (a database outage)."""
    if scope["type"] == "lifespan" and os.path.exists(os.environ["PID_APP_FAIL_FLAG"]):
        await failing_app(scope, receive, send)
        return
    await pid_app(scope, receive, send)
