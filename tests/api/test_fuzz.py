"""No input reaches a 500: random JSON at every write route gets a 2xx or a shaped 4xx."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import API, SQLITE_ONLY, Factory, MerchantCtx

pytestmark = SQLITE_ONLY

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=80)
_json = st.recursive(
    _scalars,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=12), c, max_size=4),
    max_leaves=12,
)
_fields = [
    "event_id",
    "ticket_id",
    "name",
    "tier",
    "starts_at",
    "ends_at",
    "gates",
    "scopes",
    "not_before",
    "not_after",
    "holder_id",
    "role",
    "gate_ids",
    "merchant_id",
    "reveal_ticket_id",
]
_bodies = _json | st.dictionaries(st.sampled_from(_fields), _json, max_size=8)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=_bodies,
    route=st.sampled_from(["merchants", "keys", "events", "tickets", "tickets/x/revoke"]),
)
def test_random_bodies_never_500(
    client: TestClient, factory: Factory, merchant: MerchantCtx, body: Any, route: str
) -> None:
    r = client.post(
        f"{API}/{route}",
        content=json.dumps(body),
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"code", "message"}
