"""Delivers the webhook outbox: claim due rows, POST them signed, retry with backoff.

Each API process runs one `WebhookWorker` (started in the app's lifespan). Several processes
share the outbox: a claim sets a lease (`locked_until`) on the rows it takes, under
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL (SQLite's BEGIN IMMEDIATE serializes claims),
so a row is sent by one process at a time; a process that dies mid-send leaves a lease that
expires and another process retries. Delivery is therefore at least once: receivers dedupe on
X-TicketKing-Delivery. The database is never held while sending.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.config import Settings
from api.models import Webhook, WebhookDelivery
from api.services.webhooks import (
    DELIVERED,
    FAILED,
    PENDING,
    is_private_address,
    is_private_host,
    sign,
    webhook_secret,
)
from api.timeutil import utcnow

log = logging.getLogger("ticketking.webhooks")

# Waits after the 1st, 2nd, ... failed attempt; the last one repeats.
BACKOFF_SECONDS: tuple[float, ...] = (5, 30, 120, 600, 3600)
# Longer than a send (timeout 5 s) with room: an expired lease means the sender died.
LEASE_SECONDS = 60
BATCH = 20


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds the lease of."""

    pk: int
    delivery_id: str
    kind: str
    body: str
    url: str
    webhook_id: str
    attempts: int
    lease: datetime


@dataclass(frozen=True)
class Outcome:
    """How one attempt went."""

    ok: bool
    status: int | None
    error: str | None


class UnsafeDestination(Exception):
    """The URL's host resolves to an address webhooks may not be sent to."""


class WebhookWorker:
    """Claims and sends due deliveries; `run` loops until `stop`."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
        backoff: Sequence[float] = BACKOFF_SECONDS,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.clock = clock
        self.backoff = tuple(backoff)
        self.client = httpx.AsyncClient(transport=transport, follow_redirects=False)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Run the loop as a task of the current event loop."""
        self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self, grace: float = 2.0) -> None:
        """Stop the loop (in-flight sends get `grace` seconds) and close the HTTP client."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._task, grace)
        await self.client.aclose()

    async def run(self) -> None:
        """Poll the outbox until stopped; errors are logged and the loop goes on."""
        while not self._stop.is_set():
            try:
                busy = await self.run_once()
            except Exception as exc:  # noqa: BLE001 - the worker must outlive a bad poll
                log.warning("webhook delivery poll failed: %s", type(exc).__name__)
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), self.settings.webhooks_poll_seconds)

    async def run_once(self) -> int:
        """Claim due deliveries, send them concurrently, record how each went; how many sent."""
        claimed = await asyncio.to_thread(self.claim)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self.send(c) for c in claimed))
        await asyncio.to_thread(self.finish_all, list(zip(claimed, outcomes, strict=True)))
        return len(claimed)

    def claim(self) -> list[Claimed]:
        """Lease up to BATCH due deliveries to this worker (one short transaction)."""
        with self.sessions() as session:
            now = self.clock()
            due = (
                select(WebhookDelivery.id)
                .where(
                    WebhookDelivery.status == PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    or_(
                        WebhookDelivery.locked_until.is_(None),
                        WebhookDelivery.locked_until <= now,
                    ),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
            ids = list(session.scalars(due))
            if not ids:
                session.rollback()
                return []
            lease = now + timedelta(seconds=LEASE_SECONDS)
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(ids))
                .values(locked_until=lease)
            )
            rows = session.execute(
                select(WebhookDelivery, Webhook.url, Webhook.webhook_id)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_pk)
                .where(WebhookDelivery.id.in_(ids))
            ).all()
            session.commit()
        return [
            Claimed(d.id, d.delivery_id, d.kind, d.body, url, hook_id, d.attempts, lease)
            for d, url, hook_id in rows
        ]

    async def send(self, claimed: Claimed) -> Outcome:
        """One signed POST; success is a 2xx within the timeout."""
        body = claimed.body.encode()
        timestamp = str(int(self.clock().timestamp()))
        secret = webhook_secret(self.settings, claimed.webhook_id)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "TicketKing-Webhooks/1",
            "X-TicketKing-Event": claimed.kind,
            "X-TicketKing-Delivery": claimed.delivery_id,
            "X-TicketKing-Timestamp": timestamp,
            "X-TicketKing-Signature": sign(secret, timestamp, body),
        }
        timeout = self.settings.webhooks_timeout_seconds
        try:
            if not self.settings.webhooks_allow_private:
                await _check_destination(claimed.url)
            response = await asyncio.wait_for(
                self.client.post(claimed.url, content=body, headers=headers, timeout=timeout),
                timeout,
            )
        except UnsafeDestination as exc:
            return Outcome(False, None, str(exc))
        except TimeoutError:
            return Outcome(False, None, "timeout")
        except httpx.HTTPError as exc:
            return Outcome(False, None, type(exc).__name__)
        if 200 <= response.status_code < 300:
            return Outcome(True, response.status_code, None)
        return Outcome(False, response.status_code, f"HTTP {response.status_code}")

    def finish_all(self, results: list[tuple[Claimed, Outcome]]) -> None:
        """Record each attempt: delivered, retry later, or failed after the last attempt."""
        with self.sessions() as session:
            now = self.clock()
            for claimed, outcome in results:
                attempts = claimed.attempts + 1
                values: dict[str, object] = {
                    "attempts": attempts,
                    "locked_until": None,
                    "last_status": outcome.status,
                    "last_error": outcome.error[:200] if outcome.error else None,
                }
                if outcome.ok:
                    values.update(status=DELIVERED, delivered_at=now)
                elif attempts >= self.settings.webhooks_max_attempts:
                    values.update(status=FAILED)
                    log.info("webhook delivery %s failed for good", claimed.delivery_id)
                else:
                    wait = self.backoff[min(attempts, len(self.backoff)) - 1]
                    values.update(next_attempt_at=now + timedelta(seconds=wait))
                # Only while our lease holds: a row re-leased by another process is theirs.
                session.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == claimed.pk,
                        WebhookDelivery.locked_until == claimed.lease,
                    )
                    .values(**values)
                )
            session.commit()


async def _check_destination(url: str) -> None:
    """Refuse hosts that are, or resolve to, private addresses (checked at every send)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if is_private_host(host):
        raise UnsafeDestination("private address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise UnsafeDestination("host does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if is_private_address(address):
            raise UnsafeDestination("host resolves to a private address")
