"""Issuance limits: the minimum interval per ticket, rate limits per event and per key (429)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from api.auth import Principal, authenticate
from api.config import Settings
from api.db import make_engine, make_sessionmaker, migrate
from api.models import RateCounter
from api.schemas import (
    DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE,
    DEFAULT_MERCHANT_KEY_REQUESTS_PER_MINUTE,
    DEFAULT_MIN_TOKEN_INTERVAL_SECONDS,
    DEFAULT_PROOF_TOKENS_PER_MINUTE,
    ProofTokenRequest,
)
from api.services.issuance import plan_token
from api.services.limits import GateLimiter, RateLimited
from tests.api.conftest import API, SQLITE_ONLY, Factory, GateCtx, MerchantCtx, auth, scan

# A window boundary (epoch seconds divisible by 60): the clocks below start here.
T0 = datetime(2026, 11, 24, 8, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def limits(interval: int = 0, **rates: int) -> dict[str, Any]:
    """Event body fields for the given limits."""
    return {"min_token_interval_seconds": interval, "rate_limits": rates}


class Minter:
    """plan_token on a fixed clock: the database part of POST /proof-token, without proving."""

    def __init__(self, session: Session, settings: Settings, key: str) -> None:
        self.session, self.settings = session, settings
        self.principal: Principal = authenticate(session, key)
        session.rollback()

    def __call__(self, ticket_id: str, now: datetime) -> RateLimited | None:
        """None if a token was planned, else the refusal."""
        try:
            plan_token(
                self.session,
                self.settings,
                self.principal,
                ProofTokenRequest(ticket_id=ticket_id),
                now,
            )
        except RateLimited as exc:
            self.session.rollback()
            return exc
        return None


def tickets(factory: Factory, merchant: MerchantCtx, event: dict, n: int) -> list[str]:
    return [factory.ticket(merchant, event["event_id"])["ticket_id"] for _ in range(n)]


# --- configuration ---------------------------------------------------------------------------


def test_defaults_are_shown_and_custom_limits_round_trip(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    body = factory.event_body()
    del body["min_token_interval_seconds"]
    r = client.post(f"{API}/events", json=body, headers=merchant.headers)
    assert r.status_code == 201, r.text
    assert r.json()["min_token_interval_seconds"] == DEFAULT_MIN_TOKEN_INTERVAL_SECONDS == 2
    assert r.json()["rate_limits"] == {
        "proof_tokens_per_minute": DEFAULT_PROOF_TOKENS_PER_MINUTE,
        "merchant_key_requests_per_minute": DEFAULT_MERCHANT_KEY_REQUESTS_PER_MINUTE,
        "gate_key_requests_per_minute": DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE,
    }
    custom = factory.event_body(**limits(5, proof_tokens_per_minute=100))
    r = client.post(f"{API}/events", json=custom, headers=merchant.headers)
    assert r.status_code == 201, r.text
    got = client.get(f"{API}/events/{custom['event_id']}", headers=merchant.headers).json()
    assert got == r.json()
    assert got["min_token_interval_seconds"] == 5
    assert got["rate_limits"]["proof_tokens_per_minute"] == 100
    assert (
        got["rate_limits"]["gate_key_requests_per_minute"] == DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE
    )
    # Creating it again is idempotent only with the same limits.
    assert client.post(f"{API}/events", json=custom, headers=merchant.headers).status_code == 200
    other = {**custom, **limits(5, proof_tokens_per_minute=101)}
    assert client.post(f"{API}/events", json=other, headers=merchant.headers).status_code == 409


@SQLITE_ONLY
@pytest.mark.parametrize(
    "over",
    [
        {"min_token_interval_seconds": -1},
        {"min_token_interval_seconds": 3601},
        {"min_token_interval_seconds": "2"},
        {"min_token_interval_seconds": 2.5},
        {"min_token_interval_seconds": None},
        {"rate_limits": {"proof_tokens_per_minute": 0}},
        {"rate_limits": {"proof_tokens_per_minute": -5}},
        {"rate_limits": {"proof_tokens_per_minute": 1_000_001}},
        {"rate_limits": {"merchant_key_requests_per_minute": 10**30}},
        {"rate_limits": {"gate_key_requests_per_minute": True}},
        {"rate_limits": {"gate_key_requests_per_minute": "600"}},
        {"rate_limits": {"requests_per_hour": 5}},
        {"rate_limits": []},
    ],
)
def test_invalid_limits_are_422(
    client: TestClient, factory: Factory, merchant: MerchantCtx, over: dict[str, Any]
) -> None:
    r = client.post(f"{API}/events", json=factory.event_body(**over), headers=merchant.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"


# --- proof tokens over HTTP ------------------------------------------------------------------


def refused(r: Any, code: str) -> int:
    """Assert a 429 refusal of a proof token; its Retry-After."""
    assert r.status_code == 429, r.text
    body = r.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    assert body["eligible"] is False and body["reason"] == code
    retry_after = r.headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 3600
    return int(retry_after)


def test_token_burst_hits_the_event_limit(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, **limits(0, proof_tokens_per_minute=2))
    ticket_ids = tickets(factory, merchant, event, 2)
    answers = [
        client.post(
            f"{API}/proof-token", json={"ticket_id": ticket_ids[i % 2]}, headers=merchant.headers
        )
        for i in range(5)
    ]
    # Even if the burst straddles a window edge (2 + 2 allowed), one of 5 is refused.
    statuses = [a.status_code for a in answers]
    assert statuses[:2] == [200, 200] and 429 in statuses, statuses
    for a in answers:
        if a.status_code == 429:
            assert refused(a, "rate_limited") <= 60


def test_minimum_interval_over_http(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, **limits(60))
    first, second = tickets(factory, merchant, event, 2)
    assert (
        client.post(
            f"{API}/proof-token", json={"ticket_id": first}, headers=merchant.headers
        ).status_code
        == 200
    )
    again = client.post(f"{API}/proof-token", json={"ticket_id": first}, headers=merchant.headers)
    assert 55 <= refused(again, "token_interval") <= 60
    # Another ticket of the event is not held back by this one.
    assert (
        client.post(
            f"{API}/proof-token", json={"ticket_id": second}, headers=merchant.headers
        ).status_code
        == 200
    )


# --- proof tokens on a clock (plan_token) ----------------------------------------------------


def test_minimum_interval_per_ticket(
    factory: Factory, merchant: MerchantCtx, session: Session, settings: Settings
) -> None:
    event = factory.event(merchant, **limits(5))
    one, two = tickets(factory, merchant, event, 2)
    mint = Minter(session, settings, merchant.key)
    assert mint(one, at(0)) is None
    too_soon = mint(one, at(1.2))
    assert too_soon is not None and too_soon.code == "token_interval"
    assert too_soon.retry_after == 4  # 3.8 s left, rounded up
    assert too_soon.headers == {"Retry-After": "4"}
    assert mint(two, at(1.2)) is None  # per ticket
    # A refused request did not move the ticket's last token: 5 s after the first one is fine.
    assert mint(one, at(5)) is None
    refusal = mint(one, at(9.9))
    assert refusal is not None and refusal.retry_after == 1
    assert mint(one, at(10)) is None


def test_default_interval_allows_a_rotating_qr(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    session: Session,
    settings: Settings,
) -> None:
    body = factory.event_body()
    del body["min_token_interval_seconds"]
    assert client.post(f"{API}/events", json=body, headers=merchant.headers).status_code == 201
    (ticket_id,) = tickets(factory, merchant, body, 1)
    mint = Minter(session, settings, merchant.key)
    # A QR refreshed every 5 s for ten minutes: never refused; twice a second is.
    assert all(mint(ticket_id, at(5 * i)) is None for i in range(120))
    assert mint(ticket_id, at(595.5)) is not None


def test_window_resets_and_retry_after(
    factory: Factory, merchant: MerchantCtx, session: Session, settings: Settings
) -> None:
    event = factory.event(merchant, **limits(0, proof_tokens_per_minute=2))
    (ticket_id,) = tickets(factory, merchant, event, 1)
    mint = Minter(session, settings, merchant.key)
    assert mint(ticket_id, at(10)) is None
    assert mint(ticket_id, at(20)) is None
    for t, wait in ((20, 40), (45.5, 15), (59.9, 1)):
        refusal = mint(ticket_id, at(t))
        assert refusal is not None and refusal.code == "rate_limited"
        assert refusal.retry_after == wait
        assert refusal.extra == {"eligible": False, "reason": "rate_limited"}
    # The next window starts empty.
    assert mint(ticket_id, at(60)) is None
    assert mint(ticket_id, at(61)) is None
    assert mint(ticket_id, at(62)) is not None
    # Old windows are pruned: one row per counter remains.
    rows = session.scalars(select(RateCounter.window_start)).all()
    assert set(rows) == {int(at(60).timestamp())}
    session.rollback()


def test_event_and_merchant_isolation(
    factory: Factory, merchant: MerchantCtx, session: Session, settings: Settings
) -> None:
    busy = factory.event(merchant, **limits(0, proof_tokens_per_minute=2))
    quiet = factory.event(merchant, **limits(0, proof_tokens_per_minute=2))
    other = factory.merchant("Other Tickets Ltd")
    theirs = factory.event(other, **limits(0, proof_tokens_per_minute=2))
    (busy_ticket,) = tickets(factory, merchant, busy, 1)
    (quiet_ticket,) = tickets(factory, merchant, quiet, 1)
    (their_ticket,) = tickets(factory, other, theirs, 1)
    mine, their_minter = (
        Minter(session, settings, merchant.key),
        Minter(session, settings, other.key),
    )
    results = [mine(busy_ticket, at(1)) for _ in range(5)]
    assert [r is None for r in results] == [True, True, False, False, False]
    # The burst on one event limits neither the merchant's other event nor another merchant.
    assert mine(quiet_ticket, at(2)) is None and mine(quiet_ticket, at(3)) is None
    assert their_minter(their_ticket, at(2)) is None
    assert their_minter(their_ticket, at(3)) is None


def test_per_key_limit(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    session: Session,
    settings: Settings,
) -> None:
    event = factory.event(
        merchant, **limits(0, proof_tokens_per_minute=3, merchant_key_requests_per_minute=2)
    )
    (ticket_id,) = tickets(factory, merchant, event, 1)
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=merchant.headers)
    assert r.status_code == 201, r.text
    first, second = (
        Minter(session, settings, merchant.key),
        Minter(session, settings, r.json()["api_key"]),
    )
    assert first(ticket_id, at(1)) is None and first(ticket_id, at(2)) is None
    refusal = first(ticket_id, at(3))
    assert refusal is not None and "this key" in refusal.message
    # The second key has its own budget, until the event's is spent.
    assert second(ticket_id, at(4)) is None
    refusal = second(ticket_id, at(5))
    assert refusal is not None and "this event" in refusal.message


def test_limits_hold_across_processes(
    factory: Factory, merchant: MerchantCtx, settings: Settings
) -> None:
    """Two engines (two API processes or replicas) racing: exactly the limit gets through."""
    event = factory.event(merchant, **limits(0, proof_tokens_per_minute=5))
    ticket_ids = tickets(factory, merchant, event, 12)
    engines = [make_engine(settings.resolved_database_url) for _ in range(2)]
    outcomes: list[RateLimited | None] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        with make_sessionmaker(engines[i % 2])() as session:
            result = Minter(session, settings, merchant.key)(ticket_ids[i], at(30))
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(12)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for engine in engines:
            engine.dispose()
    assert len(outcomes) == 12
    assert sum(o is None for o in outcomes) == 5
    assert all(o.code == "rate_limited" for o in outcomes if o is not None)


# --- gates -----------------------------------------------------------------------------------


def test_normal_gate_scan_rate_is_never_limited() -> None:
    limiter = GateLimiter()
    per_minute = DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE
    # One lane at one scan a second for two hours.
    for s in range(7200):
        limiter.take("lane-key", per_minute, at(s))
    # Ten lanes sharing one key, each at one scan a second, with a queue of 50 scanned at once.
    for _ in range(50):
        limiter.take("shared-key", per_minute, at(0))
    for s in range(1, 3600):
        for _ in range(10):
            limiter.take("shared-key", per_minute, at(s + 0.05))


def test_gate_burst_is_limited_per_key() -> None:
    limiter = GateLimiter()
    capacity = int(GateLimiter.capacity(600))
    assert capacity == 100
    for _ in range(capacity):
        limiter.take("k1", 600, at(0))
    with pytest.raises(RateLimited) as caught:
        limiter.take("k1", 600, at(0))
    assert caught.value.status == 429 and caught.value.code == "rate_limited"
    assert caught.value.headers == {"Retry-After": "1"}  # 10 a second come back
    assert caught.value.extra == {}
    limiter.take("k2", 600, at(0))  # another key is untouched
    limiter.take("k1", 600, at(0.15))  # one came back
    with pytest.raises(RateLimited):
        limiter.take("k1", 600, at(0.15))
    # A clock stepping back neither refills nor breaks the bucket.
    with pytest.raises(RateLimited):
        limiter.take("k1", 600, at(-30))
    for _ in range(capacity):
        limiter.take("k1", 600, at(11))  # refilled after 10 s, not beyond capacity
    with pytest.raises(RateLimited):
        limiter.take("k1", 600, at(11))


def test_normal_gate_rate_with_the_shared_quota(session: Session) -> None:
    limiter = GateLimiter()
    # Ten lanes on one key at one scan a second each, for five minutes: never refused, and
    # the database is written once per lease (60 scans), not once per scan.
    for s in range(300):
        for _ in range(10):
            limiter.take("shared-key", DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE, at(s), session)
    count = session.scalar(
        select(RateCounter.count).where(RateCounter.key == "key:shared-key:verify")
    )
    assert count == 600  # the last window's leases: 10 of 60
    assert session.scalar(select(func.count()).select_from(RateCounter)) == 1  # old pruned
    session.rollback()


def test_gate_quota_holds_across_processes(settings: Settings, engine: Engine) -> None:
    """Two processes (limiters on their own engines) share one gate key's per-minute quota."""
    engines = [make_engine(settings.resolved_database_url) for _ in range(2)]
    limiters = [GateLimiter(), GateLimiter()]
    admitted = [0, 0]
    try:
        sessions = [make_sessionmaker(e)() for e in engines]
        # Each process alone stays within its bucket (one scan per 6 s at 10 a minute); the
        # two together ask for 20 in the window and get the quota's 10.
        for step in range(20):
            p = step % 2
            try:
                limiters[p].take("k", 10, at(3 * step), sessions[p])
                admitted[p] += 1
            except RateLimited as exc:
                sessions[p].rollback()
                assert exc.retry_after == 60 - 3 * step
        assert sum(admitted) == 10 and min(admitted) >= 1
        # The next window starts afresh.
        limiters[0].take("k", 10, at(60), sessions[0])
        for s in sessions:
            s.close()
    finally:
        for e in engines:
            e.dispose()


def test_gate_lease_is_a_chunk_of_the_limit(session: Session) -> None:
    limiter = GateLimiter()
    assert GateLimiter.lease_size(1200) == 60 and GateLimiter.lease_size(6) == 1
    key = "key:k:verify"

    def counted() -> int | None:
        value = session.scalar(select(RateCounter.count).where(RateCounter.key == key))
        session.rollback()
        return value

    limiter.take("k", 1200, at(0), session)
    assert counted() == 60
    for i in range(59):
        limiter.take("k", 1200, at(1 + i / 10), session)
    assert counted() == 60
    limiter.take("k", 1200, at(8), session)
    assert counted() == 120
    # Other processes spent the rest of the window: this one's next lease is refused.
    session.execute(text("UPDATE rate_counters SET count = 1200"))
    session.commit()
    for i in range(59):
        limiter.take("k", 1200, at(9 + i / 10), session)  # still on its lease
    with pytest.raises(RateLimited) as caught:
        limiter.take("k", 1200, at(15), session)
    assert caught.value.retry_after == 45
    session.rollback()
    assert counted() == 1200  # a refused lease counts nothing
    with pytest.raises(RateLimited):
        limiter.take("k", 1200, at(16), session)  # remembered: no database round trip
    limiter.take("k", 1200, at(60), session)


def test_gate_limiter_prunes_full_buckets() -> None:
    limiter = GateLimiter()
    limiter.MAX_BUCKETS = 10
    for i in range(20):
        limiter.take(f"key-{i}", 600, at(i * 60))
    assert len(limiter._buckets) <= 11


def test_verify_rate_limit_over_http(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, **limits(0, gate_key_requests_per_minute=6))
    keys = [factory.gate_key(merchant, event["event_id"]) for _ in range(2)]
    gates = [GateCtx(event, k["key_id"], k["api_key"]) for k in keys]
    # A burst of one per 10 s of the rate: the first is answered (here: a malformed token).
    assert scan(client, gates[0], "not-a-token") == {"accepted": False, "reason": "malformed_token"}
    r = client.post(
        f"{API}/verify", json={"token": "not-a-token", "gate_id": "north"}, headers=gates[0].headers
    )
    assert r.status_code == 429
    assert r.json() == {"error": {"code": "rate_limited", "message": r.json()["error"]["message"]}}
    assert 1 <= int(r.headers["Retry-After"]) <= 10
    # The other gate key of the event is not limited by the first one's burst.
    assert scan(client, gates[1], "not-a-token")["reason"] == "malformed_token"
    # Gate keys are limited on verify only: proof tokens for the event still flow.
    ticket = factory.ticket(merchant, event["event_id"])
    assert (
        client.post(
            f"{API}/proof-token", json={"ticket_id": ticket["ticket_id"]}, headers=merchant.headers
        ).status_code
        == 200
    )
    assert (
        client.get(f"{API}/events/{event['event_id']}", headers=auth(merchant.key)).status_code
        == 200
    )


# --- schema ----------------------------------------------------------------------------------


def test_migration_gives_existing_events_the_defaults(database_url: str) -> None:
    engine: Engine = make_engine(Settings(database_url=database_url).resolved_database_url)
    try:
        migrate(engine, "0003")
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO merchants (id, name, created_at) VALUES ('m', 'm', :t)"),
                {"t": T0},
            )
            conn.execute(
                text(
                    "INSERT INTO events (event_id, merchant_id, name, starts_at, ends_at, scopes,"
                    " reveal_ticket_id, created_at) VALUES ('e', 'm', 'e', :t, :t, '[\"e\"]',"
                    " false, :t)"
                ),
                {"t": T0},
            )
        migrate(engine)
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT min_token_interval_seconds, proof_tokens_per_minute,"
                    " merchant_key_requests_per_minute, gate_key_requests_per_minute FROM events"
                )
            ).one()
            assert tuple(row) == (
                DEFAULT_MIN_TOKEN_INTERVAL_SECONDS,
                DEFAULT_PROOF_TOKENS_PER_MINUTE,
                DEFAULT_MERCHANT_KEY_REQUESTS_PER_MINUTE,
                DEFAULT_GATE_KEY_REQUESTS_PER_MINUTE,
            )
            assert conn.execute(select(func.count()).select_from(RateCounter)).scalar() == 0
    finally:
        engine.dispose()
