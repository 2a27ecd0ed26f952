"""POST /verify: a gate scans a token; the first valid scan is accepted, every other refused.

The gate's hot path: the key is checked and the scan verified and consumed in one thread of
the app's small gate pool (settings.gate_threads) with one database session (each sync FastAPI
dependency would be a thread hop, and FastAPI's 40-thread pool only adds GIL contention).
Plain scans do not even reach this route: api.verify_lane answers them before FastAPI's routing;
this route serves the rest (and documents the endpoint).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, FastAPI, Request, Response

from api.deps import PresentedKey
from api.engine import ProofEngine, ProofEngineDep
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
    out = await scan_in_gate_pool(request.app, engine, key, body)
    return Response(out.model_dump_json(exclude_none=True), media_type="application/json")


async def scan_in_gate_pool(
    app: FastAPI, engine: ProofEngine, key: str, body: VerifyRequest
) -> VerifyOut:
    """The scan, checked and consumed in one of the app's gate threads (api.verify_lane too)."""
    state = app.state
    return await asyncio.get_running_loop().run_in_executor(
        state.gate_threads,
        handle_scan,
        state.sessionmaker,
        state.settings,
        engine.batcher,
        state.gate_limiter,
        state.event_cache,
        key,
        body,
    )
