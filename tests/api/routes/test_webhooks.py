"""Webhooks: registration and isolation, the transactional outbox, signed delivery, retries with
backoff, giving up, leases between workers, and the lifespan worker posting to a real receiver."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.app import create_app
from api.config import Settings
from api.db import alembic_config, make_sessionmaker, migrate, schema_tables
from api.engine import ProofEngine
from api.errors import Unprocessable
from api.models import Webhook, WebhookDelivery
from api.services.webhooks import check_url, enqueue
from api.webhook_worker import BATCH, Outcome, WebhookWorker
from tests.api.conftest import API, SQLITE_ONLY, Factory, GateCtx, MerchantCtx, mint, scan

HOLDER = "alice@example.com"
RECEIVER = "http://127.0.0.1:9/hook"  # never contacted: tests inject a transport


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The suite's settings, loopback receivers allowed; tests drive the worker themselves."""
    return settings.model_copy(update={"webhooks_enabled": False, "webhooks_allow_private": True})


def register(
    client: TestClient, merchant: MerchantCtx, url: str = RECEIVER, **body: Any
) -> httpx.Response:
    """POST /webhooks."""
    return client.post(f"{API}/webhooks", json={"url": url, **body}, headers=merchant.headers)


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    """Every outbox row, oldest first."""
    with make_sessionmaker(engine)() as s:
        return list(s.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def revoke(client: TestClient, merchant: MerchantCtx, ticket_id: str) -> httpx.Response:
    """POST /tickets/{ticket_id}/revoke."""
    return client.post(f"{API}/tickets/{ticket_id}/revoke", headers=merchant.headers)


def revoked_with_webhook(client: TestClient, factory: Factory, merchant: MerchantCtx) -> str:
    """Register the receiver, then revoke a fresh ticket: one ticket.revoked delivery is due."""
    register(client, merchant)
    tid = factory.ticket(merchant, factory.event(merchant)["event_id"])["ticket_id"]
    assert revoke(client, merchant, tid).status_code == 200
    return str(tid)


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The documented scheme, written out independently of api.services.webhooks.sign."""
    signed = timestamp.encode() + b"." + body
    return "v1=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def worker_for(
    settings: Settings,
    engine: Engine,
    handler: Callable[[httpx.Request], httpx.Response],
    clock: Clock,
) -> WebhookWorker:
    """A worker that sends through a mock transport, on the test's clock, with short backoff."""
    return WebhookWorker(
        settings,
        make_sessionmaker(engine),
        transport=httpx.MockTransport(handler),
        clock=clock,
        backoff=(5, 30),
    )


def rounds(worker: WebhookWorker, clock: Clock, steps: list[float]) -> list[int]:
    """Run the worker once per step, advancing the clock by the step first; deliveries sent."""

    async def go() -> list[int]:
        sent = []
        for step in steps:
            clock.advance(step)
            sent.append(await worker.run_once())
        await worker.client.aclose()
        return sent

    return asyncio.run(go())


# --- registration ------------------------------------------------------------------------------


def test_register_list_delete_and_isolation(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    r = register(client, merchant)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["url"] == RECEIVER
    assert made["events"] == ["ticket.consumed", "transfer.pending", "ticket.revoked"]
    assert made["secret"].startswith("whsec_") and len(made["secret"]) == 6 + 64
    only = register(client, merchant, events=["ticket.revoked", "ticket.revoked"]).json()
    assert only["events"] == ["ticket.revoked"]
    # The secret is shown once: never listed.
    listed = client.get(f"{API}/webhooks", headers=merchant.headers).json()["webhooks"]
    assert [h["webhook_id"] for h in listed] == [made["webhook_id"], only["webhook_id"]]
    assert all("secret" not in h for h in listed)
    # Another merchant sees none of them and may not delete them.
    other = factory.merchant("Other")
    assert client.get(f"{API}/webhooks", headers=other.headers).json() == {"webhooks": []}
    r = client.delete(f"{API}/webhooks/{made['webhook_id']}", headers=other.headers)
    assert r.status_code == 403, r.text
    r = client.delete(f"{API}/webhooks/{made['webhook_id']}", headers=merchant.headers)
    assert r.status_code == 204, r.text
    r = client.delete(f"{API}/webhooks/{made['webhook_id']}", headers=merchant.headers)
    assert r.status_code == 404, r.text
    listed = client.get(f"{API}/webhooks", headers=merchant.headers).json()["webhooks"]
    assert [h["webhook_id"] for h in listed] == [only["webhook_id"]]
    # Gate keys and no key: refused.
    assert client.get(f"{API}/webhooks").status_code == 401


def test_at_most_ten_webhooks_per_merchant(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    for _ in range(10):
        assert register(client, merchant).status_code == 201
    r = register(client, merchant)
    assert r.status_code == 409 and r.json()["error"]["code"] == "webhook_limit", r.text
    # The limit is per merchant.
    assert register(client, factory.merchant("Other")).status_code == 201


@SQLITE_ONLY
@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://example.com/hook"},
        {"url": "not a url"},
        {"url": "http://"},
        {"url": "https://user:pw@example.com/hook"},
        {"url": "https://example.com/" + "a" * 2048},
        {"url": "https://example.com:99999/hook"},
        {"url": "https://example.com/hook", "events": ["ticket.sold"]},
        {"url": "https://example.com/hook", "events": []},
        {"url": "https://example.com/hook", "secret": "mine"},
    ],
)
def test_bad_registrations_are_422(
    client: TestClient, merchant: MerchantCtx, body: dict[str, Any]
) -> None:
    r = client.post(f"{API}/webhooks", json=body, headers=merchant.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://api.localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_addresses_refused_unless_allowed(url: str) -> None:
    strict = Settings(webhooks_allow_private=False)
    with pytest.raises(Unprocessable):
        check_url(strict, url)
    assert check_url(Settings(webhooks_allow_private=True), url) == url
    assert check_url(strict, "https://hooks.example.com/ticketking") is not None


# --- the outbox --------------------------------------------------------------------------------


def test_outbox_rows_for_each_event_kind(
    client: TestClient, factory: Factory, merchant: MerchantCtx, engine: Engine
) -> None:
    assert register(client, merchant).status_code == 201
    event = factory.event(merchant, transfer={"policy": "requires_approval"})
    made = factory.gate_key(merchant, event["event_id"])
    gate = GateCtx(event, made["key_id"], made["api_key"])
    tid = factory.ticket(merchant, event["event_id"], holder_id=HOLDER, tier="ga")["ticket_id"]

    token = mint(client, merchant, tid, holder_id=HOLDER)
    assert scan(client, gate, token)["accepted"] is True
    # A second scan is refused: no second ticket.consumed.
    assert scan(client, gate, token)["accepted"] is False
    r = client.post(
        f"{API}/tickets/{tid}/transfer", json={"to_holder_id": "bob"}, headers=merchant.headers
    )
    assert r.status_code == 202, r.text
    transfer_id = r.json()["transfer_id"]
    assert revoke(client, merchant, tid).status_code == 200
    assert revoke(client, merchant, tid).status_code == 200  # idempotent: one event

    rows = deliveries(engine)
    assert [d.kind for d in rows] == ["ticket.consumed", "transfer.pending", "ticket.revoked"]
    assert all(d.status == "pending" and d.attempts == 0 for d in rows)
    bodies = [json.loads(d.body) for d in rows]
    assert [b["type"] for b in bodies] == [d.kind for d in rows]
    assert [b["delivery_id"] for b in bodies] == [d.delivery_id for d in rows]
    consumed, pending, revoked = (b["data"] for b in bodies)
    assert consumed == {
        "event_id": event["event_id"],
        "ticket_id": tid,
        "tier": "ga",
        "gate_id": "north",
        "scope": event["event_id"],  # an event without scopes has one, named after it
        "consumed_at": consumed["consumed_at"],
    }
    assert pending == {
        "event_id": event["event_id"],
        "ticket_id": tid,
        "transfer_id": transfer_id,
        "tier": "ga",
        "created_at": pending["created_at"],
    }
    assert set(revoked) == {"event_id", "ticket_id", "tier", "revoked_at"}
    # No personal data, secrets or tokens in any payload.
    for d in rows:
        assert HOLDER not in d.body and "bob" not in d.body and token not in d.body
        assert "holder" not in d.body and "nullifier" not in d.body and "token" not in d.body


def test_no_outbox_row_without_a_webhook_or_when_the_action_fails(
    client: TestClient, factory: Factory, merchant: MerchantCtx, engine: Engine
) -> None:
    event = factory.event(merchant, transfer={"policy": "requires_approval"})
    # No webhook yet: a revocation enqueues nothing.
    first = factory.ticket(merchant, event["event_id"])["ticket_id"]
    assert revoke(client, merchant, first).status_code == 200
    assert deliveries(engine) == []
    # A webhook for revocations only: a pending transfer enqueues nothing.
    assert register(client, merchant, events=["ticket.revoked"]).status_code == 201
    tid = factory.ticket(merchant, event["event_id"], holder_id=HOLDER)["ticket_id"]
    r = client.post(
        f"{API}/tickets/{tid}/transfer", json={"to_holder_id": "bob"}, headers=merchant.headers
    )
    assert r.status_code == 202, r.text
    assert deliveries(engine) == []
    # Failed actions enqueue nothing: another merchant's revoke, a refused transfer.
    other = factory.merchant("Other")
    assert revoke(client, other, tid).status_code == 403
    r = client.post(
        f"{API}/tickets/{tid}/transfer",
        json={"to_holder_id": "carol", "price": {"amount": "10.00", "currency": "EUR"}},
        headers=merchant.headers,
    )
    assert r.status_code in (403, 409), r.text
    assert deliveries(engine) == []
    assert revoke(client, merchant, tid).status_code == 200
    assert [d.kind for d in deliveries(engine)] == ["ticket.revoked"]


def test_a_transfer_losing_a_race_enqueues_nothing(
    client: TestClient, factory: Factory, merchant: MerchantCtx, engine: Engine
) -> None:
    register(client, merchant)
    event = factory.event(merchant, transfer={"policy": "requires_approval"})
    tickets = [factory.ticket(merchant, event["event_id"])["ticket_id"] for _ in range(2)]
    barrier = threading.Barrier(2)

    def request(ticket_id: str) -> int:
        barrier.wait()
        r = client.post(
            f"{API}/tickets/{ticket_id}/transfer",
            json={"to_holder_id": "bob", "transfer_id": "gift-1"},
            headers=merchant.headers,
        )
        return r.status_code

    # One transfer_id on two tickets at once: one pending transfer, the loser a 409 (not 500).
    with ThreadPoolExecutor(2) as pool:
        assert sorted(pool.map(request, tickets)) == [202, 409]
    assert [d.kind for d in deliveries(engine)] == ["transfer.pending"]


def test_enqueue_commits_and_rolls_back_with_the_callers_transaction(
    client: TestClient, merchant: MerchantCtx, session: Session, engine: Engine
) -> None:
    assert register(client, merchant).status_code == 201
    payload = {"event_id": "ev", "ticket_id": "tk", "tier": "ga", "revoked_at": "x"}
    assert enqueue(session, merchant.merchant_id, "ticket.revoked", payload) == 1
    session.rollback()
    assert deliveries(engine) == []
    assert enqueue(session, merchant.merchant_id, "ticket.revoked", payload) == 1
    session.commit()
    assert len(deliveries(engine)) == 1
    with pytest.raises(ValueError):
        enqueue(session, merchant.merchant_id, "ticket.sold", payload)


def test_deleting_a_webhook_during_an_action_neither_fails_it_nor_keeps_the_row(
    client: TestClient, merchant: MerchantCtx, session: Session, engine: Engine
) -> None:
    hook = register(client, merchant).json()["webhook_id"]
    assert enqueue(session, merchant.merchant_id, "ticket.revoked", {"ticket_id": "tk"}) == 1
    with ThreadPoolExecutor(1) as pool:
        # The delete waits for the action's transaction (row lock / SQLite's write lock) ...
        deleting = pool.submit(client.delete, f"{API}/webhooks/{hook}", headers=merchant.headers)
        time.sleep(0.3)
        assert not deleting.done()
        session.commit()  # ... which commits its delivery row ...
        assert deleting.result(timeout=20).status_code == 204
    assert deliveries(engine) == []  # ... and the delete takes the row with the webhook.


# --- delivery ----------------------------------------------------------------------------------


def test_delivery_is_signed_and_carries_no_personal_data(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    settings: Settings,
    engine: Engine,
) -> None:
    secret = register(client, merchant).json()["secret"]
    event = factory.event(merchant)
    tid = factory.ticket(merchant, event["event_id"], holder_id=HOLDER)["ticket_id"]
    assert revoke(client, merchant, tid).status_code == 200
    seen: list[httpx.Request] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    clock = Clock()
    assert rounds(worker_for(settings, engine, receiver, clock), clock, [0, 0]) == [1, 0]
    (request,) = seen
    assert str(request.url) == RECEIVER and request.method == "POST"
    body = request.content
    timestamp = request.headers["X-TicketKing-Timestamp"]
    assert request.headers["X-TicketKing-Signature"] == expected_signature(secret, timestamp, body)
    assert request.headers["X-TicketKing-Signature"] != expected_signature("x", timestamp, body)
    assert abs(int(timestamp) - clock.now.timestamp()) <= 1
    assert request.headers["X-TicketKing-Event"] == "ticket.revoked"
    sent = json.loads(body)
    assert request.headers["X-TicketKing-Delivery"] == sent["delivery_id"]
    assert sent["type"] == "ticket.revoked"
    assert sent["data"]["ticket_id"] == tid and sent["data"]["event_id"] == event["event_id"]
    assert HOLDER.encode() not in body and b"holder" not in body
    (row,) = deliveries(engine)
    assert (row.status, row.attempts, row.last_status) == ("delivered", 1, 204)
    assert row.delivered_at is not None


def test_failed_attempt_is_retried_after_the_backoff(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    settings: Settings,
    engine: Engine,
) -> None:
    revoked_with_webhook(client, factory, merchant)
    answers = [500, 200]
    ids: list[str] = []

    def receiver(request: httpx.Request) -> httpx.Response:
        ids.append(request.headers["X-TicketKing-Delivery"])
        return httpx.Response(answers.pop(0))

    clock = Clock()
    worker = worker_for(settings, engine, receiver, clock)
    # Attempt 1 fails; nothing is due before the first backoff (5 s) has passed.
    assert rounds(worker, clock, [0, 4.9])[0] == 1
    (row,) = deliveries(engine)
    assert (row.status, row.attempts, row.last_status, row.last_error) == (
        "pending",
        1,
        500,
        "HTTP 500",
    )
    assert row.next_attempt_at == clock.now - timedelta(seconds=4.9) + timedelta(seconds=5)
    worker = worker_for(settings, engine, receiver, clock)
    assert rounds(worker, clock, [0.1]) == [1]
    (row,) = deliveries(engine)
    assert (row.status, row.attempts, row.last_status) == ("delivered", 2, 200)
    # The retry is the same delivery: receivers dedupe on its id.
    assert len(ids) == 2 and ids[0] == ids[1]


def test_gives_up_after_the_last_attempt(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    settings: Settings,
    engine: Engine,
) -> None:
    revoked_with_webhook(client, factory, merchant)
    calls = 0

    def broken(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ConnectError("refused", request=request)

    clock = Clock()
    three = settings.model_copy(update={"webhooks_max_attempts": 3})
    # Backoff 5 s, then 30 s (the last step repeats); after attempt 3 the delivery is failed.
    sent = rounds(worker_for(three, engine, broken, clock), clock, [0, 5, 30, 30, 3600])
    assert sent == [1, 1, 1, 0, 0] and calls == 3
    (row,) = deliveries(engine)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "ConnectError")


def test_a_leased_delivery_is_sent_by_one_worker(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    settings: Settings,
    engine: Engine,
) -> None:
    revoked_with_webhook(client, factory, merchant)
    clock = Clock()
    ok = httpx.MockTransport(lambda _: httpx.Response(200))
    one = WebhookWorker(settings, make_sessionmaker(engine), transport=ok, clock=clock)
    two = WebhookWorker(settings, make_sessionmaker(engine), transport=ok, clock=clock)
    (held,) = one.claim()
    assert two.claim() == []
    # The first worker died mid-send: after the lease, the second takes the row over ...
    clock.advance(61)
    (taken,) = two.claim()
    assert taken.delivery_id == held.delivery_id
    # ... and the first worker's late answer no longer counts.
    one.finish_all([(held, Outcome(False, 500, "HTTP 500"))])
    (row,) = deliveries(engine)
    assert row.attempts == 0 and row.locked_until is not None
    two.finish_all([(taken, Outcome(True, 200, None))])
    (row,) = deliveries(engine)
    assert (row.status, row.attempts) == ("delivered", 1)


def test_concurrent_claims_take_disjoint_rows(
    client: TestClient, merchant: MerchantCtx, settings: Settings, engine: Engine
) -> None:
    register(client, merchant)
    total = BATCH + 5
    with make_sessionmaker(engine)() as s:
        for n in range(total):
            enqueue(s, merchant.merchant_id, "ticket.revoked", {"ticket_id": f"tk-{n}"})
        s.commit()
    clock = Clock()
    workers = [WebhookWorker(settings, make_sessionmaker(engine), clock=clock) for _ in range(4)]
    barrier = threading.Barrier(len(workers))

    def claim(worker: WebhookWorker) -> list[str]:
        barrier.wait()
        return [c.delivery_id for c in worker.claim()]

    with ThreadPoolExecutor(len(workers)) as pool:
        claimed = [ids for ids in pool.map(claim, workers)]
    flat = [i for ids in claimed for i in ids]
    assert len(flat) == len(set(flat)) == total
    for worker in workers:
        asyncio.run(worker.client.aclose())


@SQLITE_ONLY
def test_private_destination_refused_at_delivery(
    client: TestClient, merchant: MerchantCtx, settings: Settings, engine: Engine
) -> None:
    # Registered while private addresses were allowed, delivered by a worker that refuses them.
    register(client, merchant)
    with make_sessionmaker(engine)() as s:
        enqueue(s, merchant.merchant_id, "ticket.revoked", {"ticket_id": "tk"})
        s.commit()
    strict = settings.model_copy(update={"webhooks_allow_private": False})

    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("must not be sent")

    clock = Clock()
    assert rounds(worker_for(strict, engine, never, clock), clock, [0]) == [1]
    (row,) = deliveries(engine)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "private address")


# --- the worker in the app, posting to a real receiver on loopback ------------------------------


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    """A tiny HTTP server on loopback that records what it is sent and answers 200."""
    got: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers["Content-Length"])
            got.append((dict(self.headers.items()), self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", got
    server.shutdown()
    server.server_close()


def test_lifespan_worker_delivers_to_a_local_receiver(
    settings: Settings,
    engine: Engine,
    proof_engine: ProofEngine,
    admin_key: str,
    receiver: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    url, got = receiver
    live = settings.model_copy(update={"webhooks_enabled": True, "webhooks_poll_seconds": 0.05})
    with TestClient(create_app(live, proof_engine)) as client:
        factory = Factory(client, admin_key)
        merchant = factory.merchant()
        secret = register(client, merchant, url).json()["secret"]
        tid = factory.ticket(merchant, factory.event(merchant)["event_id"])["ticket_id"]
        assert revoke(client, merchant, tid).status_code == 200
        deadline = time.monotonic() + 20
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        assert got, "the worker did not deliver"
        headers, body = got[0]
        headers = {k.lower(): v for k, v in headers.items()}
        timestamp = headers["x-ticketking-timestamp"]
        assert headers["x-ticketking-signature"] == expected_signature(secret, timestamp, body)
        assert json.loads(body)["data"]["ticket_id"] == tid
        while deliveries(engine)[0].status != "delivered" and time.monotonic() < deadline:
            time.sleep(0.05)
    assert deliveries(engine)[0].status == "delivered"


# --- schema ------------------------------------------------------------------------------------


def test_migration_0007_downgrades_and_upgrades(engine: Engine) -> None:
    assert {"webhooks", "webhook_deliveries"} <= schema_tables(engine)
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
        conn.commit()
    assert not {"webhooks", "webhook_deliveries"} & schema_tables(engine)
    migrate(engine)
    assert {"webhooks", "webhook_deliveries"} <= schema_tables(engine)
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Webhook)) == 0
