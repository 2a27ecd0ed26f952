"""api.verify_lane: plain scans skip FastAPI's routing, and every answer is the route's own."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api import verify_lane
from api.app import create_app
from api.config import Settings
from api.engine import ProofEngine
from api.verify_lane import VerifyLane, _replaying
from tests.api.conftest import API, Factory, GateCtx, MerchantCtx, mint

VERIFY = f"{API}/verify"


@pytest.fixture
def lane_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The gate ids of the scans the lane answered itself (the route's calls are not seen)."""
    calls: list[str] = []
    real = verify_lane.scan_in_gate_pool

    async def spy(app: Any, engine: Any, key: str, body: Any) -> Any:
        calls.append(body.gate_id)
        return await real(app, engine, key, body)

    monkeypatch.setattr(verify_lane, "scan_in_gate_pool", spy)
    return calls


@pytest.fixture
def route_only(
    settings: Settings, proof_engine: ProofEngine, client: TestClient
) -> Iterator[TestClient]:
    """A second app on the same database without the lane: the route's answers, for reference."""
    app = create_app(settings, proof_engine)
    app.user_middleware = [m for m in app.user_middleware if m.cls is not VerifyLane]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def ticket(factory: Factory, merchant: MerchantCtx, gate: GateCtx) -> dict[str, Any]:
    return factory.ticket(merchant, gate.event["event_id"])


def _answer(r: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    headers = {k: v for k, v in r.headers.items() if k not in ("date", "content-length")}
    return r.status_code, r.json(), headers


def _without_time(r: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    status, body, headers = _answer(r)
    return status, {k: v for k, v in body.items() if k != "consumed_at"}, headers


def test_plain_scans_take_the_lane_with_the_routes_answers(
    client: TestClient,
    route_only: TestClient,
    lane_calls: list[str],
    factory: Factory,
    merchant: MerchantCtx,
    gate: GateCtx,
) -> None:
    event_id = gate.event["event_id"]
    tokens = [mint(client, merchant, factory.ticket(merchant, event_id)["ticket_id"]) for _ in "ab"]
    bearer = {"Authorization": f"Bearer {gate.key}"}
    answers = []
    for c, token in zip((client, route_only), tokens, strict=True):
        first = c.post(VERIFY, json={"token": token, "gate_id": "north"}, headers=bearer)
        replay = c.post(VERIFY, json={"token": token, "gate_id": "north"}, headers=gate.headers)
        answers.append((_without_time(first), _answer(replay)))
    lane, route = answers
    assert lane == route
    assert lane[0][1]["accepted"] is True and lane[1][1] == {
        "accepted": False,
        "reason": "already_consumed",
    }
    assert lane_calls == ["north", "north"]


def _bad_requests(gate: GateCtx, token: str) -> list[dict[str, Any]]:
    body = {"token": token, "gate_id": "north"}
    json_type = {**gate.headers, "Content-Type": "application/json"}
    return [
        # Passed on to the route, which answers as always:
        {"json": body},  # no key: 401
        {"json": body, "headers": {"Authorization": "Basic abc"}},  # not a bearer key: 401
        {"content": b"{not json", "headers": json_type},  # 400 malformed_json
        {"content": b"\xff\xfe", "headers": json_type},  # not UTF-8: 400
        {"content": b"", "headers": json_type},  # 422
        {"json": {**body, "extra": 1}, "headers": gate.headers},  # unknown field: 422
        {"json": {"token": token}, "headers": gate.headers},  # no gate_id: 422
        {"json": [body], "headers": gate.headers},  # not an object: 422
        {"content": b"token=x", "headers": {**gate.headers, "Content-Type": "text/plain"}},
        # Taken by the lane, refused by the scan itself:
        {"json": body, "headers": {"X-AffixIO-Key": "tk_unknown.key"}},  # 401, challenge header
        {"json": {**body, "gate_id": "no-such-gate"}, "headers": gate.headers},
        {"json": {**body, "token": "AAAA"}, "headers": gate.headers},  # 200 malformed_token
    ]


def test_every_refusal_is_the_routes(
    client: TestClient,
    route_only: TestClient,
    lane_calls: list[str],
    merchant: MerchantCtx,
    gate: GateCtx,
    ticket: dict,
) -> None:
    token = mint(client, merchant, ticket["ticket_id"])
    for request in _bad_requests(gate, token):
        lane, route = (_answer(c.post(VERIFY, **request)) for c in (client, route_only))
        assert lane == route, request
        assert lane[0] != 200 or lane[1]["accepted"] is False, request
    assert lane_calls == ["north", "no-such-gate", "north"]  # the last three only
    # Nothing was consumed on the way: the token is still good.
    r = client.post(VERIFY, json={"token": token, "gate_id": "north"}, headers=gate.headers)
    assert r.json()["accepted"] is True


def test_oversized_bodies_are_413_on_the_lane(client: TestClient, gate: GateCtx) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield b'{"token": "'
        for _ in range(40):
            yield b"x" * 4096

    r = client.post(
        VERIFY, content=chunks(), headers={**gate.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    big = b'{"token": "' + b"x" * 100_000 + b'", "gate_id": "north"}'
    r = client.post(
        VERIFY, content=big, headers={**gate.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_other_methods_and_paths_pass_by(
    client: TestClient, lane_calls: list[str], gate: GateCtx
) -> None:
    r = client.get(VERIFY, headers=gate.headers)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    slash = {"json": {"token": "x", "gate_id": "north"}, "headers": gate.headers}
    r = client.post(f"{VERIFY}/", follow_redirects=False, **slash)  # type: ignore[arg-type]
    assert r.status_code == 307  # Starlette's redirect to the path without the slash
    assert lane_calls == []


def test_replaying_gives_the_read_messages_again_then_the_clients() -> None:
    read = [{"type": "http.request", "body": b"a", "more_body": True}]
    rest = [{"type": "http.request", "body": b"b", "more_body": False}]

    async def receive() -> dict[str, Any]:
        return rest.pop(0)

    async def drain() -> list[Any]:
        replay = _replaying(read, receive)
        return [await replay(), await replay()]

    assert asyncio.run(drain()) == read + [
        {"type": "http.request", "body": b"b", "more_body": False}
    ]
