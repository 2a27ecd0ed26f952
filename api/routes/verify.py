"""POST /verify: a gate scans a token; the first valid scan is accepted, every other refused.

The gate's hot path: the key is checked and the scan verified and consumed in one thread of
the app's small gate pool (settings.gate_threads) with one database session (each sync FastAPI
dependency would be a thread hop, and FastAPI's 40-thread pool only adds GIL contention).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response

from api.deps import PresentedKey
from api.engine import ProofEngineDep
from api.schemas import VerifyOut, VerifyRequest
from api.services.verification import handle_scan

router = APIRouter(tags=["gate"])


@router.post(
    "/verify",
    response_model=VerifyOut,
    response_model_exclude_none=True,
    responses={429: {"description": "rate_limited (per gate key), with Retry-After"}},
)
async def post_verify(
    body: VerifyRequest, request: Request, key: PresentedKey, engine: ProofEngineDep
) -> Response:
    """{accepted: true, ...} once per ticket and scope; {accepted: false, reason} otherwise."""
    app = request.app
    loop = asyncio.get_running_loop()
    out = await loop.run_in_executor(
        app.state.gate_threads,
        handle_scan,
        app.state.sessionmaker,
        app.state.settings,
        engine.batcher,
        app.state.gate_limiter,
        app.state.event_cache,
        key,
        body,
    )
    return Response(out.model_dump_json(exclude_none=True), media_type="application/json")
