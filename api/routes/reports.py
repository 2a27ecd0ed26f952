"""GET /events/{event_id}/stats and GET /events/{event_id}/audit (merchant)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from api.deps import MerchantKey, SessionDep
from api.models import EntryResult
from api.schemas import Identifier, Timestamp
from api.services.events import get_own_event
from api.services.reports import (
    AUDIT_LIMIT_DEFAULT,
    AUDIT_LIMIT_MAX,
    AuditFilter,
    AuditPage,
    EventStats,
    audit_page,
    event_stats,
)

router = APIRouter(tags=["reports"])

# Verify's rejection reasons: snake_case words.
Reason = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[a-z0-9_]+$")]


@router.get("/events/{event_id}/stats", response_model=EventStats)
def get_stats(
    event_id: Identifier,
    session: SessionDep,
    principal: MerchantKey,
    since: Annotated[Timestamp | None, Query(description="count entries at or after")] = None,
    until: Annotated[Timestamp | None, Query(description="count entries before")] = None,
) -> EventStats:
    """Accepted entries and rejections of one of the merchant's events, in [since, until)."""
    event = get_own_event(session, principal, event_id)
    return event_stats(session, event, since, until)


@router.get("/events/{event_id}/audit", response_model=AuditPage, response_model_exclude_unset=True)
def get_audit(
    event_id: Identifier,
    session: SessionDep,
    principal: MerchantKey,
    limit: Annotated[int, Query(ge=1, le=AUDIT_LIMIT_MAX)] = AUDIT_LIMIT_DEFAULT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    gate_id: Identifier | None = None,
    result: Literal["accepted", "rejected"] | None = None,
    reason: Reason | None = None,
) -> AuditPage:
    """Every answer given at the event's gates, newest first, without personal data."""
    event = get_own_event(session, principal, event_id)
    where = AuditFilter(gate_id, EntryResult(result) if result else None, reason)
    return audit_page(session, event, limit=limit, cursor=cursor, where=where)
