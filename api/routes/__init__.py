"""One router per resource, all under /v1/api/ticketking.

Still to come with the proof engine: proof_token.py (POST /proof-token) and verify.py
(POST /verify, GateKey only), and circuit.py (GET /circuit). They are not registered until they
work.
"""

from fastapi import APIRouter

from api.routes import events, health, keys, merchants, tickets

PREFIX = "/v1/api/ticketking"


def api_router() -> APIRouter:
    """Every resource router under the API prefix."""
    router = APIRouter(prefix=PREFIX)
    for module in (health, merchants, keys, events, tickets):
        router.include_router(module.router)
    return router
