"""POST /proof-token: a short-lived, one-time proof token for a ticket (merchant key)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.deps import MerchantKey, SessionDep, SettingsDep
from api.engine import ProofEngineDep
from api.errors import ApiError
from api.prover import ProverUnavailable
from api.schemas import ProofTokenOut, ProofTokenRequest
from api.services.issuance import plan_token

router = APIRouter(tags=["proof tokens"])


class ProverBusy(ApiError):
    status, code = 503, "prover_unavailable"


@router.post(
    "/proof-token",
    response_model=ProofTokenOut,
    responses={
        403: {"description": "ineligible: holder mismatch"},
        409: {"description": "ineligible: revoked, outside its window"},
        429: {"description": "rate_limited or token_interval, with Retry-After"},
    },
)
async def post_proof_token(
    body: ProofTokenRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: MerchantKey,
    engine: ProofEngineDep,
) -> ProofTokenOut:
    """Check eligibility, prove in the prover pool, answer the token for the holder's QR."""
    plan = await run_in_threadpool(plan_token, session, settings, principal, body)
    try:
        proof = await engine.prover.prove(plan.inputs)
    except ProverUnavailable as exc:
        raise ProverBusy(str(exc), headers={"Retry-After": "1"}) from None
    return ProofTokenOut(
        token=plan.token(proof),
        expires_at=plan.expires_at_datetime,
        ticket_id=plan.ticket_id,
        scope=plan.scope,
    )
