"""POST /tickets, GET /tickets/{ticket_id}, POST /tickets/{ticket_id}/revoke."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from tests.api.conftest import API, SQLITE_ONLY, Factory, MerchantCtx, auth

HOLDER = "alice.holder@example.com"


@pytest.fixture
def event_id(factory: Factory, merchant: MerchantCtx) -> str:
    return str(factory.event(merchant)["event_id"])


def test_issue_and_get_ticket(
    client: TestClient, factory: Factory, merchant: MerchantCtx, event_id: str
) -> None:
    body = factory.ticket_body(
        event_id,
        tier="vip",
        not_before="2025-03-09T18:00:00.5Z",
        not_after="2025-03-10T23:59:59.999Z",
        holder_id=HOLDER,
    )
    r = client.post(f"{API}/tickets", json=body, headers=merchant.headers)
    assert r.status_code == 201, r.text
    t = r.json()
    assert t == {
        "ticket_id": body["ticket_id"],
        "event_id": event_id,
        "tier": "vip",
        "not_before": "2025-03-09T18:00:00.500Z",
        "not_after": "2025-03-10T23:59:59.999Z",
        "holder_bound": True,
        "binding": "account",
        "state": "active",
        "created_at": t["created_at"],
        "revoked_at": None,
        # The event's transfer and resale rules (the defaults): see test_transfers.py.
        "transfer": {"policy": "allowed", "max_transfers": None},
        "resale": {"policy": "disabled", "price_cap": None},
        "transfer_count": 0,
    }
    assert HOLDER not in r.text
    got = client.get(f"{API}/tickets/{body['ticket_id']}", headers=merchant.headers)
    assert got.status_code == 200 and got.json() == t


def test_same_body_is_idempotent_other_body_conflicts(
    client: TestClient, factory: Factory, merchant: MerchantCtx, event_id: str
) -> None:
    body = factory.ticket_body(event_id, holder_id=HOLDER, not_before="2025-03-10T00:00:00Z")
    first = client.post(f"{API}/tickets", json=body, headers=merchant.headers)
    again = client.post(f"{API}/tickets", json=body, headers=merchant.headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    # The same instant written another way is the same body.
    same = {**body, "not_before": "2025-03-10T01:00:00+01:00"}
    assert client.post(f"{API}/tickets", json=same, headers=merchant.headers).status_code == 200
    for change in (
        {"tier": "vip"},
        {"holder_id": "bob"},
        {"holder_id": None},
        {"not_after": "2025-03-11T00:00:00Z"},
        {"not_before": None},
    ):
        r = client.post(f"{API}/tickets", json={**body, **change}, headers=merchant.headers)
        assert r.status_code == 409, change
        assert r.json()["error"]["code"] == "conflict"


def test_revoke_is_immediate_and_idempotent(
    client: TestClient, factory: Factory, merchant: MerchantCtx, event_id: str
) -> None:
    t = factory.ticket(merchant, event_id)
    url = f"{API}/tickets/{t['ticket_id']}/revoke"
    r = client.post(url, headers=merchant.headers)
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert r.json()["revoked_at"].endswith("Z")
    again = client.post(url, headers=merchant.headers)
    assert again.json() == r.json()
    got = client.get(f"{API}/tickets/{t['ticket_id']}", headers=merchant.headers)
    assert got.json()["state"] == "revoked"
    assert client.post(f"{API}/tickets/missing/revoke", headers=merchant.headers).status_code == 404


@SQLITE_ONLY
@pytest.mark.parametrize(
    "over",
    [
        {"ticket_id": ""},
        {"ticket_id": "t" * 65},
        {"ticket_id": "tab\there"},
        {"tier": ""},
        {"tier": "v" * 33},
        {"tier": "a b"},
        {"not_before": "2025-03-11T00:00:00Z", "not_after": "2025-03-10T00:00:00Z"},
        {"not_before": "2025-03-11T00:00:00"},
        {"holder_id": ""},
        {"holder_id": "h" * 257},
        {"holder_id": 12},
        {"state": "revoked"},
    ],
)
def test_invalid_ticket_bodies_are_422(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    event_id: str,
    over: dict[str, Any],
) -> None:
    r = client.post(
        f"{API}/tickets", json=factory.ticket_body(event_id, **over), headers=merchant.headers
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"


def test_ticket_for_unknown_or_foreign_event(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    other = factory.merchant("Other")
    theirs = factory.event(other)["event_id"]
    r = client.post(f"{API}/tickets", json=factory.ticket_body("nope"), headers=merchant.headers)
    assert r.status_code == 404
    r = client.post(f"{API}/tickets", json=factory.ticket_body(theirs), headers=merchant.headers)
    assert r.status_code == 403


def test_merchant_cannot_reach_another_merchants_ticket(
    client: TestClient, factory: Factory, merchant: MerchantCtx, event_id: str
) -> None:
    t = factory.ticket(merchant, event_id)
    other = factory.merchant("Other")
    tid = t["ticket_id"]
    assert client.get(f"{API}/tickets/{tid}", headers=other.headers).status_code == 403
    assert client.post(f"{API}/tickets/{tid}/revoke", headers=other.headers).status_code == 403
    # Re-posting someone else's ticket id reveals nothing and changes nothing.
    body = factory.ticket_body(event_id, ticket_id=tid)
    assert client.post(f"{API}/tickets", json=body, headers=other.headers).status_code == 403
    got = client.get(f"{API}/tickets/{tid}", headers=merchant.headers)
    assert got.json()["state"] == "active"


def test_gate_key_cannot_issue_or_read_tickets(
    client: TestClient, factory: Factory, merchant: MerchantCtx, event_id: str
) -> None:
    t = factory.ticket(merchant, event_id)
    gate = auth(factory.gate_key(merchant, event_id)["api_key"])
    assert (
        client.post(f"{API}/tickets", json=factory.ticket_body(event_id), headers=gate).status_code
        == 403
    )
    assert client.get(f"{API}/tickets/{t['ticket_id']}", headers=gate).status_code == 403
    assert client.post(f"{API}/tickets/{t['ticket_id']}/revoke", headers=gate).status_code == 403


def test_holder_id_is_never_stored_in_clear(
    client: TestClient, factory: Factory, merchant: MerchantCtx, event_id: str, engine: Engine
) -> None:
    factory.ticket(merchant, event_id, holder_id=HOLDER)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM tickets")).all()
    dump = repr(rows)
    assert HOLDER not in dump and HOLDER.encode().hex() not in dump
    (row,) = rows
    assert len(row.holder_hash) == 64  # a keyed hash, not the id
