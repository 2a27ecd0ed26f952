"""GET /circuit: the statement tokens prove and the key that verifies them (no key needed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError
from api.services.circuit import (
    CIRCUIT_ID,
    CIRCUIT_NAME,
    PUBLIC_INPUTS,
    CircuitKeys,
    ensure_circuit_keys,
)

router = APIRouter(tags=["circuit"])


class CircuitUnavailable(ApiError):
    status, code = 503, "circuit_unavailable"


async def circuit_keys(request: Request) -> CircuitKeys:
    """The app's circuit keys, loaded (or made) once per process, off the event loop."""
    cached: CircuitKeys | None = getattr(request.app.state, "circuit_keys", None)
    if cached is not None:
        return cached
    try:
        keys = await run_in_threadpool(ensure_circuit_keys, request.app.state.settings)
    except RuntimeError as exc:
        raise CircuitUnavailable(str(exc)) from None
    request.app.state.circuit_keys = keys
    return keys


@router.get("/circuit")
async def circuit(request: Request) -> dict[str, Any]:
    """The circuit's id, public inputs, size, Merkle depth and snarkjs verification key."""
    keys = await circuit_keys(request)
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
    }
