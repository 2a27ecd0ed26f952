"""POST /keys, DELETE /keys/{key_id}."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import API, Factory, MerchantCtx, auth


def test_merchant_makes_merchant_and_gate_keys(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    ev = factory.event(merchant)
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=merchant.headers)
    assert r.status_code == 201 and r.json()["merchant_id"] == merchant.merchant_id
    gate = factory.gate_key(merchant, ev["event_id"], ["north"])
    assert gate["role"] == "gate" and gate["event_id"] == ev["event_id"]
    assert gate["gate_ids"] == ["north"]
    assert factory.gate_key(merchant, ev["event_id"])["gate_ids"] is None


def test_gate_key_validation(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    ev = factory.event(merchant)
    cases = [
        ({"role": "gate"}, 422),  # gate keys name their event
        ({"role": "gate", "event_id": ev["event_id"], "gate_ids": ["nowhere"]}, 422),
        ({"role": "gate", "event_id": "no-such-event"}, 404),
        ({"role": "merchant", "event_id": ev["event_id"]}, 422),
        ({"role": "admin"}, 422),  # admin keys only from the CLI
        ({"role": "gate", "event_id": ev["event_id"], "gate_ids": []}, 422),
    ]
    for body, status in cases:
        r = client.post(f"{API}/keys", json=body, headers=merchant.headers)
        assert r.status_code == status, (body, r.text)
        assert set(r.json()["error"]) == {"code", "message"}


def test_keys_for_another_merchant_are_forbidden(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    other = factory.merchant("Other")
    theirs = factory.event(other)
    r = client.post(
        f"{API}/keys",
        json={"role": "gate", "event_id": theirs["event_id"]},
        headers=merchant.headers,
    )
    assert r.status_code == 403
    r = client.post(
        f"{API}/keys",
        json={"role": "merchant", "merchant_id": other.merchant_id},
        headers=merchant.headers,
    )
    assert r.status_code == 403
    their_key = client.post(f"{API}/keys", json={"role": "merchant"}, headers=other.headers)
    r = client.delete(f"{API}/keys/{their_key.json()['key_id']}", headers=merchant.headers)
    assert r.status_code == 403


def test_admin_makes_keys_for_a_named_merchant(
    client: TestClient, admin_key: str, merchant: MerchantCtx
) -> None:
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=auth(admin_key))
    assert r.status_code == 422
    r = client.post(
        f"{API}/keys",
        json={"role": "merchant", "merchant_id": merchant.merchant_id},
        headers=auth(admin_key),
    )
    assert r.status_code == 201 and r.json()["merchant_id"] == merchant.merchant_id
    r = client.post(
        f"{API}/keys",
        json={"role": "merchant", "merchant_id": "m_missing"},
        headers=auth(admin_key),
    )
    assert r.status_code == 404


def test_revoked_key_is_refused_at_once(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=merchant.headers)
    key_id, key = r.json()["key_id"], r.json()["api_key"]
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=auth(key))
    assert r.status_code == 201
    r = client.delete(f"{API}/keys/{key_id}", headers=merchant.headers)
    assert r.status_code == 200 and r.json()["key_id"] == key_id
    again = client.delete(f"{API}/keys/{key_id}", headers=merchant.headers)
    assert again.status_code == 200 and again.json()["revoked_at"] == r.json()["revoked_at"]
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=auth(key))
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert client.delete(f"{API}/keys/nosuchkey", headers=merchant.headers).status_code == 404


def test_gate_key_cannot_manage_keys(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    ev = factory.event(merchant)
    gate = factory.gate_key(merchant, ev["event_id"])
    r = client.post(
        f"{API}/keys",
        json={"role": "gate", "event_id": ev["event_id"]},
        headers=auth(gate["api_key"]),
    )
    assert r.status_code == 403
    assert (
        client.delete(f"{API}/keys/{gate['key_id']}", headers=auth(gate["api_key"])).status_code
        == 403
    )
