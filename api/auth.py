"""API key authentication: who is calling, and with which role."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from api import security
from api.driver_sql import DriverStatement
from api.errors import Forbidden, Unauthorized
from api.models import ApiKey, Role, table

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ticketking"'}
# Compared against when the key_id is unknown, so a miss costs what a hit costs.
_DUMMY_HASH = security.hash_api_key("tk_000000000000_" + "0" * 43)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    key_id: str
    role: Role
    merchant_id: str | None
    event_pk: int | None = None
    gate_ids: tuple[str, ...] | None = None


def presented_key(x_affixio_key: str | None, authorization: str | None) -> str:
    """The key from `X-AffixIO-Key: KEY` or `Authorization: Bearer KEY`, else 401."""
    if x_affixio_key:
        return x_affixio_key.strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    raise Unauthorized(
        "missing API key (X-AffixIO-Key or Authorization: Bearer)", headers=_CHALLENGE
    )


def authenticate(session: Session, plaintext: str) -> Principal:
    """The principal behind a valid, unrevoked key; 401 otherwise (keys are never logged)."""
    key_id = security.parse_key_id(plaintext)
    # Columns, not an ORM row: every request of every gate passes here.
    row = _KEY_QUERY.first(session, {"key_id": key_id}) if key_id else None
    ok = security.key_matches(plaintext, row.key_hash if row else _DUMMY_HASH)
    if row is None or not ok or row.revoked_at is not None:
        raise Unauthorized("invalid or revoked API key", headers=_CHALLENGE)
    gates = tuple(row.gate_ids) if row.gate_ids is not None else None
    return Principal(row.key_id, Role(row.role), row.merchant_id, row.event_pk, gates)


_KEYS = table(ApiKey).c
_KEY_QUERY = DriverStatement(
    select(
        _KEYS.key_id,
        _KEYS.key_hash,
        _KEYS.revoked_at,
        _KEYS.role,
        _KEYS.merchant_id,
        _KEYS.event_pk,
        _KEYS.gate_ids,
    ).where(_KEYS.key_id == bindparam("key_id"))
)


def require_role(principal: Principal, *roles: Role) -> Principal:
    """403 unless the principal holds one of the roles."""
    if principal.role not in roles:
        allowed = " or ".join(r.value for r in roles)
        raise Forbidden(f"this needs a {allowed} key, not a {principal.role.value} key")
    return principal


def require_merchant(principal: Principal, merchant_id: str) -> None:
    """403 unless the principal acts for the merchant that owns the resource."""
    if principal.role is Role.ADMIN:
        return
    if principal.merchant_id != merchant_id:
        raise Forbidden("this resource belongs to another merchant")
