"""POST /merchants."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import API, SQLITE_ONLY, GateCtx, MerchantCtx, auth


def test_admin_creates_merchant_with_a_working_key(client: TestClient, admin_key: str) -> None:
    r = client.post(f"{API}/merchants", json={"name": "  Acme Live "}, headers=auth(admin_key))
    assert r.status_code == 201
    body = r.json()
    assert body["merchant_id"].startswith("m_") and body["name"] == "Acme Live"
    assert body["api_key"].startswith("tk_") and body["created_at"].endswith("Z")
    # The new key works as a merchant key at once.
    assert (
        client.post(
            f"{API}/keys", json={"role": "merchant"}, headers=auth(body["api_key"])
        ).status_code
        == 201
    )


def test_merchant_and_gate_keys_cannot_create_merchants(
    client: TestClient, merchant: MerchantCtx, gate: GateCtx
) -> None:
    for key in (merchant.key, gate.key):
        r = client.post(f"{API}/merchants", json={"name": "Evil"}, headers=auth(key))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


@SQLITE_ONLY
def test_merchant_name_is_validated(client: TestClient, admin_key: str) -> None:
    for body in ({}, {"name": ""}, {"name": "x" * 201}, {"name": "ok", "extra": 1}):
        r = client.post(f"{API}/merchants", json=body, headers=auth(admin_key))
        assert r.status_code == 422, body
        assert r.json()["error"]["code"] == "validation_error"
