"""Transfers and resale: request, approve, reject; a completed transfer re-keys the ticket.

A completed transfer, in one transaction with the ticket's update: fresh salt and holder
secret, the new holder's keyed hash, the old leaf cleared (0) and the new leaf appended to the
event's tree, and every nullifier the server minted for the ticket so far marked superseded,
so tokens minted before the transfer are rejected at once (`transferred`) and the old holder
can no longer get a token (`holder_mismatch`). ticket_transfers keeps the history with holder
hashes only.

Writers of one ticket (transfer, approve, reject, revoke) queue on the ticket's row lock
(SELECT ... FOR NO KEY UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serializes writers), then
take the event's tree lock (api.services.merkle): always in that order.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from api.auth import Principal, require_merchant
from api.config import Settings
from api.errors import ApiError, NotFound
from api.fields import scope_field
from api.models import Ticket, TicketNullifier, TicketState, TicketTransfer, TransferStatus
from api.schemas import Money, TicketTransferredOut, TransferOut, TransferRequest
from api.security import TicketSecrets, encrypt_secrets
from api.services import webhooks
from api.services.merkle import MerkleStore, TreeFull, to_hex
from api.services.tickets import (
    SECRETS_KEY_PURPOSE,
    get_own_ticket,
    hash_holder,
    leaf_of,
    lock_ticket,
    ticket_secrets,
    ticket_view,
)
from api.services.transfer_rules import ticket_rules
from api.timeutil import utcnow
from circuits.ticket import nullifier

# The channel a merchant_channel_only resale must name.
MERCHANT_CHANNEL = "merchant"


class TransferRefused(ApiError):
    """The rules or the ticket's state forbid this transfer: {"error": {code, message}}."""

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message, code=code)
        self.status = status


def check_rules(ticket: Ticket, price: Money | None, channel: str | None) -> bool:
    """Refuse what the ticket's rules forbid; True when the transfer needs approval."""
    transfer, resale = ticket_rules(ticket)
    if transfer.policy == "disabled":
        raise TransferRefused("transfer_disabled", "this ticket may not be transferred")
    if transfer.max_transfers is not None and ticket.transfer_count >= transfer.max_transfers:
        raise TransferRefused(
            "transfer_limit_reached",
            f"the ticket was transferred {ticket.transfer_count} times, the most allowed",
            409,
        )
    if price is not None:  # a transfer with a price is a resale
        if resale.policy == "disabled":
            raise TransferRefused("resale_disabled", "this ticket may not be resold")
        if resale.policy == "merchant_channel_only" and channel != MERCHANT_CHANNEL:
            raise TransferRefused(
                "resale_channel_not_allowed",
                f"this ticket may be resold only through the merchant's channel "
                f'(channel "{MERCHANT_CHANNEL}")',
            )
        cap = resale.price_cap
        if cap is not None and price.currency != cap.currency:
            raise TransferRefused("currency_mismatch", f"the resale price cap is in {cap.currency}")
        if cap is not None and price.minor > cap.minor:
            raise TransferRefused(
                "price_above_cap", f"the resale price cap is {cap.amount} {cap.currency}"
            )
    return transfer.policy == "requires_approval"


def _load_transfer(session: Session, transfer_id: str) -> TicketTransfer | None:
    query = (
        select(TicketTransfer)
        .where(TicketTransfer.transfer_id == transfer_id)
        .options(joinedload(TicketTransfer.ticket).joinedload(Ticket.event))
    )
    return session.scalars(query).first()


def get_own_transfer(session: Session, principal: Principal, transfer_id: str) -> TicketTransfer:
    """The transfer if the caller's merchant owns its ticket: 404 if missing, 403 if another's."""
    record = _load_transfer(session, transfer_id)
    if record is None:
        raise NotFound(f"transfer {transfer_id!r} not found")
    require_merchant(principal, record.ticket.event.merchant_id)
    return record


def _price(record: TicketTransfer) -> Money | None:
    if record.price_minor is None or record.currency is None:
        return None
    return Money.from_minor(record.price_minor, record.currency)


def _repeat(
    settings: Settings, ticket: Ticket, record: TicketTransfer, body: TransferRequest
) -> TicketTransfer:
    """A transfer_id seen before: the same request again is answered as before, else 409."""
    same = (
        record.ticket_pk == ticket.id
        and hmac.compare_digest(record.to_holder_hash, hash_holder(settings, body.to_holder_id))
        and _price(record) == _canonical_price(body.price)
        and record.channel == body.channel
    )
    if not same:
        raise TransferRefused(
            "transfer_id_reused", "transfer_id was used for another transfer", 409
        )
    if record.status is TransferStatus.REJECTED:
        raise TransferRefused("transfer_rejected", "this transfer was rejected", 409)
    return record


def _canonical_price(price: Money | None) -> Money | None:
    return Money.from_minor(price.minor, price.currency) if price is not None else None


def request_transfer(
    session: Session,
    settings: Settings,
    principal: Principal,
    ticket_id: str,
    body: TransferRequest,
) -> tuple[Ticket, TicketTransfer]:
    """Transfer at once, or record a pending transfer where the rules want approval."""
    ticket = get_own_ticket(session, principal, ticket_id)
    lock_ticket(session, ticket)
    # After the lock: an identical request that held it first has committed its transfer.
    if body.transfer_id is not None:
        seen = _load_transfer(session, body.transfer_id)
        if seen is not None:
            return ticket, _repeat(settings, ticket, seen, body)
    if ticket.state is TicketState.REVOKED:
        raise TransferRefused("ticket_revoked", f"ticket {ticket_id!r} was revoked", 409)
    pending = select(TicketTransfer.id).where(
        TicketTransfer.ticket_pk == ticket.id, TicketTransfer.status == TransferStatus.PENDING
    )
    if session.scalar(select(exists(pending))):
        raise TransferRefused(
            "transfer_pending", "the ticket has a transfer waiting for approval", 409
        )
    to_hash = hash_holder(settings, body.to_holder_id)
    if ticket.holder_hash is not None and hmac.compare_digest(to_hash, ticket.holder_hash):
        raise TransferRefused("same_holder", "the ticket already belongs to this holder", 409)
    needs_approval = check_rules(ticket, body.price, body.channel)
    now = utcnow()
    record = TicketTransfer(
        transfer_id=body.transfer_id or f"tr-{secrets.token_hex(12)}",
        ticket=ticket,
        from_holder_hash=ticket.holder_hash,
        to_holder_hash=to_hash,
        price_minor=body.price.minor if body.price else None,
        currency=body.price.currency if body.price else None,
        channel=body.channel,
        status=TransferStatus.PENDING,
        created_at=now,
    )
    session.add(record)
    if not needs_approval:
        _complete(session, settings, ticket, record, now)
    else:
        webhooks.on_transfer_pending(session, record)
    try:
        session.commit()
    except IntegrityError:
        # Lost a race with the same transfer_id: answer as the retry we turned out to be.
        session.rollback()
        seen = _load_transfer(session, record.transfer_id)
        if seen is None:
            raise
        return ticket, _repeat(settings, ticket, seen, body)
    return ticket, record


def _complete(
    session: Session, settings: Settings, ticket: Ticket, record: TicketTransfer, now: datetime
) -> None:
    """Re-key the ticket to the new holder (the caller holds the ticket's lock and commits)."""
    fresh = TicketSecrets.generate()
    ticket.secrets_blob = encrypt_secrets(
        settings.subkey(SECRETS_KEY_PURPOSE), ticket.ticket_id, fresh
    )
    ticket.holder_hash = record.to_holder_hash
    # A wallet-bound ticket becomes bound to the new holder's account: the server cannot know
    # the new holder's wallet secret (the old wallet's tokens end with the root window).
    ticket.holder_commitment = None
    event = ticket.event
    tree = MerkleStore(settings.merkle_depth)
    try:
        if ticket.leaf_index is not None:
            tree.set_leaf(session, event, ticket.leaf_index, 0)
        ticket.leaf_index = tree.append_leaf(session, event, leaf_of(ticket, event.event_id, fresh))
    except TreeFull:
        session.rollback()
        raise TransferRefused(
            "tree_full", "the event's tree has no free leaf for the new holder", 409
        ) from None
    session.execute(
        update(TicketNullifier)
        .where(TicketNullifier.ticket_pk == ticket.id, TicketNullifier.superseded_at.is_(None))
        .values(superseded_at=now)
    )
    ticket.transfer_count += 1
    record.status = TransferStatus.COMPLETED
    record.settled_at = now


def _settle(session: Session, principal: Principal, transfer_id: str) -> TicketTransfer:
    """The transfer and its ticket, reloaded under the ticket's lock."""
    record = get_own_transfer(session, principal, transfer_id)
    lock_ticket(session, record.ticket)
    session.refresh(record)
    return record


def approve_transfer(
    session: Session, settings: Settings, principal: Principal, transfer_id: str
) -> TicketTransfer:
    """Complete a pending transfer (approving a completed one again is a no-op)."""
    record = _settle(session, principal, transfer_id)
    ticket = record.ticket
    if record.status is TransferStatus.COMPLETED:
        return record
    if record.status is TransferStatus.REJECTED:
        raise TransferRefused("transfer_rejected", "this transfer was rejected", 409)
    if ticket.state is TicketState.REVOKED:
        raise TransferRefused("ticket_revoked", f"ticket {ticket.ticket_id!r} was revoked", 409)
    check_rules(ticket, _price(record), record.channel)
    _complete(session, settings, ticket, record, utcnow())
    session.commit()
    return record


def reject_transfer(session: Session, principal: Principal, transfer_id: str) -> TicketTransfer:
    """Reject a pending transfer (rejecting a rejected one again is a no-op)."""
    record = _settle(session, principal, transfer_id)
    if record.status is TransferStatus.REJECTED:
        return record
    if record.status is TransferStatus.COMPLETED:
        raise TransferRefused("transfer_completed", "this transfer was completed", 409)
    record.status = TransferStatus.REJECTED
    record.settled_at = utcnow()
    session.commit()
    return record


def superseded(session: Session, settings: Settings, named: TicketNullifier, scope: str) -> bool:
    """Whether a nullifier the server minted belongs to a holder the ticket was transferred from."""
    if named.superseded_at is not None:
        return True
    ticket = session.get(Ticket, named.ticket_pk)
    if ticket is None or ticket.transfer_count == 0:
        return False
    # A mint that read the old secrets before a transfer committed, and recorded its nullifier
    # after, escaped the marking: only the current secrets' nullifier is the ticket's now.
    held = ticket_secrets(settings, ticket)
    current = nullifier(held.holder_secret, held.salt, scope_field(scope))
    return not hmac.compare_digest(to_hex(current), named.nullifier)


def transfer_view(record: TicketTransfer) -> TransferOut:
    """The public view of a transfer: no holder ids or hashes."""
    return TransferOut(
        transfer_id=record.transfer_id,
        ticket_id=record.ticket.ticket_id,
        status=record.status.value,
        price=_price(record),
        channel=record.channel,
        created_at=record.created_at,
        settled_at=record.settled_at,
    )


def transferred_view(ticket: Ticket, record: TicketTransfer) -> TicketTransferredOut:
    """The ticket after a completed transfer, with the transfer's id."""
    return TicketTransferredOut(**ticket_view(ticket).model_dump(), transfer_id=record.transfer_id)
