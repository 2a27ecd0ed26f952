"""Typed FastAPI dependencies: settings, a database session, and the caller per role."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from api.auth import Principal, authenticate, presented_key, require_role
from api.config import Settings
from api.models import Role
from api.services.limits import GateLimiter


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services commit, anything left open is rolled back."""
    with request.app.state.sessionmaker() as session:
        yield session


def get_gate_limiter(request: Request) -> GateLimiter:
    """This process's rate limiter for gate keys (made with the app)."""
    limiter: GateLimiter = request.app.state.gate_limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
GateLimiterDep = Annotated[GateLimiter, Depends(get_gate_limiter)]
SessionDep = Annotated[Session, Depends(get_session)]


async def get_presented_key(
    x_affixio_key: Annotated[str | None, Header(alias="X-AffixIO-Key")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> str:
    """The API key as presented (401 if none); checking it is left to the caller's session."""
    return presented_key(x_affixio_key, authorization)


# For hot paths that authenticate in their own session and thread (POST /verify).
PresentedKey = Annotated[str, Depends(get_presented_key)]


def get_principal(
    session: SessionDep,
    x_affixio_key: Annotated[str | None, Header(alias="X-AffixIO-Key")] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The authenticated caller (401 without a valid key)."""
    principal = authenticate(session, presented_key(x_affixio_key, authorization))
    # Auth reads must not hold a transaction (and SQLite's write lock) through the route.
    session.rollback()
    return principal


AnyKey = Annotated[Principal, Depends(get_principal)]


def _admin(principal: AnyKey) -> Principal:
    return require_role(principal, Role.ADMIN)


def _merchant(principal: AnyKey) -> Principal:
    return require_role(principal, Role.MERCHANT)


def _merchant_or_admin(principal: AnyKey) -> Principal:
    return require_role(principal, Role.MERCHANT, Role.ADMIN)


def _gate(principal: AnyKey) -> Principal:
    return require_role(principal, Role.GATE)


AdminKey = Annotated[Principal, Depends(_admin)]
MerchantKey = Annotated[Principal, Depends(_merchant)]
# Key management: admins act for any merchant, merchants for themselves.
ManagerKey = Annotated[Principal, Depends(_merchant_or_admin)]
GateKey = Annotated[Principal, Depends(_gate)]
