"""Every 4xx in the stable shape, and no 500 on bad input."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import API, SQLITE_ONLY, Factory, MerchantCtx

# Input handling only: storage is exercised by the route and service tests on both backends.
pytestmark = SQLITE_ONLY


def _shape(r: object) -> dict[str, str]:
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return dict(body["error"])


def test_unknown_path_and_method(client: TestClient, merchant: MerchantCtx) -> None:
    r = client.get(f"{API}/nowhere")
    assert r.status_code == 404 and _shape(r)["code"] == "not_found"
    r = client.put(f"{API}/events/x", headers=merchant.headers)
    assert r.status_code == 405 and _shape(r)["code"] == "method_not_allowed"


def test_proof_routes_refuse_empty_bodies_in_shape(
    client: TestClient, merchant: MerchantCtx
) -> None:
    r = client.post(f"{API}/proof-token", json={}, headers=merchant.headers)
    assert r.status_code == 422 and _shape(r)["code"] == "validation_error"
    r = client.post(f"{API}/verify", json={}, headers=merchant.headers)
    assert r.status_code in (403, 422) and "code" in _shape(r)


@pytest.mark.parametrize(
    ("content", "ctype", "status", "code"),
    [
        (b"{not json", "application/json", 400, "malformed_json"),
        (b"", "application/json", 422, "validation_error"),
        (b"[]", "application/json", 422, "validation_error"),
        (b"null", "application/json", 422, "validation_error"),
        (b'"str"', "application/json", 422, "validation_error"),
        (b"\xff\xfe\x00", "application/json", 400, "malformed_json"),
        (b"ticket_id=x", "application/x-www-form-urlencoded", 422, "validation_error"),
        (
            b'{"ticket_id": {"$ne": 1}, "event_id": [], "tier": 1e400}',
            "application/json",
            422,
            "validation_error",
        ),
    ],
)
def test_bad_bodies_are_4xx(
    client: TestClient, merchant: MerchantCtx, content: bytes, ctype: str, status: int, code: str
) -> None:
    r = client.post(
        f"{API}/tickets", content=content, headers={**merchant.headers, "Content-Type": ctype}
    )
    assert r.status_code == status, r.text
    assert _shape(r)["code"] == code


def test_oversized_body_is_413(client: TestClient, merchant: MerchantCtx) -> None:
    big = b'{"name": "' + b"x" * 70_000 + b'"}'
    r = client.post(
        f"{API}/merchants",
        content=big,
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and _shape(r)["code"] == "payload_too_large"

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(40):
            yield b"x" * 4096

    r = client.post(
        f"{API}/merchants",
        content=chunks(),
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert r.status_code == 413 and _shape(r)["code"] == "payload_too_large"


def test_bad_path_ids_are_422(client: TestClient, merchant: MerchantCtx) -> None:
    r = client.get(f"{API}/tickets/{'x' * 100}", headers=merchant.headers)
    assert r.status_code == 422 and _shape(r)["code"] == "validation_error"
    r = client.get(f"{API}/tickets/a%20b", headers=merchant.headers)
    assert r.status_code == 422


def test_holder_id_never_reaches_errors_or_logs(
    client: TestClient,
    factory: Factory,
    merchant: MerchantCtx,
    caplog: pytest.LogCaptureFixture,
) -> None:
    holder = "secret-holder-" + "z" * 300  # too long: rejected, must not be echoed
    ev = factory.event(merchant)
    with caplog.at_level(logging.DEBUG):
        r = client.post(
            f"{API}/tickets",
            json=factory.ticket_body(ev["event_id"], holder_id=holder),
            headers=merchant.headers,
        )
        ok = client.post(
            f"{API}/tickets",
            json=factory.ticket_body(ev["event_id"], holder_id="bob@example.com"),
            headers=merchant.headers,
        )
    assert r.status_code == 422 and "secret-holder" not in r.text
    assert ok.status_code == 201 and "bob@example.com" not in ok.text
    assert "secret-holder" not in caplog.text and "bob@example.com" not in caplog.text
    assert merchant.key not in caplog.text


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get(f"{API}/openapi.json").json()
    assert f"{API}/tickets" in spec["paths"] and f"{API}/merchants" in spec["paths"]
    health = client.get(f"{API}/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
