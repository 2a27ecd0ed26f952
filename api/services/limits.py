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

Verify is limited per gate key in memory (`GateLimiter`, a token bucket per key and process):
the gate's hot path gets no extra write. The trade-off (see docs/api.md): with N processes a
gate key may reach N times its limit; the limit exists to stop a runaway or stolen key from
burning CPU on pairings, which a per-process bound does.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
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


def count_requests(session: Session, limits: list[Limit], now: datetime) -> None:
    """Count this request against every limit in one statement; 429 if any is over."""
    if not limits:
        return
    start = window_start(now)
    # Counters are locked in one global order (sorted keys): two requests never deadlock.
    ordered = sorted(limits, key=lambda lim: lim.key)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    rows = [{"key": lim.key, "window_start": start, "count": 1} for lim in ordered]
    stmt = (
        insert(RateCounter)
        .values(rows)
        .on_conflict_do_update(
            index_elements=[RateCounter.key, RateCounter.window_start],
            set_={"count": RateCounter.count + 1},
        )
        .returning(RateCounter.key, RateCounter.count)
    )
    counts = {key: count for key, count in session.execute(stmt).all()}
    fresh = [key for key, count in counts.items() if count == 1]
    if fresh:
        # A new window for these keys: drop their old ones (at most one row per key remains).
        session.execute(
            delete(RateCounter)
            .where(RateCounter.key.in_(fresh), RateCounter.window_start < start)
            .execution_options(synchronize_session=False)
        )
    over = [lim for lim in ordered if counts[lim.key] > lim.per_minute]
    if over:
        ends = start + WINDOW_SECONDS - now.timestamp()
        raise RateLimited(
            f"{over[0].what}: more than {over[0].per_minute} a minute",
            retry_after_seconds(ends),
            ineligible=True,
        )


def token_limits(event_pk: int, key_id: str, per_event: int, per_key: int) -> list[Limit]:
    """The counters a proof-token request for the event counts against."""
    return [
        Limit(f"event:{event_pk}:tokens", per_event, "proof tokens for this event"),
        Limit(f"key:{key_id}:event:{event_pk}:tokens", per_key, "proof tokens for this key"),
    ]


class GateLimiter:
    """Per-process token buckets for gate keys: `per_minute` sustained, bursts of 10 s worth."""

    BURST_SECONDS = 10
    # Beyond this many buckets, full ones (the same as no bucket) are dropped.
    MAX_BUCKETS = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key_id -> (tokens, at, rate per second, capacity)
        self._buckets: dict[str, tuple[float, float, float, float]] = {}

    @classmethod
    def capacity(cls, per_minute: int) -> float:
        """The largest burst a key may send at once."""
        return max(1.0, per_minute * cls.BURST_SECONDS / 60)

    def take(self, key_id: str, per_minute: int, now: datetime) -> None:
        """Spend one request of the key's bucket, or refuse with 429 rate_limited."""
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
                raise RateLimited(
                    f"this gate key sent more than {per_minute} requests a minute",
                    retry_after_seconds((1.0 - tokens) / rate),
                )
            self._buckets[key_id] = (tokens - 1.0, last, rate, capacity)
            if len(self._buckets) > self.MAX_BUCKETS:
                self._prune(t)

    def _prune(self, t: float) -> None:
        # A bucket refilled by now is the same as no bucket at all.
        for key, (tokens, last, rate, capacity) in list(self._buckets.items()):
            if tokens + max(0.0, t - last) * rate >= capacity:
                del self._buckets[key]
