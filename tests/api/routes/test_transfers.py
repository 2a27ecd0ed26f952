"""Transfers and resale: the rules, approval, and the attacks they exist for (laundering chains,
old holders minting, tokens minted before a transfer, resale above the cap)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from threading import Barrier
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from api.config import Settings
from api.db import alembic_config, make_engine, migrate
from api.services.merkle import MerkleStore
from tests.api.conftest import (
    API,
    SQLITE_ONLY,
    Factory,
    GateCtx,
    MerchantCtx,
    auth,
    mint,
    scan,
)

ALICE = "alice@example.com"
BOB = "bob@example.com"
CAROL = "carol@example.com"
CAP = {"amount": "120.00", "currency": "EUR"}


def gate_for(factory: Factory, merchant: MerchantCtx, **rules: Any) -> GateCtx:
    """An event with the given transfer/resale rules and a gate key for it."""
    event = factory.event(merchant, **rules)
    made = factory.gate_key(merchant, event["event_id"])
    return GateCtx(event, made["key_id"], made["api_key"])


def transfer(
    client: TestClient, merchant: MerchantCtx, ticket_id: str, to: str, **body: Any
) -> httpx.Response:
    """POST /tickets/{ticket_id}/transfer."""
    return client.post(
        f"{API}/tickets/{ticket_id}/transfer",
        json={"to_holder_id": to, **body},
        headers=merchant.headers,
    )


def refused(r: httpx.Response, status: int, code: str) -> None:
    """The response is the {"error": {code, message}} refusal expected."""
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code, r.text


def mint_status(client: TestClient, merchant: MerchantCtx, ticket_id: str, **body: Any) -> dict:
    """A proof-token answer that may be a refusal: status and reason."""
    r = client.post(
        f"{API}/proof-token", json={"ticket_id": ticket_id, **body}, headers=merchant.headers
    )
    return {"status": r.status_code, "reason": r.json().get("reason")}


def settle(client: TestClient, merchant: MerchantCtx, transfer_id: str, how: str) -> httpx.Response:
    """POST /transfers/{transfer_id}/approve or /reject."""
    return client.post(f"{API}/transfers/{transfer_id}/{how}", headers=merchant.headers)


# ------------------------------------------------------------------------------ policies


def test_allowed_transfer_rekeys_the_ticket(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    engine: Engine,
    settings: Settings,
) -> None:
    gate = gate_for(factory, merchant)
    assert gate.event["transfer"] == {"policy": "allowed", "max_transfers": None}
    assert gate.event["resale"] == {"policy": "disabled", "price_cap": None}
    ticket = factory.ticket(merchant, gate.event["event_id"], holder_id=ALICE)
    tid = ticket["ticket_id"]
    with engine.connect() as conn:
        old_index = conn.execute(
            text("SELECT leaf_index FROM tickets WHERE ticket_id = :t"), {"t": tid}
        ).scalar_one()
    r = transfer(client, merchant, tid, BOB)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ticket_id"] == tid and out["transfer_count"] == 1 and out["holder_bound"] is True
    assert out["transfer_id"].startswith("tr-")
    assert ALICE not in r.text and BOB not in r.text
    got = client.get(f"{API}/tickets/{tid}", headers=merchant.headers).json()
    assert got["transfer_count"] == 1
    # The old holder is refused, the new one enters.
    assert mint_status(client, merchant, tid, holder_id=ALICE) == {
        "status": 403,
        "reason": "holder_mismatch",
    }
    assert scan(client, gate, mint(client, merchant, tid, holder_id=BOB))["accepted"] is True
    # The old leaf is cleared and the new one appended; history keeps hashes, never ids.
    with engine.connect() as conn:
        new_index = conn.execute(
            text("SELECT leaf_index FROM tickets WHERE ticket_id = :t"), {"t": tid}
        ).scalar_one()
        rows = conn.execute(text("SELECT * FROM ticket_transfers")).all()
        event_pk = conn.execute(
            text("SELECT event_pk FROM tickets WHERE ticket_id = :t"), {"t": tid}
        ).scalar_one()
    assert new_index != old_index
    with Session(engine) as s:
        assert MerkleStore(settings.merkle_depth).leaf(s, event_pk, old_index) == 0
        assert MerkleStore(settings.merkle_depth).leaf(s, event_pk, new_index) != 0
    assert len(rows) == 1
    assert ALICE not in str(rows) and BOB not in str(rows)
    view = client.get(f"{API}/transfers/{out['transfer_id']}", headers=merchant.headers).json()
    assert view["status"] == "completed" and view["price"] is None and view["ticket_id"] == tid
    assert view["settled_at"] is not None


def test_disabled_transfers_and_per_ticket_overrides(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    closed = factory.event(merchant, transfer={"policy": "disabled"})
    ticket = factory.ticket(merchant, closed["event_id"])
    refused(transfer(client, merchant, ticket["ticket_id"], BOB), 403, "transfer_disabled")
    # A ticket may open what its event closes, and close what its event opens.
    opened = factory.ticket(merchant, closed["event_id"], transfer={"policy": "allowed"})
    assert opened["transfer"] == {"policy": "allowed", "max_transfers": None}
    assert transfer(client, merchant, opened["ticket_id"], BOB).status_code == 200
    open_event = factory.event(merchant)
    shut = factory.ticket(merchant, open_event["event_id"], transfer={"policy": "disabled"})
    refused(transfer(client, merchant, shut["ticket_id"], BOB), 403, "transfer_disabled")


def test_max_transfers(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant, transfer={"policy": "allowed", "max_transfers": 2})
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
    assert transfer(client, merchant, tid, BOB).json()["transfer_count"] == 1
    assert transfer(client, merchant, tid, CAROL).json()["transfer_count"] == 2
    refused(transfer(client, merchant, tid, ALICE), 409, "transfer_limit_reached")
    none = factory.ticket(
        merchant, event["event_id"], transfer={"policy": "allowed", "max_transfers": 0}
    )
    refused(transfer(client, merchant, none["ticket_id"], BOB), 409, "transfer_limit_reached")


def test_requires_approval_then_approve(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    gate = gate_for(factory, merchant, transfer={"policy": "requires_approval"})
    tid = factory.ticket(merchant, gate.event["event_id"], holder_id=ALICE)["ticket_id"]
    r = transfer(client, merchant, tid, BOB)
    assert r.status_code == 202, r.text
    pending = r.json()
    assert pending["status"] == "pending" and pending["ticket_id"] == tid
    transfer_id = pending["transfer_id"]
    got = client.get(f"{API}/transfers/{transfer_id}", headers=merchant.headers)
    assert got.json() == pending
    # Until approval the ticket stays Alice's, and one transfer waits at a time.
    before = mint(client, merchant, tid, holder_id=ALICE)
    refused(transfer(client, merchant, tid, CAROL), 409, "transfer_pending")
    assert mint_status(client, merchant, tid, holder_id=BOB)["status"] == 403
    approved = settle(client, merchant, transfer_id, "approve")
    assert approved.status_code == 200 and approved.json()["status"] == "completed"
    assert settle(client, merchant, transfer_id, "approve").json() == approved.json()
    refused(settle(client, merchant, transfer_id, "reject"), 409, "transfer_completed")
    assert (
        client.get(f"{API}/tickets/{tid}", headers=merchant.headers).json()["transfer_count"] == 1
    )
    assert scan(client, gate, before) == {"accepted": False, "reason": "transferred"}
    assert scan(client, gate, mint(client, merchant, tid, holder_id=BOB))["accepted"] is True


def test_requires_approval_then_reject(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    gate = gate_for(factory, merchant, transfer={"policy": "requires_approval"})
    tid = factory.ticket(merchant, gate.event["event_id"], holder_id=ALICE)["ticket_id"]
    transfer_id = transfer(client, merchant, tid, BOB).json()["transfer_id"]
    rejected = settle(client, merchant, transfer_id, "reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert settle(client, merchant, transfer_id, "reject").json() == rejected.json()
    refused(settle(client, merchant, transfer_id, "approve"), 409, "transfer_rejected")
    # Nothing changed: Alice still enters, Bob cannot mint, a new request may be made.
    assert mint_status(client, merchant, tid, holder_id=BOB)["status"] == 403
    assert scan(client, gate, mint(client, merchant, tid, holder_id=ALICE))["accepted"] is True
    assert (
        client.get(f"{API}/tickets/{tid}", headers=merchant.headers).json()["transfer_count"] == 0
    )
    assert transfer(client, merchant, tid, CAROL).status_code == 202


# -------------------------------------------------------------------------------- resale


def test_resale_disabled_by_default(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant)
    tid = factory.ticket(merchant, event["event_id"])["ticket_id"]
    refused(transfer(client, merchant, tid, BOB, price=CAP), 403, "resale_disabled")
    # A price of 0 is still a price: the transfer is a resale.
    zero = {"amount": "0.00", "currency": "EUR"}
    refused(transfer(client, merchant, tid, BOB, price=zero), 403, "resale_disabled")
    assert transfer(client, merchant, tid, BOB).status_code == 200  # a gift is not a resale


def test_resale_price_cap(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant, resale={"policy": "allowed", "price_cap": CAP})
    assert event["resale"] == {"policy": "allowed", "price_cap": CAP}
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]

    def price(amount: str, currency: str = "EUR") -> dict[str, str]:
        return {"amount": amount, "currency": currency}

    refused(transfer(client, merchant, tid, BOB, price=price("120.01")), 403, "price_above_cap")
    refused(transfer(client, merchant, tid, BOB, price=price("1000")), 403, "price_above_cap")
    refused(
        transfer(client, merchant, tid, BOB, price=price("100.00", "USD")),
        403,
        "currency_mismatch",
    )
    r = transfer(client, merchant, tid, BOB, price=price("120"))  # at the cap, written short
    assert r.status_code == 200, r.text
    view = client.get(f"{API}/transfers/{r.json()['transfer_id']}", headers=merchant.headers)
    assert view.json()["price"] == CAP  # stored as 12000 minor units, shown canonically
    r = transfer(client, merchant, tid, CAROL, price=price("99.5"))
    assert r.status_code == 200
    # No cap: any price.
    free = factory.ticket(merchant, event["event_id"], resale={"policy": "allowed"})
    yen = price("1000000", "JPY")
    assert transfer(client, merchant, free["ticket_id"], BOB, price=yen).status_code == 200


def test_resale_through_the_merchant_channel_only(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, resale={"policy": "merchant_channel_only", "price_cap": CAP})
    tid = factory.ticket(merchant, event["event_id"])["ticket_id"]
    refused(transfer(client, merchant, tid, BOB, price=CAP), 403, "resale_channel_not_allowed")
    refused(
        transfer(client, merchant, tid, BOB, price=CAP, channel="marketplace"),
        403,
        "resale_channel_not_allowed",
    )
    over = {"amount": "500.00", "currency": "EUR"}
    refused(
        transfer(client, merchant, tid, BOB, price=over, channel="merchant"),
        403,
        "price_above_cap",
    )
    r = transfer(client, merchant, tid, BOB, price=CAP, channel="merchant")
    assert r.status_code == 200, r.text
    assert transfer(client, merchant, tid, CAROL).status_code == 200  # gifts need no channel


# ------------------------------------------------------------------------------- attacks


def test_laundering_chain(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    gate = gate_for(factory, merchant)
    tid = factory.ticket(merchant, gate.event["event_id"], holder_id=ALICE)["ticket_id"]
    token_a = mint(client, merchant, tid, holder_id=ALICE)
    assert transfer(client, merchant, tid, BOB).status_code == 200
    token_b = mint(client, merchant, tid, holder_id=BOB)
    assert transfer(client, merchant, tid, CAROL).status_code == 200
    token_c = mint(client, merchant, tid, holder_id=CAROL)
    # Every earlier holder is refused a token; every token they got before is dead at once.
    for holder in (ALICE, BOB):
        assert mint_status(client, merchant, tid, holder_id=holder) == {
            "status": 403,
            "reason": "holder_mismatch",
        }
    assert scan(client, gate, token_a) == {"accepted": False, "reason": "transferred"}
    assert scan(client, gate, token_b) == {"accepted": False, "reason": "transferred"}
    # Only Carol's token enters, once.
    assert scan(client, gate, token_c)["accepted"] is True
    assert scan(client, gate, token_c)["reason"] == "already_consumed"
    assert scan(client, gate, token_a)["reason"] == "transferred"


def test_token_minted_before_the_transfer_scanned_after(
    client: TestClient, factory: Factory, merchant: MerchantCtx, engine: Engine
) -> None:
    gate = gate_for(factory, merchant)
    unbound = factory.ticket(merchant, gate.event["event_id"])["ticket_id"]
    before = mint(client, merchant, unbound)
    raced = mint(client, merchant, unbound)
    assert transfer(client, merchant, unbound, BOB).status_code == 200
    assert scan(client, gate, before) == {"accepted": False, "reason": "transferred"}
    # A mint that read the old secrets before the transfer committed and recorded its
    # nullifier after it is not marked superseded: verify still names it as transferred.
    with engine.begin() as conn:
        conn.execute(text("UPDATE ticket_nullifiers SET superseded_at = NULL"))
    assert scan(client, gate, raced) == {"accepted": False, "reason": "transferred"}
    # An unbound ticket becomes bound to its new holder.
    assert mint_status(client, merchant, unbound)["reason"] == "holder_mismatch"
    assert scan(client, gate, mint(client, merchant, unbound, holder_id=BOB))["accepted"] is True


def test_transfer_does_not_touch_other_tickets(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    gate = gate_for(factory, merchant)
    moved = factory.ticket(merchant, gate.event["event_id"], holder_id=ALICE)["ticket_id"]
    kept = factory.ticket(merchant, gate.event["event_id"], holder_id=ALICE)["ticket_id"]
    token = mint(client, merchant, kept, holder_id=ALICE)
    assert transfer(client, merchant, moved, BOB).status_code == 200
    assert scan(client, gate, token)["accepted"] is True


# ---------------------------------------------------------------------------- edge cases


def test_revoked_tickets_do_not_move(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, transfer={"policy": "requires_approval"})
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
    transfer_id = transfer(client, merchant, tid, BOB).json()["transfer_id"]
    assert client.post(f"{API}/tickets/{tid}/revoke", headers=merchant.headers).status_code == 200
    refused(settle(client, merchant, transfer_id, "approve"), 409, "ticket_revoked")
    assert settle(client, merchant, transfer_id, "reject").json()["status"] == "rejected"
    refused(transfer(client, merchant, tid, CAROL), 409, "ticket_revoked")


def test_transfer_to_the_same_holder(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant)
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
    refused(transfer(client, merchant, tid, ALICE), 409, "same_holder")
    assert transfer(client, merchant, tid, BOB).status_code == 200
    refused(transfer(client, merchant, tid, BOB), 409, "same_holder")


def test_idempotent_transfer_ids(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, resale={"policy": "allowed", "price_cap": CAP})
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
    body = {"transfer_id": "sale-0001", "price": {"amount": "80.0", "currency": "EUR"}}
    first = transfer(client, merchant, tid, BOB, **body)
    assert first.status_code == 200 and first.json()["transfer_id"] == "sale-0001"
    # A lost response retried: the same answer, no second transfer.
    body["price"] = {"amount": "80.00", "currency": "EUR"}
    again = transfer(client, merchant, tid, BOB, **body)
    assert again.status_code == 200 and again.json() == first.json()
    assert again.json()["transfer_count"] == 1
    refused(transfer(client, merchant, tid, CAROL, **body), 409, "transfer_id_reused")
    other = factory.ticket(merchant, event["event_id"])["ticket_id"]
    refused(transfer(client, merchant, other, BOB, **body), 409, "transfer_id_reused")
    # Pending transfers answer 202 again.
    slow = factory.event(merchant, transfer={"policy": "requires_approval"})
    sid = factory.ticket(merchant, slow["event_id"])["ticket_id"]
    one = transfer(client, merchant, sid, BOB, transfer_id="gift-1")
    two = transfer(client, merchant, sid, BOB, transfer_id="gift-1")
    assert one.status_code == two.status_code == 202 and one.json() == two.json()
    settle(client, merchant, "gift-1", "reject")
    refused(transfer(client, merchant, sid, BOB, transfer_id="gift-1"), 409, "transfer_rejected")


def test_concurrent_approve_and_reject_one_wins(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, transfer={"policy": "requires_approval"})
    for _ in range(3):
        tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
        transfer_id = transfer(client, merchant, tid, BOB).json()["transfer_id"]
        barrier = Barrier(4)

        def act(
            how: str, transfer_id: str = transfer_id, barrier: Barrier = barrier
        ) -> httpx.Response:
            barrier.wait()
            return settle(client, merchant, transfer_id, how)

        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(act, ["approve", "reject", "approve", "reject"]))
        final = client.get(f"{API}/transfers/{transfer_id}", headers=merchant.headers).json()
        status = final["status"]
        assert status in ("completed", "rejected")
        winner = "approve" if status == "completed" else "reject"
        for how, r in zip(["approve", "reject", "approve", "reject"], answers, strict=True):
            if how == winner:
                assert r.status_code == 200 and r.json()["status"] == status
            else:
                assert r.status_code == 409, r.text
        count = client.get(f"{API}/tickets/{tid}", headers=merchant.headers).json()
        assert count["transfer_count"] == (1 if status == "completed" else 0)


def test_concurrent_transfers_respect_the_limit(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, transfer={"policy": "allowed", "max_transfers": 1})
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
    holders = [f"holder-{i}@example.com" for i in range(4)]
    barrier = Barrier(len(holders))

    def act(holder: str) -> int:
        barrier.wait()
        return transfer(client, merchant, tid, holder).status_code

    with ThreadPoolExecutor(len(holders)) as pool:
        codes = list(pool.map(act, holders))
    assert sorted(codes) == [200, 409, 409, 409]
    got = client.get(f"{API}/tickets/{tid}", headers=merchant.headers).json()
    assert got["transfer_count"] == 1


def test_concurrent_identical_requests_move_the_ticket_once(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant)
    tid = factory.ticket(merchant, event["event_id"], holder_id=ALICE)["ticket_id"]
    barrier = Barrier(4)

    def act(_: int) -> httpx.Response:
        barrier.wait()
        return transfer(client, merchant, tid, BOB, transfer_id="retry-storm")

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(act, range(4)))
    assert {r.status_code for r in answers} == {200}
    assert all(r.json() == answers[0].json() for r in answers)
    assert answers[0].json()["transfer_count"] == 1


def test_only_the_owning_merchant(
    client: TestClient, factory: Factory, merchant: MerchantCtx, admin_key: str
) -> None:
    gate = gate_for(factory, merchant, transfer={"policy": "requires_approval"})
    tid = factory.ticket(merchant, gate.event["event_id"])["ticket_id"]
    transfer_id = transfer(client, merchant, tid, BOB).json()["transfer_id"]
    rival = factory.merchant("Rival")
    refused(transfer(client, rival, tid, CAROL), 403, "forbidden")
    for how in ("approve", "reject"):
        refused(settle(client, rival, transfer_id, how), 403, "forbidden")
        refused(settle(client, merchant, "tr-missing", how), 404, "not_found")
    refused(client.get(f"{API}/transfers/{transfer_id}", headers=rival.headers), 403, "forbidden")
    refused(client.get(f"{API}/transfers/nope", headers=merchant.headers), 404, "not_found")
    refused(transfer(client, merchant, "no-such-ticket", BOB), 404, "not_found")
    r = client.post(f"{API}/transfers/{transfer_id}/approve", headers=gate.headers)
    assert r.status_code == 403
    r = client.post(f"{API}/transfers/{transfer_id}/approve", headers=auth(admin_key))
    assert r.status_code == 403  # merchant keys only
    assert client.post(f"{API}/transfers/{transfer_id}/approve").status_code == 401


def test_event_rules_are_part_of_its_idempotent_body(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    body = factory.event_body(
        transfer={"policy": "allowed", "max_transfers": 3},
        resale={"policy": "allowed", "price_cap": {"amount": "50.5", "currency": "GBP"}},
    )
    first = client.post(f"{API}/events", json=body, headers=merchant.headers)
    assert first.status_code == 201
    assert first.json()["resale"]["price_cap"] == {"amount": "50.50", "currency": "GBP"}
    assert client.post(f"{API}/events", json=body, headers=merchant.headers).status_code == 200
    body["transfer"] = {"policy": "allowed", "max_transfers": 4}
    assert client.post(f"{API}/events", json=body, headers=merchant.headers).status_code == 409
    ticket = factory.ticket_body(body["event_id"], resale={"policy": "disabled"})
    assert client.post(f"{API}/tickets", json=ticket, headers=merchant.headers).status_code == 201
    assert client.post(f"{API}/tickets", json=ticket, headers=merchant.headers).status_code == 200
    ticket["resale"] = {"policy": "allowed"}
    assert client.post(f"{API}/tickets", json=ticket, headers=merchant.headers).status_code == 409


@SQLITE_ONLY
@pytest.mark.parametrize(
    "rules",
    [
        {"transfer": {"policy": "sometimes"}},
        {"transfer": {"policy": "allowed", "max_transfers": -1}},
        {"transfer": {"policy": "allowed", "max_transfers": "2"}},
        {"transfer": {"policy": "allowed", "surprise": 1}},
        {"resale": {"policy": "disabled", "price_cap": CAP}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": 120, "currency": "EUR"}}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": "1e3", "currency": "EUR"}}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": "-1.00", "currency": "EUR"}}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": "1.001", "currency": "EUR"}}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": "1.5", "currency": "JPY"}}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": "1.00", "currency": "eur"}}},
        {"resale": {"policy": "allowed", "price_cap": {"amount": "01.00", "currency": "EUR"}}},
    ],
)
def test_bad_rules_are_422(
    client: TestClient, factory: Factory, merchant: MerchantCtx, rules: dict
) -> None:
    r = client.post(f"{API}/events", json=factory.event_body(**rules), headers=merchant.headers)
    refused(r, 422, "validation_error")
    event = factory.event(merchant)
    r = client.post(
        f"{API}/tickets",
        json=factory.ticket_body(event["event_id"], **rules),
        headers=merchant.headers,
    )
    refused(r, 422, "validation_error")


@SQLITE_ONLY
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"to_holder_id": ""},
        {"to_holder_id": BOB, "price": {"amount": "1.00"}},
        {"to_holder_id": BOB, "price": {"amount": 1.0, "currency": "EUR"}},
        {"to_holder_id": BOB, "channel": "no spaces"},
        {"to_holder_id": BOB, "transfer_id": "no spaces"},
        {"to_holder_id": BOB, "from": ALICE},
    ],
)
def test_bad_transfer_bodies_are_422(
    client: TestClient, factory: Factory, merchant: MerchantCtx, body: dict
) -> None:
    event = factory.event(merchant)
    tid = factory.ticket(merchant, event["event_id"])["ticket_id"]
    r = client.post(f"{API}/tickets/{tid}/transfer", json=body, headers=merchant.headers)
    refused(r, 422, "validation_error")
    assert BOB not in r.text and ALICE not in r.text


def test_migration_0004_keeps_rows_made_before_it(settings: Settings) -> None:
    eng = make_engine(settings.resolved_database_url)
    try:
        migrate(eng, "0003")
        at = datetime(2025, 1, 1, tzinfo=UTC)
        merchants = sa.table(
            "merchants", sa.column("id"), sa.column("name"), sa.column("created_at")
        )
        events = sa.table(
            "events",
            *(sa.column(c) for c in ("event_id", "merchant_id", "name", "reveal_ticket_id")),
            sa.column("scopes", sa.JSON),
            *(
                sa.column(c, sa.DateTime(timezone=True))
                for c in ("starts_at", "ends_at", "created_at")
            ),
        )
        tickets = sa.table(
            "tickets",
            *(sa.column(c) for c in ("ticket_id", "event_pk", "tier", "state", "secrets_blob")),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        with eng.begin() as conn:
            conn.execute(sa.insert(merchants).values(id="m", name="M", created_at=at))
            conn.execute(
                sa.insert(events).values(
                    event_id="old",
                    merchant_id="m",
                    name="Old",
                    reveal_ticket_id=False,
                    scopes=["old"],
                    starts_at=at,
                    ends_at=at,
                    created_at=at,
                )
            )
            event_pk = conn.execute(text("SELECT id FROM events")).scalar_one()
            conn.execute(
                sa.insert(tickets).values(
                    ticket_id="t",
                    event_pk=event_pk,
                    tier="ga",
                    state="active",
                    secrets_blob=b"x",
                    created_at=at,
                )
            )
        migrate(eng)
        with eng.connect() as conn:
            row = conn.execute(
                text("SELECT transfer_policy, max_transfers, resale_policy FROM events")
            ).one()
            assert tuple(row) == ("allowed", None, "disabled")
            row = conn.execute(
                text("SELECT transfer_policy, resale_policy, transfer_count FROM tickets")
            ).one()
            assert tuple(row) == (None, None, 0)
        cfg = alembic_config(eng)
        with eng.connect() as conn:  # and back down, and up again
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
            command.upgrade(cfg, "head")
            conn.commit()
    finally:
        eng.dispose()


_money = st.fixed_dictionaries(
    {},
    optional={
        # JSON has no inf or NaN (httpx refuses to send them; 1e400 bodies: test_errors.py).
        "amount": st.text(alphabet="0123456789.-e", max_size=16)
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False),
        "currency": st.sampled_from(["EUR", "JPY", "KWD", "eur", "", "EURO"]) | st.integers(),
    },
)
_rules = st.fixed_dictionaries(
    {},
    optional={
        "policy": st.sampled_from(
            ["disabled", "allowed", "requires_approval", "merchant_channel_only", "x", ""]
        ),
        "max_transfers": st.none() | st.integers(-5, 5) | st.text(max_size=3),
        "price_cap": st.none() | _money,
    },
)


@SQLITE_ONLY
@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rules=st.fixed_dictionaries({}, optional={"transfer": _rules, "resale": _rules}),
    body=st.fixed_dictionaries(
        {},
        optional={
            "to_holder_id": st.text(max_size=8) | st.integers(),
            "price": st.none() | _money,
            "channel": st.none() | st.sampled_from(["merchant", "web", ""]),
            "transfer_id": st.none() | st.sampled_from(["t-1", "t-2", ""]),
        },
    ),
)
def test_random_rules_and_transfers_never_500(
    client: TestClient, factory: Factory, merchant: MerchantCtx, rules: dict, body: dict
) -> None:
    event = factory.event(merchant)
    r = client.post(
        f"{API}/tickets",
        json=factory.ticket_body(event["event_id"], **rules),
        headers=merchant.headers,
    )
    assert r.status_code < 500, r.text
    if r.status_code != 201:
        assert set(r.json()["error"]) == {"code", "message"}
        return
    r = client.post(
        f"{API}/tickets/{r.json()['ticket_id']}/transfer", json=body, headers=merchant.headers
    )
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"code", "message"}


def test_wallet_ticket_transfers_to_an_account_binding(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    from circuits.ticket import holder_commitment

    gate = gate_for(factory, merchant)
    commitment = f"0x{holder_commitment(123456789):064x}"
    ticket = factory.ticket(merchant, gate.event["event_id"], holder_commitment=commitment)
    assert mint_status(client, merchant, ticket["ticket_id"])["reason"] == "wallet_bound"
    r = transfer(client, merchant, ticket["ticket_id"], "bob")
    assert r.status_code == 200, r.text
    assert r.json()["binding"] == "account"
    assert mint_status(client, merchant, ticket["ticket_id"]) == {
        "status": 403,
        "reason": "holder_mismatch",
    }
    token = mint(client, merchant, ticket["ticket_id"], holder_id="bob")
    assert scan(client, gate, token)["accepted"] is True
    r = client.get(f"{API}/tickets/{ticket['ticket_id']}/wallet", headers=merchant.headers)
    assert r.status_code == 409
