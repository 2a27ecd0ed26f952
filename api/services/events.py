"""Events with their gates (and the tiers each admits) and entry scopes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from api.auth import Principal, require_merchant
from api.errors import Conflict, NotFound
from api.models import Event, Gate
from api.schemas import EventCreate, EventOut, GateOut, RateLimits
from api.services.transfer_rules import canonical, event_rules, rule_columns
from api.timeutil import utcnow


def get_event(session: Session, event_id: str) -> Event:
    """The event, or 404."""
    query = select(Event).where(Event.event_id == event_id).options(selectinload(Event.gates))
    event = session.scalars(query).first()
    if event is None:
        raise NotFound(f"event {event_id!r} not found")
    return event


def get_event_by_pk(session: Session, event_pk: int) -> Event:
    """The event with this primary key, or 404."""
    event = session.get(Event, event_pk)
    if event is None:
        raise NotFound("event not found")
    return event


def get_own_event(session: Session, principal: Principal, event_id: str) -> Event:
    """The event if the caller's merchant owns it: 404 if missing, 403 if another's."""
    event = get_event(session, event_id)
    require_merchant(principal, event.merchant_id)
    return event


def _same(event: Event, body: EventCreate) -> bool:
    """Whether the stored event is what `body` would create (for idempotent repeats)."""
    stored_gates = [(g.gate_id, g.tiers) for g in event.gates]
    body_gates = [(g.gate_id, list(g.tiers) if g.tiers else None) for g in body.gates]
    return (
        event.name == body.name
        and event.starts_at == body.starts_at
        and event.ends_at == body.ends_at
        and stored_gates == body_gates
        and list(event.scopes) == (list(body.scopes) if body.scopes else [body.event_id])
        and event.reveal_ticket_id == body.reveal_ticket_id
        and event_rules(event) == canonical(body.transfer, body.resale)
        and _limits(event) == (body.min_token_interval_seconds, body.rate_limits)
    )


def _limits(event: Event) -> tuple[int, RateLimits]:
    """The event's issuance limits as the API states them."""
    rates = RateLimits(
        proof_tokens_per_minute=event.proof_tokens_per_minute,
        merchant_key_requests_per_minute=event.merchant_key_requests_per_minute,
        gate_key_requests_per_minute=event.gate_key_requests_per_minute,
    )
    return event.min_token_interval_seconds, rates


def create_event(session: Session, principal: Principal, body: EventCreate) -> tuple[Event, bool]:
    """Create an event; the same body again returns it (created=False), another body is 409."""
    assert principal.merchant_id is not None
    existing = session.scalars(select(Event).where(Event.event_id == body.event_id)).first()
    if existing is not None:
        return _existing(principal, existing, body), False
    event = Event(
        event_id=body.event_id,
        merchant_id=principal.merchant_id,
        name=body.name,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        # Without declared scopes the event is its own single scope: one entry per ticket.
        scopes=list(body.scopes) if body.scopes else [body.event_id],
        reveal_ticket_id=body.reveal_ticket_id,
        created_at=utcnow(),
        **rule_columns(body.transfer, body.resale),
        min_token_interval_seconds=body.min_token_interval_seconds,
        proof_tokens_per_minute=body.rate_limits.proof_tokens_per_minute,
        merchant_key_requests_per_minute=body.rate_limits.merchant_key_requests_per_minute,
        gate_key_requests_per_minute=body.rate_limits.gate_key_requests_per_minute,
        gates=[
            Gate(gate_id=g.gate_id, position=i, tiers=list(g.tiers) if g.tiers else None)
            for i, g in enumerate(body.gates)
        ],
    )
    session.add(event)
    try:
        session.commit()
    except IntegrityError:
        # Lost a race with the same event_id: answer as if we had come second.
        session.rollback()
        existing = get_event(session, body.event_id)
        return _existing(principal, existing, body), False
    return event, True


def _existing(principal: Principal, event: Event, body: EventCreate) -> Event:
    if event.merchant_id != principal.merchant_id or not _same(event, body):
        raise Conflict(f"event {body.event_id!r} already exists with other values")
    return event


def event_view(event: Event) -> EventOut:
    """The public view of an event."""
    return EventOut(
        event_id=event.event_id,
        name=event.name,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        gates=[GateOut(gate_id=g.gate_id, tiers=g.tiers) for g in event.gates],
        scopes=list(event.scopes),
        reveal_ticket_id=event.reveal_ticket_id,
        min_token_interval_seconds=_limits(event)[0],
        rate_limits=_limits(event)[1],
        created_at=event.created_at,
        transfer=event_rules(event)[0],
        resale=event_rules(event)[1],
    )
