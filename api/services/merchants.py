"""Merchants: created by admins, each with its first merchant API key."""

from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from api.models import Merchant, Role
from api.security import NewKey
from api.services.keys import create_key
from api.timeutil import utcnow


def create_merchant(session: Session, name: str) -> tuple[Merchant, NewKey]:
    """A new merchant and its first merchant key (committed; the key is shown once)."""
    merchant = Merchant(id="m_" + secrets.token_hex(8), name=name, created_at=utcnow())
    session.add(merchant)
    session.flush()
    _, new_key = create_key(session, Role.MERCHANT, merchant_id=merchant.id, commit=False)
    session.commit()
    return merchant, new_key
