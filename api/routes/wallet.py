"""Wallet binding: GET /tickets/{ticket_id}/wallet (merchant) and GET /circuit/zkey (no key)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from api.deps import MerchantKey, SessionDep, SettingsDep
from api.engine import ProofEngineDep
from api.schemas import Identifier, WalletBundle
from api.services.circuit import CIRCUIT_ID
from api.services.wallet import file_sha256, wallet_bundle

router = APIRouter(tags=["wallet"])


@router.get(
    "/tickets/{ticket_id}/wallet",
    response_model=WalletBundle,
    responses={409: {"description": "not wallet-bound, or revoked"}},
)
async def get_wallet_bundle(
    ticket_id: Identifier,
    session: SessionDep,
    settings: SettingsDep,
    principal: MerchantKey,
    engine: ProofEngineDep,
) -> WalletBundle:
    """What a wallet-bound ticket's holder proves from: relay it to the holder's app only."""
    return await run_in_threadpool(
        wallet_bundle, session, settings, principal, ticket_id, engine.keys
    )


@router.get(
    "/circuit/zkey",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_proving_key(engine: ProofEngineDep) -> FileResponse:
    """The circuit's Groth16 proving key (.zkey, public by design) for wallets that prove."""
    path = engine.keys.zkey_path
    digest = await run_in_threadpool(file_sha256, path)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=f"{CIRCUIT_ID}-d{engine.keys.depth}.zkey",
        headers={"X-Content-SHA256": digest, "Cache-Control": "public, max-age=3600"},
    )
