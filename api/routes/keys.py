"""POST /keys (merchant and gate keys), DELETE /keys/{key_id}."""

from fastapi import APIRouter, status

from api.deps import ManagerKey, SessionDep
from api.schemas import Identifier, KeyCreate, KeyCreated, KeyRevoked
from api.services.events import get_event_by_pk
from api.services.keys import issue_key, revoke_key

router = APIRouter(tags=["keys"])


@router.post("/keys", response_model=KeyCreated, status_code=status.HTTP_201_CREATED)
def post_key(body: KeyCreate, session: SessionDep, principal: ManagerKey) -> KeyCreated:
    """Make a merchant or gate key; the plaintext `api_key` is shown this once."""
    row, new = issue_key(session, principal, body)
    event_id = None
    if row.event_pk is not None:
        event_id = get_event_by_pk(session, row.event_pk).event_id
    return KeyCreated(
        key_id=row.key_id,
        api_key=new.plaintext,
        role=row.role.value,
        merchant_id=row.merchant_id,
        event_id=event_id,
        gate_ids=row.gate_ids,
        created_at=row.created_at,
    )


@router.delete("/keys/{key_id}", response_model=KeyRevoked)
def delete_key(key_id: Identifier, session: SessionDep, principal: ManagerKey) -> KeyRevoked:
    """Revoke a key at once (idempotent)."""
    row = revoke_key(session, principal, key_id)
    assert row.revoked_at is not None
    return KeyRevoked(key_id=row.key_id, revoked_at=row.revoked_at)
