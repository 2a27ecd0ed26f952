"""One router per resource, all under /v1/api/ticketking.

Still to come: proof_token.py (POST /proof-token) and verify.py (POST /verify, GateKey only).
They are not registered until they work.
"""

from fastapi import APIRouter

from api.routes import circuit, events, health, keys, merchants, reports, tickets

PREFIX = "/v1/api/ticketking"


def api_router() -> APIRouter:
    """Every resource router under the API prefix."""
    router = APIRouter(prefix=PREFIX)
    for module in (health, circuit, merchants, keys, events, tickets, reports):
        router.include_router(module.router)
    return router
