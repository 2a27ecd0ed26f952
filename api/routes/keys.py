"""POST /keys (merchant and gate keys), DELETE /keys/{key_id}."""

from fastapi import APIRouter, status

from api.deps import ManagerKey, SessionDep
from api.errors import Forbidden, Unprocessable
from api.models import Role
from api.schemas import Identifier, KeyCreate, KeyCreated, KeyRevoked
from api.services.events import get_own_event
from api.services.keys import create_key, revoke_key

router = APIRouter(tags=["keys"])


@router.post("/keys", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def post_key(body: KeyCreate, session: SessionDep, principal: ManagerKey) -> KeyCreated:
    """Make a merchant or gate key; the plaintext `api_key` is shown this once."""
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
    row, new = create_key(session, Role(body.role), merchant_id=merchant_id, event=event,
                          gate_ids=body.gate_ids)
    return KeyCreated(key_id=row.key_id, api_key=new.plaintext, role=row.role.value,
                      merchant_id=row.merchant_id, event_id=event.event_id if event else None,
                      gate_ids=row.gate_ids, created_at=row.created_at)


@router.delete("/keys/{key_id}", response_model=KeyRevoked)
def delete_key(key_id: Identifier, session: SessionDep, principal: ManagerKey) -> KeyRevoked:
    """Revoke a key at once (idempotent)."""
    row = revoke_key(session, principal, key_id)
    assert row.revoked_at is not None
    return KeyRevoked(key_id=row.key_id, revoked_at=row.revoked_at)
