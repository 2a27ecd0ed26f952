"""API key authentication: headers, hashing at rest, 401 vs 403."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api import security
from tests.api.conftest import API, SQLITE_ONLY, Factory, MerchantCtx


def test_both_headers_are_accepted(client: TestClient, merchant: MerchantCtx) -> None:
    for headers in (
        {"X-AffixIO-Key": merchant.key},
        {"Authorization": f"Bearer {merchant.key}"},
        {"authorization": f"bearer {merchant.key}"},
    ):
        r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=headers)
        assert r.status_code == 201, headers


@SQLITE_ONLY
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-AffixIO-Key": ""},
        {"X-AffixIO-Key": "nonsense"},
        {"X-AffixIO-Key": "tk_aaaaaaaaaaaa_" + "A" * 43},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"X-AffixIO-Key": "x" * 5000},
    ],
)
def test_missing_or_wrong_key_is_401(client: TestClient, headers: dict[str, str]) -> None:
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_tampered_secret_with_a_real_key_id_is_401(
    client: TestClient, merchant: MerchantCtx
) -> None:
    last = merchant.key[-1]
    forged = merchant.key[:-1] + ("A" if last != "A" else "B")
    r = client.post(f"{API}/keys", json={"role": "merchant"}, headers={"X-AffixIO-Key": forged})
    assert r.status_code == 401


def test_keys_are_stored_hashed(
    client: TestClient, factory: Factory, merchant: MerchantCtx, engine: Engine
) -> None:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT key_id, key_hash FROM api_keys")).all()
    assert merchant.key not in repr(rows)
    key_id = security.parse_key_id(merchant.key)
    stored = {r.key_id: r.key_hash for r in rows}
    assert stored[key_id] == security.hash_api_key(merchant.key)
