"""One router per resource, all under /v1/api/ticketking."""

from fastapi import APIRouter

from api.routes import (
    circuit,
    events,
    health,
    keys,
    merchants,
    proof_token,
    tickets,
    transfers,
    verify,
)

PREFIX = "/v1/api/ticketking"


def api_router() -> APIRouter:
    """Every resource router under the API prefix."""
    router = APIRouter(prefix=PREFIX)
    for module in (
        health,
        circuit,
        merchants,
        keys,
        events,
        tickets,
        transfers,
        proof_token,
        verify,
    ):
        router.include_router(module.router)
    return router
