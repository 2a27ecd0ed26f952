"""GET /circuit: the statement tokens prove and the key that verifies them (no key needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.engine import ProofEngineDep
from api.services.circuit import CIRCUIT_ID, CIRCUIT_NAME, PUBLIC_INPUTS

router = APIRouter(tags=["circuit"])


@router.get("/circuit")
async def circuit(engine: ProofEngineDep) -> dict[str, Any]:
    """The circuit's id, public inputs, size, Merkle depth and snarkjs verification key."""
    keys = engine.keys
    return {
        "id": CIRCUIT_ID,
        "name": CIRCUIT_NAME,
        "sector": "ticketing",
        "input_methods": ["qr"],
        "public_inputs": PUBLIC_INPUTS,
        "constraints": keys.constraints,
        "merkle_depth": keys.depth,
        "verification_key": keys.vk_json,
        "verification_key_sha256": keys.vk_sha256,
        # Groth16 proving keys are public: wallets that prove themselves download it here.
        "proving_key_url": "/v1/api/ticketking/circuit/zkey",
    }
