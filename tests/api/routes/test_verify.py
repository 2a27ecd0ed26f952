"""POST /verify: the first valid scan is accepted, every replay, forgery or stale token is not."""

from __future__ import annotations

import base64
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.services import verification
from api.timeutil import utcnow
from api.token import decode_token, encode_token, token_bytes
from tests.api.conftest import API, SQLITE_ONLY, Factory, GateCtx, MerchantCtx, auth, mint, scan
from zkcore.curve import G1, G2
from zkcore.field import Fr


@pytest.fixture
def ticket(factory: Factory, merchant: MerchantCtx, gate: GateCtx) -> dict[str, Any]:
    return factory.ticket(merchant, gate.event["event_id"])


def test_first_scan_accepted_then_every_replay_refused(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx, ticket: dict
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    first = scan(client, gate, token)
    assert first["accepted"] is True and first["gate_id"] == "north"
    assert first["tier"] == "ga" and first["scope"] == gate.event["event_id"]
    assert first["consumed_at"].endswith("Z")
    assert "ticket_id" not in first  # the event does not reveal ticket ids
    assert scan(client, gate, token) == {"accepted": False, "reason": "already_consumed"}
    # Another gate, a fresh token for the same ticket: the statement was consumed.
    assert scan(client, gate, token, "vip-door")["accepted"] is False
    fresh = mint(client, merchant, ticket["ticket_id"])
    assert scan(client, gate, fresh) == {"accepted": False, "reason": "already_consumed"}


def test_reveal_ticket_id(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    event = factory.event(merchant, reveal_ticket_id=True)
    key = factory.gate_key(merchant, event["event_id"])
    gate = GateCtx(event, key["key_id"], key["api_key"])
    ticket = factory.ticket(merchant, event["event_id"])
    out = scan(client, gate, mint(client, merchant, ticket["ticket_id"]))
    assert out["accepted"] is True and out["ticket_id"] == ticket["ticket_id"]


def test_rerandomised_proof_buys_no_second_entry(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx, ticket: dict
) -> None:
    token = decode_token(mint(client, merchant, ticket["ticket_id"]))
    # (A/s, sB, C) is another valid proof of the same statement.
    s = secrets.randbelow(Fr.modulus - 1) + 1
    proof = replace(
        token.proof, a=G1.mul(token.proof.a, pow(s, -1, Fr.modulus)), b=G2.mul(token.proof.b, s)
    )
    other = encode_token(replace(token, proof=proof))
    assert other != encode_token(token)
    assert scan(client, gate, other)["accepted"] is True
    assert scan(client, gate, encode_token(token))["reason"] == "already_consumed"


def test_scan_retry_gets_the_first_answer(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx, ticket: dict
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    first = scan(client, gate, token, scan_id="scan-0001")
    assert first["accepted"] is True
    assert scan(client, gate, token, scan_id="scan-0001") == first  # lost response, retried
    assert scan(client, gate, token, scan_id="scan-0002")["reason"] == "already_consumed"
    # The same scan_id for another token is a gate bug: 409, nothing recorded.
    other = mint(client, merchant, ticket["ticket_id"])
    r = client.post(
        f"{API}/verify",
        json={"token": other, "gate_id": "north", "scan_id": "scan-0001"},
        headers=gate.headers,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "scan_id_reused"


def test_expired_and_future_tokens(
    client: TestClient,
    merchant: MerchantCtx,
    gate: GateCtx,
    ticket: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = mint(client, merchant, ticket["ticket_id"], ttl_seconds=5)
    now = utcnow()
    monkeypatch.setattr(verification, "utcnow", lambda: now + timedelta(seconds=60))
    assert scan(client, gate, token) == {"accepted": False, "reason": "expired"}
    monkeypatch.setattr(verification, "utcnow", lambda: now - timedelta(seconds=60))
    assert scan(client, gate, token) == {"accepted": False, "reason": "not_yet_valid"}
    monkeypatch.undo()
    assert scan(client, gate, token)["accepted"] is True  # neither refusal consumed it


def test_token_for_another_event(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx
) -> None:
    other_event = factory.event(merchant)
    ticket = factory.ticket(merchant, other_event["event_id"])
    token = mint(client, merchant, ticket["ticket_id"])
    assert scan(client, gate, token) == {"accepted": False, "reason": "wrong_event"}


def test_gate_and_tier_policy(
    client: TestClient, factory: Factory, merchant: MerchantCtx, gate: GateCtx, ticket: dict
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    # vip-door admits the vip tier only; "side" is not a gate of the event.
    assert scan(client, gate, token, "vip-door")["reason"] == "tier_not_allowed"
    assert scan(client, gate, token, "side")["reason"] == "gate_not_allowed"
    north_only = factory.gate_key(merchant, gate.event["event_id"], ["north"])
    north = GateCtx(gate.event, north_only["key_id"], north_only["api_key"])
    vip = factory.ticket(merchant, gate.event["event_id"], tier="vip")
    vip_token = mint(client, merchant, vip["ticket_id"])
    assert scan(client, north, vip_token, "vip-door")["reason"] == "gate_not_allowed"
    assert scan(client, north, vip_token, "north")["accepted"] is True
    assert scan(client, gate, token, scope="other-scope")["reason"] == "scope_not_allowed"
    assert scan(client, gate, token, "north")["accepted"] is True


def test_revoked_between_minting_and_scanning(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx, ticket: dict
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    r = client.post(f"{API}/tickets/{ticket['ticket_id']}/revoke", headers=merchant.headers)
    assert r.status_code == 200
    assert scan(client, gate, token) == {"accepted": False, "reason": "revoked"}


def test_root_outside_the_history_window(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx, ticket: dict, engine: Engine
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    with engine.begin() as conn:  # as if the root had been replaced long ago
        conn.execute(text("UPDATE merkle_roots SET root = :r"), {"r": "0" * 63 + "1"})
    assert scan(client, gate, token) == {"accepted": False, "reason": "unknown_root"}


def _flip(token: str, offset: int, mask: int = 1) -> str:
    raw = bytearray(token_bytes(decode_token(token)))
    raw[offset] ^= mask
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("offset", "reasons"),
    [
        (57 + 31, {"invalid_proof"}),  # nullifier: another statement
        (89 + 7, {"invalid_proof"}),  # now
        (97 + 7, {"invalid_proof"}),  # expires_at: token_binding changes
        (105, {"invalid_proof"}),  # nonce
        (25 + 31, {"invalid_proof", "unknown_root"}),  # root
        (1, {"wrong_event"}),  # event tag
        (9, {"scope_not_allowed"}),  # scope tag
        (17, {"invalid_proof"}),  # tier tag: no such tier
        (121 + 1, {"gate_not_allowed"}),  # gate_policy
        (123 + 5, {"malformed_token", "invalid_proof"}),  # proof.a bytes
        (155 + 9, {"malformed_token", "invalid_proof"}),  # proof.b bytes
        (219 + 3, {"malformed_token", "invalid_proof"}),  # proof.c bytes
    ],
)
def test_tampered_tokens_are_refused(
    client: TestClient,
    merchant: MerchantCtx,
    gate: GateCtx,
    ticket: dict,
    offset: int,
    reasons: set[str],
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    out = scan(client, gate, _flip(token, offset))
    assert out["accepted"] is False and out["reason"] in reasons
    assert scan(client, gate, token)["accepted"] is True  # the genuine one still enters once


@SQLITE_ONLY
@pytest.mark.parametrize(
    "token", ["", "x", "A" * 335, "A" * 1024, "!" * 40, "AQ==", "A" * 334 + "=", "é" * 10]
)
def test_malformed_tokens(client: TestClient, gate: GateCtx, token: str) -> None:
    r = client.post(
        f"{API}/verify", json={"token": token, "gate_id": "north"}, headers=gate.headers
    )
    if token == "":
        assert r.status_code == 422
    else:
        assert r.status_code == 200 and r.json() == {
            "accepted": False,
            "reason": "malformed_token",
        }


@SQLITE_ONLY
@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": "x"},
        {"gate_id": "north"},
        {"token": "A" * 1025, "gate_id": "north"},
        {"token": 5, "gate_id": "north"},
        {"token": "x", "gate_id": "north", "surprise": True},
        {"token": "x", "gate_id": "no spaces"},
    ],
)
def test_bad_requests_are_4xx(client: TestClient, gate: GateCtx, body: dict) -> None:
    r = client.post(f"{API}/verify", json=body, headers=gate.headers)
    assert r.status_code == 422 and "error" in r.json()


def test_only_gate_keys_verify(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx, ticket: dict, admin_key: str
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    body = {"token": token, "gate_id": "north"}
    assert client.post(f"{API}/verify", json=body).status_code == 401
    assert client.post(f"{API}/verify", json=body, headers=merchant.headers).status_code == 403
    assert client.post(f"{API}/verify", json=body, headers=auth(admin_key)).status_code == 403
    client.delete(f"{API}/keys/{gate.key_id}", headers=merchant.headers)
    assert client.post(f"{API}/verify", json=body, headers=gate.headers).status_code == 401


def test_screenshot_shown_at_two_gates(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, gates=[{"gate_id": "north"}, {"gate_id": "south"}])
    made = factory.gate_key(merchant, event["event_id"])
    gates = GateCtx(event, made["key_id"], made["api_key"])
    ticket = factory.ticket(merchant, event["event_id"])
    token = mint(client, merchant, ticket["ticket_id"])  # the holder's QR, and its screenshot
    assert scan(client, gates, token, "north")["accepted"] is True
    assert scan(client, gates, token, "south") == {"accepted": False, "reason": "already_consumed"}


def test_multi_day_pass_enters_once_per_day(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    event = factory.event(merchant, scopes=["day-1", "day-2"])
    made = factory.gate_key(merchant, event["event_id"])
    gate = GateCtx(event, made["key_id"], made["api_key"])
    ticket = factory.ticket(merchant, event["event_id"])
    tid = ticket["ticket_id"]
    day1 = scan(client, gate, mint(client, merchant, tid, scope="day-1"), scope="day-1")
    assert day1["accepted"] is True and day1["scope"] == "day-1"
    again = scan(client, gate, mint(client, merchant, tid, scope="day-1"), scope="day-1")
    assert again == {"accepted": False, "reason": "already_consumed"}
    # A day-1 token at a gate admitting day 2 only is refused without consuming anything.
    early = mint(client, merchant, tid, scope="day-2")
    assert scan(client, gate, early, scope="day-1")["reason"] == "scope_not_allowed"
    assert scan(client, gate, early, scope="day-2")["accepted"] is True
