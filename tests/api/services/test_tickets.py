"""Ticket services: secrets at rest, holder matching, concurrent idempotent issue."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.config import Settings
from api.db import make_sessionmaker
from api.models import Event, Gate, Merchant, Role, Ticket
from api.schemas import TicketCreate
from api.services.tickets import holder_matches, issue_ticket, ticket_secrets
from api.timeutil import utcnow

MERCHANT = Principal("k", Role.MERCHANT, "m1")


def _event(session: Session) -> None:
    now = utcnow()
    session.add(Merchant(id="m1", name="M", created_at=now))
    session.flush()
    session.add(
        Event(
            event_id="ev",
            merchant_id="m1",
            name="E",
            starts_at=now,
            ends_at=now,
            scopes=["ev"],
            reveal_ticket_id=False,
            created_at=now,
            gates=[Gate(gate_id="g", position=0)],
        )
    )
    session.commit()


def test_secrets_and_holder_binding(session: Session, settings: Settings) -> None:
    _event(session)
    body = TicketCreate(ticket_id="t1", event_id="ev", tier="ga", holder_id="alice")
    ticket, created = issue_ticket(session, settings, MERCHANT, body)
    assert created
    secrets = ticket_secrets(settings, ticket)
    assert secrets.salt != secrets.holder_secret
    assert holder_matches(settings, ticket, "alice")
    assert not holder_matches(settings, ticket, "alicE") and not holder_matches(
        settings, ticket, None
    )
    unbound, _ = issue_ticket(
        session, settings, MERCHANT, TicketCreate(ticket_id="t2", event_id="ev", tier="ga")
    )
    assert holder_matches(settings, unbound, None) and holder_matches(settings, unbound, "x")
    # The same body again returns the same ticket with the same secrets.
    again, created = issue_ticket(session, settings, MERCHANT, body)
    assert not created and ticket_secrets(settings, again) == secrets


def test_concurrent_identical_issues_make_one_ticket(
    engine: Engine, session: Session, settings: Settings
) -> None:
    _event(session)
    maker = make_sessionmaker(engine)
    barrier = Barrier(4)
    body = TicketCreate(ticket_id="race", event_id="ev", tier="ga", holder_id="h")

    def one(_: int) -> bool:
        with maker() as s:
            barrier.wait()
            return issue_ticket(s, settings, MERCHANT, body)[1]

    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(one, range(4)))
    assert created.count(True) == 1
    assert session.scalar(select(func.count()).select_from(Ticket)) == 1
