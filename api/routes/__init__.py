"""One router per resource, all under /v1/api/ticketking."""

from fastapi import APIRouter

from api.routes import (
    circuit,
    events,
    health,
    keys,
    merchants,
    proof_token,
    reports,
    tickets,
    transfers,
    verify,
    wallet,
    webhooks,
)

PREFIX = "/v1/api/ticketking"

ROUTERS = (
    health,
    circuit,
    merchants,
    keys,
    events,
    tickets,
    transfers,
    proof_token,
    verify,
    reports,
    wallet,
    webhooks,
)


def api_router() -> APIRouter:
    """Every resource router under the API prefix."""
    router = APIRouter(prefix=PREFIX)
    for module in ROUTERS:
        router.include_router(module.router)
    return router
