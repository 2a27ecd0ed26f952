"""The proof engine as the service uses it: circuit keys, the prepared verifying key, provers.

One `ProofEngine` per API process, made on first use (or at start when the keys exist): the
verifying key is parsed, validated and prepared once, so a verify costs the pairing check
alone, and the prover pool's workers load the proving key once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool

from api.config import Settings
from api.errors import ApiError
from api.prover import ProverPool
from api.services.circuit import CircuitKeys, ensure_circuit_keys
from api.services.proof_batcher import ProofBatcher
from zkcore.groth16 import PreparedVerifyingKey

_LOAD_LOCK = threading.Lock()


class CircuitUnavailable(ApiError):
    status, code = 503, "circuit_unavailable"


@dataclass
class ProofEngine:
    """What proving and verifying tokens need, loaded once per process."""

    keys: CircuitKeys
    pvk: PreparedVerifyingKey
    prover: ProverPool
    # Verify's Groth16 checks: concurrent scans share one batch (api/services/proof_batcher.py).
    batcher: ProofBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.batcher = ProofBatcher(self.pvk)

    def close(self) -> None:
        """Stop the prover workers."""
        self.prover.close()


def load_engine(settings: Settings) -> ProofEngine:
    """Load (or make, once per depth) the circuit keys, prepare the vk, start the provers."""
    from zkcore.formats import snarkjs_json
    from zkcore.groth16 import prepare_verifying_key

    keys = ensure_circuit_keys(settings)
    pvk = prepare_verifying_key(snarkjs_json.vk_from_json(keys.vk_json))
    prover = ProverPool(keys.zkey_path, keys.depth, settings.prover_workers)
    prover.start()
    return ProofEngine(keys=keys, pvk=pvk, prover=prover)


def engine_if_loaded(app: FastAPI) -> ProofEngine | None:
    """The app's engine if it was loaded already."""
    engine: ProofEngine | None = getattr(app.state, "proof_engine", None)
    return engine


def ensure_engine(app: FastAPI) -> ProofEngine:
    """The app's engine, loaded on first use; concurrent first uses load it once."""
    engine = engine_if_loaded(app)
    if engine is not None:
        return engine
    with _LOAD_LOCK:
        engine = engine_if_loaded(app)
        if engine is None:
            try:
                engine = load_engine(app.state.settings)
            except RuntimeError as exc:
                raise CircuitUnavailable(str(exc)) from None
            app.state.proof_engine = engine
    return engine


async def proof_engine(request: Request) -> ProofEngine:
    """FastAPI dependency: the app's engine, loaded off the event loop if needed."""
    engine = engine_if_loaded(request.app)
    if engine is not None:
        return engine
    return await run_in_threadpool(ensure_engine, request.app)


ProofEngineDep = Annotated[ProofEngine, Depends(proof_engine)]
