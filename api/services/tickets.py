"""Tickets: issue (idempotent), read, revoke. Secrets sealed, holder ids hashed."""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from api.auth import Principal, require_merchant
from api.config import Settings, get_settings
from api.errors import Conflict, NotFound
from api.fields import event_field, tier_field, validity_fields
from api.models import EventTier, Ticket, TicketState
from api.schemas import Binding, TicketCreate, TicketOut
from api.security import (
    TicketSecrets,
    decrypt_salt,
    decrypt_secrets,
    encrypt_salt,
    encrypt_secrets,
    holder_hash,
)
from api.services import webhooks
from api.services.events import get_own_event
from api.services.merkle import MerkleStore, TreeFull, from_hex
from api.services.transfer_rules import canonical, own_rules, rule_columns, ticket_rules
from api.timeutil import utcnow
from circuits.ticket import holder_commitment, ticket_leaf

HOLDER_KEY_PURPOSE = "holder-id-hmac"
SECRETS_KEY_PURPOSE = "ticket-secrets-aesgcm"


def hash_holder(settings: Settings, holder_id: str) -> str:
    """The keyed hash stored for a holder id."""
    return holder_hash(settings.subkey(HOLDER_KEY_PURPOSE), holder_id)


def ticket_secrets(settings: Settings, ticket: Ticket) -> TicketSecrets:
    """Decrypt a ticket's salt and holder secret (for the witness; never log them)."""
    if ticket.holder_commitment is not None:
        raise ValueError("a wallet-bound ticket has no custodial secrets (see wallet_salt)")
    return decrypt_secrets(
        settings.subkey(SECRETS_KEY_PURPOSE), ticket.ticket_id, ticket.secrets_blob
    )


def wallet_salt(settings: Settings, ticket: Ticket) -> int:
    """Decrypt a wallet-bound ticket's salt (its holder keeps the holder secret)."""
    if ticket.holder_commitment is None:
        raise ValueError("not a wallet-bound ticket")
    return decrypt_salt(settings.subkey(SECRETS_KEY_PURPOSE), ticket.ticket_id, ticket.secrets_blob)


def binding_of(ticket: Ticket) -> Binding:
    """How the ticket is bound to its holder: none, account (holder_id) or wallet."""
    if ticket.holder_commitment is not None:
        return "wallet"
    return "account" if ticket.holder_hash is not None else "none"


def holder_matches(settings: Settings, ticket: Ticket, holder_id: str | None) -> bool:
    """Whether holder_id is the one bound to the ticket (True for unbound tickets)."""
    if ticket.holder_hash is None:
        return True
    if holder_id is None:
        return False
    return hmac.compare_digest(hash_holder(settings, holder_id), ticket.holder_hash)


def leaf_of(ticket: Ticket, event_id: str, secrets: TicketSecrets) -> int:
    """The ticket's Merkle leaf (docs/api.md, "How tickets become leaves").

    A wallet-bound ticket's leaf takes the holder's commitment and ignores secrets.holder_secret.
    """
    if ticket.holder_commitment is not None:
        holder = from_hex(ticket.holder_commitment)
    else:
        holder = holder_commitment(secrets.holder_secret)
    return leaf_from(ticket, event_id, holder, secrets.salt)


def leaf_from(ticket: Ticket, event_id: str, holder: int, salt: int) -> int:
    """The ticket's Merkle leaf for a holder commitment and salt."""
    not_before, not_after = validity_fields(ticket.not_before, ticket.not_after)
    return ticket_leaf(
        holder,
        salt,
        event_field(event_id),
        tier_field(ticket.tier),
        not_before,
        not_after,
    )


def _load(session: Session, ticket_id: str) -> Ticket | None:
    query = select(Ticket).where(Ticket.ticket_id == ticket_id).options(joinedload(Ticket.event))
    return session.scalars(query).first()


def get_own_ticket(session: Session, principal: Principal, ticket_id: str) -> Ticket:
    """The ticket if the caller's merchant owns it: 404 if missing, 403 if another's."""
    ticket = _load(session, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket {ticket_id!r} not found")
    require_merchant(principal, ticket.event.merchant_id)
    return ticket


def lock_ticket(session: Session, ticket: Ticket) -> None:
    """Take the ticket's row lock (writers of one ticket queue here) and reload it."""
    session.execute(select(Ticket.id).where(Ticket.id == ticket.id).with_for_update(key_share=True))
    session.refresh(ticket)


def _same(settings: Settings, ticket: Ticket, body: TicketCreate) -> bool:
    if ticket.holder_hash is None:
        same_holder = body.holder_id is None
    else:
        same_holder = body.holder_id is not None and holder_matches(
            settings, ticket, body.holder_id
        )
    commitment = body.holder_commitment
    return (
        same_holder
        and ticket.holder_commitment == (commitment[2:] if commitment is not None else None)
        and ticket.event.event_id == body.event_id
        and ticket.tier == body.tier
        and ticket.not_before == body.not_before
        and ticket.not_after == body.not_after
        and own_rules(ticket) == canonical(body.transfer, body.resale)
    )


def _existing(
    settings: Settings, principal: Principal, ticket: Ticket, body: TicketCreate
) -> Ticket:
    require_merchant(principal, ticket.event.merchant_id)
    if not _same(settings, ticket, body):
        raise Conflict(f"ticket {body.ticket_id!r} already exists with other values")
    return ticket


def _seal(settings: Settings, body: TicketCreate, fresh: TicketSecrets) -> bytes:
    key = settings.subkey(SECRETS_KEY_PURPOSE)
    if body.holder_commitment is not None:
        # Wallet binding: the holder's secret is theirs; only the salt is kept.
        return encrypt_salt(key, body.ticket_id, fresh.salt)
    return encrypt_secrets(key, body.ticket_id, fresh)


class EventFull(Conflict):
    """The event's Merkle tree has no free leaf (2^merkle_depth tickets were issued)."""

    code = "event_full"


def issue_ticket(
    session: Session, settings: Settings, principal: Principal, body: TicketCreate
) -> tuple[Ticket, bool]:
    """Issue a ticket; the same body again returns it (created=False), another body is 409."""
    existing = _load(session, body.ticket_id)
    if existing is not None:
        return _existing(settings, principal, existing, body), False
    event = get_own_event(session, principal, body.event_id)
    fresh = TicketSecrets.generate()
    ticket = Ticket(
        ticket_id=body.ticket_id,
        event=event,
        tier=body.tier,
        not_before=body.not_before,
        not_after=body.not_after,
        holder_hash=hash_holder(settings, body.holder_id) if body.holder_id else None,
        secrets_blob=_seal(settings, body, fresh),
        # 0x + 64 hex digits after validation: stored as the 64 digits.
        holder_commitment=body.holder_commitment[2:] if body.holder_commitment else None,
        state=TicketState.ACTIVE,
        created_at=utcnow(),
        **rule_columns(body.transfer, body.resale),
    )
    session.add(ticket)
    try:
        # The leaf goes into the event's tree in the ticket's own transaction: both or neither.
        tree = MerkleStore(settings.merkle_depth)
        ticket.leaf_index = tree.append_leaf(session, event, leaf_of(ticket, event.event_id, fresh))
        # Under the tree's lock: no other writer of this event can add the same tier now.
        if session.get(EventTier, (event.id, body.tier)) is None:
            session.add(EventTier(event_pk=event.id, tier=body.tier))
        session.commit()
    except TreeFull:
        session.rollback()
        limit = 1 << settings.merkle_depth
        raise EventFull(f"event {body.event_id!r} is full: it holds {limit} tickets") from None
    except IntegrityError:
        session.rollback()
        existing = _load(session, body.ticket_id)
        if existing is None:
            raise
        return _existing(settings, principal, existing, body), False
    return ticket, True


def revoke_ticket(
    session: Session, principal: Principal, ticket_id: str, settings: Settings | None = None
) -> Ticket:
    """Revoke at once (idempotent): the ticket gets no more tokens, its tokens stop verifying.

    Its leaf becomes 0 in the same transaction, so no path reaches the new root from it.
    """
    ticket = get_own_ticket(session, principal, ticket_id)
    # Under the ticket's lock: a transfer committing meanwhile may have moved its leaf.
    lock_ticket(session, ticket)
    if ticket.state is not TicketState.REVOKED:
        ticket.state = TicketState.REVOKED
        ticket.revoked_at = utcnow()
        if ticket.leaf_index is not None:
            depth = (settings or get_settings()).merkle_depth
            MerkleStore(depth).set_leaf(session, ticket.event_pk, ticket.leaf_index, 0)
        webhooks.on_revoked(session, ticket)
        session.commit()
    return ticket


def ticket_view(ticket: Ticket) -> TicketOut:
    """The public view of a ticket: no holder id, hash or secrets."""
    return TicketOut(
        ticket_id=ticket.ticket_id,
        event_id=ticket.event.event_id,
        tier=ticket.tier,
        not_before=ticket.not_before,
        not_after=ticket.not_after,
        holder_bound=binding_of(ticket) != "none",
        binding=binding_of(ticket),
        state=ticket.state.value,
        created_at=ticket.created_at,
        revoked_at=ticket.revoked_at,
        transfer=ticket_rules(ticket)[0],
        resale=ticket_rules(ticket)[1],
        transfer_count=ticket.transfer_count,
    )
