"""POST /events, GET /events/{event_id}."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import API, SQLITE_ONLY, Factory, MerchantCtx, auth


def test_create_and_get_event(client: TestClient, factory: Factory, merchant: MerchantCtx) -> None:
    body = factory.event_body(
        starts_at="2025-03-10T19:00:00+01:00", scopes=["day-1", "day-2"], reveal_ticket_id=True
    )
    r = client.post(f"{API}/events", json=body, headers=merchant.headers)
    assert r.status_code == 201, r.text
    ev = r.json()
    assert ev["starts_at"] == "2025-03-10T18:00:00.000Z"  # normalised to UTC, ms, Z
    assert ev["gates"] == [
        {"gate_id": "north", "tiers": None},
        {"gate_id": "vip-door", "tiers": ["vip"]},
    ]
    assert ev["scopes"] == ["day-1", "day-2"] and ev["reveal_ticket_id"] is True
    got = client.get(f"{API}/events/{body['event_id']}", headers=merchant.headers)
    assert got.status_code == 200 and got.json() == ev


def test_default_scope_is_the_event(factory: Factory, merchant: MerchantCtx) -> None:
    ev = factory.event(merchant)
    assert ev["scopes"] == [ev["event_id"]] and ev["reveal_ticket_id"] is False


def test_same_body_is_idempotent_other_body_conflicts(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    body = factory.event_body()
    first = client.post(f"{API}/events", json=body, headers=merchant.headers)
    again = client.post(f"{API}/events", json=body, headers=merchant.headers)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    r = client.post(f"{API}/events", json={**body, "name": "Other"}, headers=merchant.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    other = factory.merchant("Other")
    assert client.post(f"{API}/events", json=body, headers=other.headers).status_code == 409


@SQLITE_ONLY
@pytest.mark.parametrize(
    "over",
    [
        {"event_id": ""},
        {"event_id": "a" * 65},
        {"event_id": "bad id"},
        {"event_id": "../etc"},
        {"event_id": 7},
        {"starts_at": "2025-03-10T18:00:00"},  # no timezone
        {"starts_at": "yesterday"},
        {"ends_at": "2025-03-10T17:00:00Z"},  # before starts_at
        {"gates": []},
        {"gates": [{"gate_id": "a"}, {"gate_id": "a"}]},
        {"gates": [{"gate_id": "a", "tiers": []}]},
        {"gates": [{"gate_id": "a", "tiers": ["no space"]}]},
        {"scopes": []},
        {"scopes": ["d1", "d1"]},
        {"name": ""},
        {"unknown": True},
    ],
)
def test_invalid_event_bodies_are_422(
    client: TestClient, factory: Factory, merchant: MerchantCtx, over: dict[str, Any]
) -> None:
    r = client.post(f"{API}/events", json=factory.event_body(**over), headers=merchant.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"


def test_event_access_by_role_and_merchant(
    client: TestClient, factory: Factory, merchant: MerchantCtx, admin_key: str
) -> None:
    ev = factory.event(merchant)
    other = factory.merchant("Other")
    gate = factory.gate_key(merchant, ev["event_id"])
    url = f"{API}/events/{ev['event_id']}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=other.headers).status_code == 403
    assert client.get(url, headers=auth(gate["api_key"])).status_code == 403
    assert client.get(url, headers=auth(admin_key)).status_code == 403
    assert client.get(f"{API}/events/missing", headers=merchant.headers).status_code == 404
    r = client.post(f"{API}/events", json=factory.event_body(), headers=auth(gate["api_key"]))
    assert r.status_code == 403
