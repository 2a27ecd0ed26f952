"""POST /verify: a gate scans a token; the first valid scan is accepted, every other refused."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from api.deps import GateKey, GateLimiterDep, SessionDep, SettingsDep
from api.engine import ProofEngineDep
from api.schemas import VerifyOut, VerifyRequest
from api.services.verification import verify_scan

router = APIRouter(tags=["gate"])


@router.post(
    "/verify",
    response_model=VerifyOut,
    response_model_exclude_none=True,
    responses={429: {"description": "rate_limited (per gate key), with Retry-After"}},
)
async def post_verify(
    body: VerifyRequest,
    session: SessionDep,
    settings: SettingsDep,
    principal: GateKey,
    engine: ProofEngineDep,
    limiter: GateLimiterDep,
) -> VerifyOut:
    """{accepted: true, ...} once per ticket and scope; {accepted: false, reason} otherwise."""
    return await run_in_threadpool(
        verify_scan, session, settings, engine.pvk, principal, body, limiter=limiter
    )
