"""POST /proof-token: eligibility, the token's contents, and who may mint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from api.fields import event_field, scope_field, tier_field
from api.schemas import TTL_DEFAULT_SECONDS
from api.timeutil import format_ts
from api.token import TOKEN_CHARS, decode_token, tag
from tests.api.conftest import API, SQLITE_ONLY, Factory, GateCtx, MerchantCtx, auth

HOLDER = "holder-7@example.com"


def mint(client: TestClient, merchant: MerchantCtx, **body: object) -> dict:
    r = client.post(f"{API}/proof-token", json=body, headers=merchant.headers)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_token_for_a_ticket(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant)
    ticket = factory.ticket(merchant, event["event_id"], tier="vip")
    before = datetime.now(UTC)
    out = mint(client, merchant, ticket_id=ticket["ticket_id"])
    assert out["eligible"] is True and out["circuit_id"] == "ticketing"
    assert out["ticket_id"] == ticket["ticket_id"] and out["scope"] == event["event_id"]
    assert len(out["token"]) == TOKEN_CHARS
    token = decode_token(out["token"])
    assert token.event_tag == tag(event_field(event["event_id"]))
    assert token.scope_tag == tag(scope_field(event["event_id"]))
    assert token.tier_tag == tag(tier_field("vip"))
    assert token.expires_at - token.now == TTL_DEFAULT_SECONDS
    assert abs(token.now - before.timestamp()) < 5
    expires = datetime.fromisoformat(out["expires_at"].replace("Z", "+00:00"))
    assert int(expires.timestamp()) == token.expires_at
    # Every token is fresh: new nonce, new proof; the nullifier (the statement) is the same.
    again = decode_token(mint(client, merchant, ticket_id=ticket["ticket_id"])["token"])
    assert again.nonce != token.nonce and again.proof != token.proof
    assert again.nullifier == token.nullifier


def test_ttl_bounds(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant)
    ticket = factory.ticket(merchant, event["event_id"])
    out = mint(client, merchant, ticket_id=ticket["ticket_id"], ttl_seconds=300)
    token = decode_token(out["token"])
    assert token.expires_at - token.now == 300
    for bad in (4, 301, "30", None):
        r = client.post(
            f"{API}/proof-token",
            json={"ticket_id": ticket["ticket_id"], "ttl_seconds": bad},
            headers=merchant.headers,
        )
        assert r.status_code == 422, bad


def test_token_never_outlives_the_ticket_window(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant)
    closes = datetime.now(UTC) + timedelta(seconds=20)
    ticket = factory.ticket(merchant, event["event_id"], not_after=format_ts(closes))
    token = decode_token(
        mint(client, merchant, ticket_id=ticket["ticket_id"], ttl_seconds=300)["token"]
    )
    assert token.expires_at == int(closes.timestamp())


def test_revoked_ticket_is_ineligible(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant)
    ticket = factory.ticket(merchant, event["event_id"])
    client.post(f"{API}/tickets/{ticket['ticket_id']}/revoke", headers=merchant.headers)
    r = client.post(
        f"{API}/proof-token", json={"ticket_id": ticket["ticket_id"]}, headers=merchant.headers
    )
    assert r.status_code == 409
    assert r.json()["eligible"] is False and r.json()["reason"] == "revoked"
    assert r.json()["error"]["code"] == "revoked"


def test_holder_binding(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant)
    ticket = factory.ticket(merchant, event["event_id"], holder_id=HOLDER)
    for holder in (None, "someone-else"):
        body = {"ticket_id": ticket["ticket_id"]}
        if holder:
            body["holder_id"] = holder
        r = client.post(f"{API}/proof-token", json=body, headers=merchant.headers)
        assert r.status_code == 403
        assert r.json()["reason"] == "holder_mismatch"
        assert HOLDER not in r.text
    mint(client, merchant, ticket_id=ticket["ticket_id"], holder_id=HOLDER)


def test_activation_window(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant)
    now = datetime.now(UTC)
    later = factory.ticket(
        merchant, event["event_id"], not_before=format_ts(now + timedelta(hours=24))
    )
    over = factory.ticket(
        merchant, event["event_id"], not_after=format_ts(now - timedelta(hours=1))
    )
    for ticket, reason in ((later, "not_yet_active"), (over, "window_closed")):
        r = client.post(
            f"{API}/proof-token", json={"ticket_id": ticket["ticket_id"]}, headers=merchant.headers
        )
        assert r.status_code == 409 and r.json()["reason"] == reason


def test_scopes(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant, scopes=["day-1", "day-2"])
    ticket = factory.ticket(merchant, event["event_id"])
    r = client.post(
        f"{API}/proof-token", json={"ticket_id": ticket["ticket_id"]}, headers=merchant.headers
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "scope_required"
    r = client.post(
        f"{API}/proof-token",
        json={"ticket_id": ticket["ticket_id"], "scope": "day-3"},
        headers=merchant.headers,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_scope"
    day1 = decode_token(
        mint(client, merchant, ticket_id=ticket["ticket_id"], scope="day-1")["token"]
    )
    day2 = decode_token(
        mint(client, merchant, ticket_id=ticket["ticket_id"], scope="day-2")["token"]
    )
    assert day1.scope_tag == tag(scope_field("day-1")) and day2.scope_tag == tag(
        scope_field("day-2")
    )
    assert day1.nullifier != day2.nullifier  # one entry per scope


def test_who_may_mint(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx, admin_key: str
) -> None:
    ticket = factory.ticket(merchant, gate.event["event_id"])
    body = {"ticket_id": ticket["ticket_id"]}
    assert client.post(f"{API}/proof-token", json=body).status_code == 401
    assert client.post(f"{API}/proof-token", json=body, headers=gate.headers).status_code == 403
    assert client.post(f"{API}/proof-token", json=body, headers=auth(admin_key)).status_code == 403
    other = factory.merchant("Other Tickets Ltd")
    assert client.post(f"{API}/proof-token", json=body, headers=other.headers).status_code == 403
    missing = {"ticket_id": "no-such-ticket"}
    assert (
        client.post(f"{API}/proof-token", json=missing, headers=merchant.headers).status_code == 404
    )


@SQLITE_ONLY
@pytest.mark.parametrize(
    "body",
    [{}, {"ticket_id": ""}, {"ticket_id": "a b"}, {"ticket_id": "t", "extra": 1}, {"ticket_id": 7}],
)
def test_bad_bodies(client: TestClient, merchant: MerchantCtx, body: dict) -> None:
    r = client.post(f"{API}/proof-token", json=body, headers=merchant.headers)
    assert r.status_code == 422 and "error" in r.json()
