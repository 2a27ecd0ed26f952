"""Merchants' webhooks: registration, signing secrets, and the transactional outbox.

`enqueue` adds one webhook_deliveries row per matching webhook to the caller's session, so the
row commits or rolls back with the action it reports (a consumption, a pending transfer, a
revocation). api/webhook_worker.py delivers the rows. Payloads carry ids, tiers and timestamps,
never holder ids or hashes, nullifiers or tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from api.auth import Principal, require_merchant
from api.config import Settings
from api.driver_sql import DriverStatement
from api.errors import Conflict, NotFound, Unprocessable
from api.models import Event, Ticket, TicketTransfer, Webhook, WebhookDelivery, table
from api.schemas import WEBHOOK_KINDS, WebhookCreate, WebhookCreated, WebhookOut
from api.timeutil import format_ts, utcnow

SECRET_KEY_PURPOSE = "webhook-secrets"
MAX_WEBHOOKS_PER_MERCHANT = 10
CONSUMED = "ticket.consumed"
TRANSFER_PENDING = "transfer.pending"
REVOKED = "ticket.revoked"

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def webhook_secret(settings: Settings, webhook_id: str) -> str:
    """The webhook's signing secret: derived from the service key, so nothing secret is stored."""
    digest = hmac.new(settings.subkey(SECRET_KEY_PURPOSE), webhook_id.encode(), hashlib.sha256)
    return "whsec_" + digest.hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-TicketKing-Signature value: v1=hex HMAC-SHA256(secret, timestamp + "." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def is_private_host(host: str) -> bool:
    """Whether a URL host names this machine or a private, link-local or reserved address."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a DNS name: the worker checks what it resolves to at delivery
    return is_private_address(address)


def is_private_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_url(settings: Settings, url: str) -> str:
    """The URL if webhooks may be sent to it (422 otherwise)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise Unprocessable("url: not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise Unprocessable("url: must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise Unprocessable("url: must not carry credentials")
    if any(c.isspace() for c in url):
        raise Unprocessable("url: must not contain whitespace")
    if not settings.webhooks_allow_private and is_private_host(host):
        raise Unprocessable("url: private and loopback addresses are not allowed")
    return url


def create_webhook(
    session: Session, settings: Settings, principal: Principal, body: WebhookCreate
) -> WebhookCreated:
    """Register a webhook for the caller's merchant; the answer shows the secret once."""
    merchant_id = require_merchant_id(principal)
    url = check_url(settings, body.url)
    count = session.scalar(
        select(func.count()).select_from(Webhook).where(Webhook.merchant_id == merchant_id)
    )
    if (count or 0) >= MAX_WEBHOOKS_PER_MERCHANT:
        raise Conflict(
            f"a merchant may have {MAX_WEBHOOKS_PER_MERCHANT} webhooks", code="webhook_limit"
        )
    kinds = body.events or list(WEBHOOK_KINDS)
    hook = Webhook(
        webhook_id=f"wh-{secrets.token_hex(12)}",
        merchant_id=merchant_id,
        url=url,
        events=[k for k in WEBHOOK_KINDS if k in kinds],
        created_at=utcnow(),
    )
    session.add(hook)
    session.commit()
    return WebhookCreated(
        **webhook_view(hook).model_dump(), secret=webhook_secret(settings, hook.webhook_id)
    )


def require_merchant_id(principal: Principal) -> str:
    """The merchant a merchant key acts for."""
    if principal.merchant_id is None:
        raise NotFound("no merchant")
    return principal.merchant_id


def list_webhooks(session: Session, principal: Principal) -> list[Webhook]:
    """The caller's merchant's webhooks, oldest first."""
    query = (
        select(Webhook)
        .where(Webhook.merchant_id == require_merchant_id(principal))
        .order_by(Webhook.id)
    )
    return list(session.scalars(query))


def delete_webhook(session: Session, principal: Principal, webhook_id: str) -> None:
    """Delete one of the merchant's webhooks and its deliveries (pending ones are dropped)."""
    hook = session.scalars(select(Webhook).where(Webhook.webhook_id == webhook_id)).first()
    if hook is None:
        raise NotFound(f"webhook {webhook_id!r} not found")
    require_merchant(principal, hook.merchant_id)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_pk == hook.id))
    session.delete(hook)
    session.commit()


def webhook_view(hook: Webhook) -> WebhookOut:
    """The public view of a webhook (no secret)."""
    return WebhookOut(
        webhook_id=hook.webhook_id,
        url=hook.url,
        events=hook.events,  # type: ignore[arg-type]
        created_at=hook.created_at,
    )


def enqueue(
    session: Session,
    merchant_id: str,
    kind: str,
    payload: dict[str, Any],
    now: datetime | None = None,
) -> int:
    """Add a delivery per webhook of the merchant that wants `kind`; the caller commits.

    Returns the number of rows added (0 when no webhook wants the event).
    """
    return _add(session, _wanting(session, merchant_id, kind), kind, payload, now)


def _wanting(session: Session, merchant_id: str, kind: str) -> list[Any]:
    """Ids of the merchant's webhooks that want `kind` (one indexed query; usually none)."""
    if kind not in WEBHOOK_KINDS:
        raise ValueError(f"unknown webhook event {kind!r}")
    # No autoflush: the caller's pending rows (e.g. a transfer whose id may collide) must fail
    # where the caller handles it, at its own flush or commit, not inside this query.
    with session.no_autoflush:
        hooks = _MERCHANT_HOOKS.rows(session, {"merchant_id": merchant_id})
        return [hook for hook in hooks if kind in hook.events]


# FOR KEY SHARE (PostgreSQL): a concurrent DELETE of a webhook waits for this transaction, then
# cascades to its new delivery, instead of failing the reported action on the FK. Built once:
# every accepted scan asks, so it reads two columns (no ORM rows).
_HOOKS = table(Webhook)
_MERCHANT_HOOKS = DriverStatement(
    select(_HOOKS.c.id, _HOOKS.c.events)
    .where(_HOOKS.c.merchant_id == bindparam("merchant_id"))
    .with_for_update(read=True, key_share=True)
)


def _add(
    session: Session,
    hooks: list[Any],
    kind: str,
    payload: dict[str, Any],
    now: datetime | None,
) -> int:
    now = now or utcnow()
    added = 0
    for hook in hooks:
        delivery_id = f"whd-{secrets.token_hex(12)}"
        body = {
            "delivery_id": delivery_id,
            "type": kind,
            "created_at": format_ts(now),
            "data": payload,
        }
        session.add(
            WebhookDelivery(
                delivery_id=delivery_id,
                webhook_pk=hook.id,
                kind=kind,
                body=json.dumps(body, separators=(",", ":"), sort_keys=True),
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        added += 1
    return added


def on_consumed(
    session: Session,
    event_pk: int,
    ticket_pk: int | None,
    gate_id: str,
    scope: str,
    at: datetime,
    merchant_id: str | None = None,
) -> None:
    """Enqueue ticket.consumed for an accepted entry (in the consumption's transaction).

    On the gate's hot path: with the event's merchant_id given, one indexed query when no
    webhook wants the event (the usual case), and nothing else.
    """
    if merchant_id is None:
        merchant_id = session.scalar(select(Event.merchant_id).where(Event.id == event_pk))
        if merchant_id is None:
            return
    hooks = _wanting(session, merchant_id, CONSUMED)
    if not hooks:
        return
    event_id = session.scalar(select(Event.event_id).where(Event.id == event_pk))
    ticket = session.get(Ticket, ticket_pk) if ticket_pk is not None else None
    payload = {
        "event_id": event_id,
        # None for tokens the server did not mint (wallet tokens): it cannot name their ticket.
        "ticket_id": ticket.ticket_id if ticket is not None else None,
        "tier": ticket.tier if ticket is not None else None,
        "gate_id": gate_id,
        "scope": scope,
        "consumed_at": format_ts(at),
    }
    _add(session, hooks, CONSUMED, payload, at)


def on_transfer_pending(session: Session, record: TicketTransfer) -> None:
    """Enqueue transfer.pending for a transfer that waits for approval."""
    ticket = record.ticket
    payload = {
        "event_id": ticket.event.event_id,
        "ticket_id": ticket.ticket_id,
        "transfer_id": record.transfer_id,
        "tier": ticket.tier,
        "created_at": format_ts(record.created_at),
    }
    enqueue(session, ticket.event.merchant_id, TRANSFER_PENDING, payload, record.created_at)


def on_revoked(session: Session, ticket: Ticket) -> None:
    """Enqueue ticket.revoked (in the revocation's transaction)."""
    at = ticket.revoked_at or utcnow()
    payload = {
        "event_id": ticket.event.event_id,
        "ticket_id": ticket.ticket_id,
        "tier": ticket.tier,
        "revoked_at": format_ts(at),
    }
    enqueue(session, ticket.event.merchant_id, REVOKED, payload, at)
