"""Issuance limits and rate limits: a minimum interval per ticket, counters per event and key.

Proof tokens (the costly thing: each one is a proof) are limited in the database, so the
limits hold across worker processes and API replicas:

- `reserve_token_interval`: one conditional UPDATE of tickets.last_token_at; no row changed
  means the ticket got a token less than `min_token_interval_seconds` ago.
- `count_requests`: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING that increments every
  counter of the request (the event's, the key's) in its fixed one-minute window.

Both run inside plan_token's transaction: a refusal raises, the transaction rolls back, and a
refused request neither counts nor moves last_token_at. On SQLite that transaction already
holds the write lock (api/db.py), so the limiter adds statements, not lock round trips.

Verify is limited per gate key by `GateLimiter`: a per-process token bucket refuses a flood
without touching the database, and behind it each process leases the key's quota from the
same fixed-window counters in chunks (1/20 of the limit), so the gate's hot path writes once
per chunk, not once per scan, and the per-minute limit still holds across processes.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.models import RateCounter, Ticket

WINDOW_SECONDS = 60

RATE_LIMITED = "rate_limited"
TOKEN_INTERVAL = "token_interval"


class RateLimited(ApiError):
    """429 with Retry-After (whole seconds, >= 1); proof-token refusals say eligible: false."""

    status, code = 429, RATE_LIMITED

    def __init__(
        self, message: str, retry_after: int, *, code: str = RATE_LIMITED, ineligible: bool = False
    ) -> None:
        extra: dict[str, Any] = {"eligible": False, "reason": code} if ineligible else {}
        super().__init__(message, code=code, headers={"Retry-After": str(retry_after)}, extra=extra)
        self.retry_after = retry_after


def retry_after_seconds(seconds: float) -> int:
    """A Retry-After value: whole seconds, rounded up, at least 1."""
    return max(1, math.ceil(seconds - 1e-9))


def reserve_token_interval(
    session: Session, ticket_pk: int, interval_seconds: int, now: datetime
) -> None:
    """Record a token for the ticket at `now`, or refuse (429 token_interval) if too soon."""
    threshold = now - timedelta(seconds=interval_seconds)
    stmt = (
        update(Ticket)
        .where(Ticket.id == ticket_pk)
        .where(Ticket.last_token_at.is_(None) | (Ticket.last_token_at <= threshold))
        .values(last_token_at=now)
        .execution_options(synchronize_session=False)
    )
    # Atomic on both databases: a concurrent mint for the same ticket waits on the row lock,
    # then sees the new last_token_at and changes nothing.
    if session.execute(stmt).rowcount == 1:  # type: ignore[attr-defined]
        return
    last = session.scalar(select(Ticket.last_token_at).where(Ticket.id == ticket_pk))
    wait = (last - threshold).total_seconds() if last is not None else 1.0
    raise RateLimited(
        f"this ticket got a token less than {interval_seconds} s ago",
        retry_after_seconds(wait),
        code=TOKEN_INTERVAL,
        ineligible=True,
    )


@dataclass(frozen=True)
class Limit:
    """One counter of a request and the most it may reach within a window."""

    key: str
    per_minute: int
    what: str


def window_start(now: datetime) -> int:
    """The start (epoch seconds) of the fixed window `now` falls in."""
    epoch = int(now.timestamp())
    return epoch - epoch % WINDOW_SECONDS


def increment(session: Session, keys: list[str], start: int, amount: int = 1) -> dict[str, int]:
    """Add `amount` to each key's counter of the window at `start`; the new counts."""
    # Counters are locked in one global order (sorted keys): two requests never deadlock.
    ordered = sorted(keys)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [{"key": key, "window_start": start, "count": amount} for key in ordered]
    stmt = (
        insert(RateCounter)
        .values(rows)
        .on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window_start],
            set_={"count": RateCounter.count + amount},
        )
        .returning(RateCounter.key, RateCounter.count)
    )
    counts = {key: count for key, count in session.execute(stmt).all()}
    fresh = [key for key, count in counts.items() if count == amount]
    if fresh:
        # A new window for these keys: drop their old ones (at most one row per key remains).
        session.execute(
            delete(RateCounter)
            .where(RateCounter.key.in_(fresh), RateCounter.window_start < start)
            .execution_options(synchronize_session=False)
        )
    return counts


def window_left(start: int, now: datetime) -> int:
    """Retry-After for a refusal in the window at `start`: until the next window."""
    return retry_after_seconds(start + WINDOW_SECONDS - now.timestamp())


def count_requests(session: Session, limits: list[Limit], now: datetime) -> None:
    """Count this request against every limit in one statement; 429 if any is over."""
    if not limits:
        return
    start = window_start(now)
    counts = increment(session, [lim.key for lim in limits], start)
    over = [lim for lim in sorted(limits, key=lambda x: x.key) if counts[lim.key] > lim.per_minute]
    if over:
        raise RateLimited(
            f"{over[0].what}: more than {over[0].per_minute} a minute",
            window_left(start, now),
            ineligible=True,
        )


def token_limits(event_pk: int, key_id: str, per_event: int, per_key: int) -> list[Limit]:
    """The counters a proof-token request for the event counts against."""
    return [
        Limit(f"event:{event_pk}:tokens", per_event, "proof tokens for this event"),
        Limit(f"key:{key_id}:event:{event_pk}:tokens", per_key, "proof tokens for this key"),
    ]


class GateLimiter:
    """Verify's limit per gate key: a local token bucket, then a quota leased from the database.

    The bucket (per process: `per_minute` sustained, bursts of BURST_SECONDS worth) refuses a
    flood without touching the database. Behind it, each process leases the key's requests
    from the database's fixed-window counter in chunks of 1/LEASE_PARTS of the limit: one
    write per chunk, not per scan, and the limit holds across processes and replicas (a
    process's unspent lease is lost at the window's end: never more, at worst a little fewer).
    """

    BURST_SECONDS = 10
    LEASE_PARTS = 20
    # Beyond this many buckets, full ones (the same as no bucket) are dropped.
    MAX_BUCKETS = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key_id -> (tokens, at, rate per second, capacity)
        self._buckets: dict[str, tuple[float, float, float, float]] = {}
        # key_id -> (window start, requests left of the lease; -1: the window is spent)
        self._leases: dict[str, tuple[int, int]] = {}

    @classmethod
    def capacity(cls, per_minute: int) -> float:
        """The largest burst a key may send at once (per process)."""
        return max(1.0, per_minute * cls.BURST_SECONDS / 60)

    @classmethod
    def lease_size(cls, per_minute: int) -> int:
        """How many requests a process leases from the database at once."""
        return max(1, per_minute // cls.LEASE_PARTS)

    def take(
        self, key_id: str, per_minute: int, now: datetime, session: Session | None = None
    ) -> None:
        """Admit one request of the key, or refuse with 429 rate_limited.

        With a session, the request is also counted against the key's shared quota; a new
        lease is committed at once (the caller's transaction holds nothing worth keeping yet).
        """
        self._take_burst(key_id, per_minute, now)
        if session is not None:
            self._take_lease(session, key_id, per_minute, now)

    def _take_burst(self, key_id: str, per_minute: int, now: datetime) -> None:
        rate = per_minute / 60
        capacity = self.capacity(per_minute)
        t = now.timestamp()
        with self._lock:
            tokens, last, _, _ = self._buckets.get(key_id, (capacity, t, rate, capacity))
            # A clock that stepped back refills nothing, then or later.
            tokens = min(capacity, tokens + max(0.0, t - last) * rate)
            last = max(last, t)
            if tokens < 1.0:
                self._buckets[key_id] = (tokens, last, rate, capacity)
                raise self._refusal(per_minute, retry_after_seconds((1.0 - tokens) / rate))
            self._buckets[key_id] = (tokens - 1.0, last, rate, capacity)
            if len(self._buckets) > self.MAX_BUCKETS:
                self._prune(t)

    def _take_lease(self, session: Session, key_id: str, per_minute: int, now: datetime) -> None:
        start = window_start(now)
        with self._lock:
            window, left = self._leases.get(key_id, (start, 0))
            if window == start and left != 0:
                if left < 0:
                    raise self._refusal(per_minute, window_left(start, now))
                self._leases[key_id] = (start, left - 1)
                return
        # Outside the lock: a database round trip must not stall the process's other scans.
        # The caller's transaction first ends: it may be a read-only snapshot (verify's).
        session.commit()
        chunk = self.lease_size(per_minute)
        count = increment(session, [f"key:{key_id}:verify"], start, chunk)[f"key:{key_id}:verify"]
        granted = max(0, min(chunk, per_minute - (count - chunk)))
        if granted:
            session.commit()
        with self._lock:
            window, left = self._leases.get(key_id, (start, 0))
            left = max(0, left) if window == start else 0
            # Granted nothing: the window is spent for every process; remember it locally.
            self._leases[key_id] = (start, left + granted - 1 if granted else -1)
        if not granted:
            raise self._refusal(per_minute, window_left(start, now))

    @staticmethod
    def _refusal(per_minute: int, retry_after: int) -> RateLimited:
        return RateLimited(
            f"this gate key sent more than {per_minute} requests a minute", retry_after
        )

    def _prune(self, t: float) -> None:
        # A bucket refilled by now is the same as no bucket at all; old leases are worthless.
        for key, (tokens, last, rate, capacity) in list(self._buckets.items()):
            if tokens + max(0.0, t - last) * rate >= capacity:
                del self._buckets[key]
        current = window_start(datetime.fromtimestamp(t, UTC))
        for key, (window, _) in list(self._leases.items()):
            if window != current:
                del self._leases[key]
