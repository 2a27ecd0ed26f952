"""API keys: made with a role, stored as a hash, shown once, revocable."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.errors import Forbidden, NotFound, Unprocessable
from api.models import ApiKey, Event, Merchant, Role
from api.schemas import KeyCreate
from api.security import NewKey, new_api_key
from api.services.events import get_own_event
from api.timeutil import utcnow


def create_key(
    session: Session,
    role: Role,
    *,
    merchant_id: str | None = None,
    event: Event | None = None,
    gate_ids: Sequence[str] | None = None,
    commit: bool = True,
) -> tuple[ApiKey, NewKey]:
    """Store the hash of a new key; return the row and the plaintext (to show once)."""
    if role is Role.ADMIN and (merchant_id or event):
        raise Unprocessable("admin keys belong to no merchant or event")
    if role is not Role.ADMIN and merchant_id is None:
        raise Unprocessable(f"a {role.value} key needs a merchant")
    if merchant_id is not None and session.get(Merchant, merchant_id) is None:
        raise NotFound(f"merchant {merchant_id!r} not found")
    if role is Role.GATE:
        if event is None:
            raise Unprocessable("a gate key needs an event")
        if event.merchant_id != merchant_id:
            raise Forbidden("the event belongs to another merchant")
        known = {g.gate_id for g in event.gates}
        unknown = sorted(set(gate_ids or ()) - known)
        if unknown:
            raise Unprocessable(
                f"unknown gate(s) for event {event.event_id!r}: {unknown}", code="unknown_gate"
            )
    elif event is not None or gate_ids is not None:
        raise Unprocessable("event and gates apply to gate keys only")
    new = new_api_key()
    row = ApiKey(
        key_id=new.key_id,
        key_hash=new.key_hash,
        role=role,
        merchant_id=merchant_id,
        event_pk=event.id if event else None,
        gate_ids=sorted(set(gate_ids)) if gate_ids is not None else None,
        created_at=utcnow(),
    )
    session.add(row)
    if commit:
        session.commit()
    else:
        session.flush()
    return row, new


def issue_key(session: Session, principal: Principal, body: KeyCreate) -> tuple[ApiKey, NewKey]:
    """POST /keys: admins make keys for a named merchant, merchants for themselves."""
    merchant_id: str | None
    if principal.role is Role.ADMIN:
        if body.merchant_id is None:
            raise Unprocessable("an admin must name the merchant_id the key is for")
        merchant_id = body.merchant_id
    else:
        if body.merchant_id not in (None, principal.merchant_id):
            raise Forbidden("a merchant key makes keys for its own merchant only")
        merchant_id = principal.merchant_id
    event = get_own_event(session, principal, body.event_id) if body.event_id else None
    if event is not None and event.merchant_id != merchant_id:
        raise Forbidden("the event belongs to another merchant")
    return create_key(
        session, Role(body.role), merchant_id=merchant_id, event=event, gate_ids=body.gate_ids
    )


def revoke_key(session: Session, principal: Principal, key_id: str) -> ApiKey:
    """Revoke a key (idempotent); merchants reach only their own keys, admins any."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"key {key_id!r} not found")
    if principal.role is not Role.ADMIN and row.merchant_id != principal.merchant_id:
        raise Forbidden("this key belongs to another merchant")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()
    return row


def has_active_admin(session: Session) -> bool:
    """Whether any unrevoked admin key exists (first start makes one if not)."""
    query = select(ApiKey.key_id).where(ApiKey.role == Role.ADMIN, ApiKey.revoked_at.is_(None))
    return session.execute(query.limit(1)).first() is not None
