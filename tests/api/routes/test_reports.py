"""GET /events/{event_id}/stats and GET /events/{event_id}/audit over gate-written entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Event, Ticket
from api.services.gate import consume, nullifier_hex, record_rejection
from api.services.reports import encode_cursor
from tests.api.conftest import API, SQLITE_ONLY, Factory, MerchantCtx, auth

T0 = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)
N1, N2 = 0x5EED << 200, 0xF00D << 180
HASH = "c0" * 32


def _at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _ts(seconds: int) -> str:
    return _at(seconds).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _pks(session: Session, event_id: str, *ticket_ids: str) -> tuple[int, ...]:
    event_pk = session.scalars(select(Event.id).where(Event.event_id == event_id)).one()
    tickets = [
        session.scalars(select(Ticket.id).where(Ticket.ticket_id == t)).one() for t in ticket_ids
    ]
    # End the read: on SQLite every transaction holds the write lock the app needs.
    session.commit()
    return (event_pk, *tickets)


def _scans(session: Session, event_pk: int, t1: int, t2: int) -> list[dict[str, Any]]:
    """Entries at gates north and vip-door (and an unknown one); the audit items, newest first."""

    def item(s: int, gate: str, scope: str | None, reason: str | None, scan: str | None) -> dict:
        result = "rejected" if reason else "accepted"
        return {"at": _ts(s), "gate_id": gate, "scope": scope, "result": result,
                "reason": reason, "scan_id": scan}  # fmt: skip

    consume(session, event_pk, "day-1", N1, "north", t1, now=_at(1))
    consume(session, event_pk, "day-1", N1, "vip-door", t1, now=_at(2))
    consume(session, event_pk, "day-2", N1, "north", t1, now=_at(3), scan_id="a", token_hash=HASH)
    consume(session, event_pk, "day-1", N2, "vip-door", t2, now=_at(3))
    record_rejection(session, event_pk, "north", "expired", now=_at(4))
    record_rejection(session, event_pk, "vip-door", "invalid_proof", scope="day-1", now=_at(4))
    record_rejection(session, event_pk, "south", "gate_not_allowed", scope="day-2", now=_at(5))
    record_rejection(
        session, event_pk, "north", "malformed_token", scan_id="b", token_hash=HASH, now=_at(5)
    )
    consume(session, event_pk, "day-2", N2, "north", t2, now=_at(6), scan_id="c", token_hash=HASH)
    return [
        item(6, "north", "day-2", None, "c"),
        item(5, "north", None, "malformed_token", "b"),
        item(5, "south", "day-2", "gate_not_allowed", None),
        item(4, "vip-door", "day-1", "invalid_proof", None),
        item(4, "north", None, "expired", None),
        item(3, "vip-door", "day-1", None, None),
        item(3, "north", "day-2", None, "a"),
        item(2, "vip-door", "day-1", "already_consumed", None),
        item(1, "north", "day-1", None, None),
    ]


class Scenario:
    """A merchant's event with two tickets and the entries of `_scans`."""

    def __init__(self, factory: Factory, session: Session, merchant: MerchantCtx, **over: Any):
        self.merchant = merchant
        self.event = factory.event(merchant, scopes=["day-1", "day-2"], **over)
        self.event_id = self.event["event_id"]
        self.tickets = [factory.ticket(merchant, self.event_id)["ticket_id"] for _ in range(2)]
        event_pk, t1, t2 = _pks(session, self.event_id, *self.tickets)
        self.items = _scans(session, event_pk, t1, t2)

    def url(self, what: str) -> str:
        return f"{API}/events/{self.event_id}/{what}"


@pytest.fixture
def scenario(factory: Factory, session: Session, merchant: MerchantCtx) -> Scenario:
    return Scenario(factory, session, merchant)


def _pages(client: TestClient, sc: Scenario, **params: Any) -> list[list[dict[str, Any]]]:
    """Every page of the audit log with these query parameters, following next_cursor."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = client.get(sc.url("audit"), params=query, headers=sc.merchant.headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100


def test_stats(client: TestClient, scenario: Scenario) -> None:
    r = client.get(scenario.url("stats"), headers=scenario.merchant.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "event_id": scenario.event_id,
        "entries": 4,
        "rejections": {
            "already_consumed": 1,
            "expired": 1,
            "gate_not_allowed": 1,
            "invalid_proof": 1,
            "malformed_token": 1,
        },
        "by_gate": {
            "north": {"accepted": 3, "rejected": 2},
            "vip-door": {"accepted": 1, "rejected": 2},
            "south": {"accepted": 0, "rejected": 1},
        },
        "by_scope": {
            "day-1": {"accepted": 2, "rejected": 2},
            "day-2": {"accepted": 2, "rejected": 1},
        },
        "first_entry_at": _ts(1),
        "last_entry_at": _ts(6),
    }


def test_stats_window(client: TestClient, scenario: Scenario) -> None:
    # since is inclusive, until exclusive; any zone is accepted.
    params = {"since": "2025-03-10T19:00:03+01:00", "until": _ts(5)}
    r = client.get(scenario.url("stats"), params=params, headers=scenario.merchant.headers)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["entries"] == 2
    assert got["rejections"] == {"expired": 1, "invalid_proof": 1}
    assert got["by_gate"] == {
        "north": {"accepted": 1, "rejected": 1},
        "vip-door": {"accepted": 1, "rejected": 1},
    }
    assert got["by_scope"] == {
        "day-1": {"accepted": 1, "rejected": 1},
        "day-2": {"accepted": 1, "rejected": 0},
    }
    assert (got["first_entry_at"], got["last_entry_at"]) == (_ts(3), _ts(3))
    empty = client.get(
        scenario.url("stats"), params={"since": _ts(7)}, headers=scenario.merchant.headers
    ).json()
    assert empty["entries"] == 0 and empty["rejections"] == {}
    assert empty["first_entry_at"] is None and empty["last_entry_at"] is None


def test_stats_of_an_event_without_entries(
    client: TestClient, factory: Factory, merchant: MerchantCtx
) -> None:
    ev = factory.event(merchant)
    r = client.get(f"{API}/events/{ev['event_id']}/stats", headers=merchant.headers)
    assert r.status_code == 200
    assert r.json()["by_scope"] == {ev["event_id"]: {"accepted": 0, "rejected": 0}}
    assert r.json()["entries"] == 0 and r.json()["first_entry_at"] is None


def test_audit_whole_log_newest_first(client: TestClient, scenario: Scenario) -> None:
    pages = _pages(client, scenario)
    assert pages == [scenario.items]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 8, 9, 10])
def test_audit_pages_have_no_gaps_or_duplicates(
    client: TestClient, scenario: Scenario, limit: int
) -> None:
    # limit 2 splits the tie at 5 s across pages; 3 splits the one at 3 s.
    pages = _pages(client, scenario, limit=limit)
    assert [i for page in pages for i in page] == scenario.items
    assert all(len(p) == limit for p in pages[:-1]) and 1 <= len(pages[-1]) <= limit


def test_audit_page_boundary_survives_new_entries(
    client: TestClient, scenario: Scenario, session: Session
) -> None:
    first = client.get(
        scenario.url("audit"), params={"limit": 4}, headers=scenario.merchant.headers
    ).json()
    assert first["items"] == scenario.items[:4]
    event_pk = _pks(session, scenario.event_id)[0]
    record_rejection(session, event_pk, "north", "expired", now=_at(60))  # newer than all
    rest = client.get(
        scenario.url("audit"),
        params={"limit": 100, "cursor": first["next_cursor"]},
        headers=scenario.merchant.headers,
    ).json()
    assert rest == {"items": scenario.items[4:], "next_cursor": None}


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"gate_id": "north"}, lambda i: i["gate_id"] == "north"),
        ({"result": "accepted"}, lambda i: i["result"] == "accepted"),
        ({"result": "rejected", "gate_id": "vip-door"},
         lambda i: i["result"] == "rejected" and i["gate_id"] == "vip-door"),
        ({"reason": "expired"}, lambda i: i["reason"] == "expired"),
        ({"reason": "expired", "result": "accepted"}, lambda i: False),
        ({"gate_id": "nowhere"}, lambda i: False),
    ],
)  # fmt: skip
def test_audit_filters(
    client: TestClient, scenario: Scenario, params: dict[str, str], keep: Any
) -> None:
    expected = [i for i in scenario.items if keep(i)]
    pages = _pages(client, scenario, limit=2, **params)
    assert [i for page in pages for i in page] == expected


def test_audit_has_no_personal_data(
    client: TestClient, scenario: Scenario, factory: Factory
) -> None:
    r = client.get(scenario.url("audit"), headers=scenario.merchant.headers)
    text = r.text
    assert all("ticket_id" not in item for item in r.json()["items"])
    for secret in (*scenario.tickets, HASH, nullifier_hex(N1), nullifier_hex(N2)):
        assert secret not in text
    assert "nullifier" not in text and "token_hash" not in text and "holder" not in text


def test_audit_reveals_ticket_ids_of_accepted_entries(
    client: TestClient, factory: Factory, session: Session, merchant: MerchantCtx
) -> None:
    sc = Scenario(factory, session, merchant, reveal_ticket_id=True)
    t1, t2 = sc.tickets
    items = client.get(sc.url("audit"), headers=merchant.headers).json()["items"]
    # Accepted: 6 s (t2), 3 s vip-door (t2), 3 s north (t1), 1 s (t1); refusals name none.
    expected = [t2, None, None, None, None, t2, t1, None, t1]
    assert [i["ticket_id"] for i in items] == expected
    assert [{k: v for k, v in i.items() if k != "ticket_id"} for i in items] == sc.items


def test_access(client: TestClient, factory: Factory, scenario: Scenario, admin_key: str) -> None:
    other = factory.merchant("Other")
    gate = factory.gate_key(scenario.merchant, scenario.event_id)
    for what in ("stats", "audit"):
        url = scenario.url(what)
        assert client.get(url).status_code == 401
        assert client.get(url, headers=auth("tk_nope_nope")).status_code == 401
        for key in (other.key, gate["api_key"], admin_key):
            r = client.get(url, headers=auth(key))
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        missing = client.get(f"{API}/events/missing/{what}", headers=scenario.merchant.headers)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        # The owner, with a Bearer key too.
        bearer = {"Authorization": f"Bearer {scenario.merchant.key}"}
        assert client.get(url, headers=bearer).status_code == 200


@SQLITE_ONLY
@pytest.mark.parametrize(
    "cursor",
    ["", "!!!", "abc", "x" * 500, encode_cursor(T0, 1)[:-2], "AQ", "%00", "e30="],
)
def test_bad_cursor_is_400(client: TestClient, scenario: Scenario, cursor: str) -> None:
    r = client.get(
        scenario.url("audit"), params={"cursor": cursor}, headers=scenario.merchant.headers
    )
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_cursor"
    assert "cursor" in r.json()["error"]["message"]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("what", "params"),
    [
        ("audit", {"limit": 0}),
        ("audit", {"limit": 501}),
        ("audit", {"limit": "ten"}),
        ("audit", {"result": "maybe"}),
        ("audit", {"reason": "Not A Reason"}),
        ("audit", {"gate_id": "bad gate"}),
        ("stats", {"since": "2025-03-10T18:00:00"}),  # no zone
        ("stats", {"until": "tomorrow"}),
    ],
)
def test_bad_query_is_422(
    client: TestClient, scenario: Scenario, what: str, params: dict[str, Any]
) -> None:
    r = client.get(scenario.url(what), params=params, headers=scenario.merchant.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert set(r.json()["error"]) == {"code", "message"}


@SQLITE_ONLY
def test_window_upside_down_is_400(client: TestClient, scenario: Scenario) -> None:
    params = {"since": _ts(5), "until": _ts(4)}
    r = client.get(scenario.url("stats"), params=params, headers=scenario.merchant.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_window"


@SQLITE_ONLY
def test_limit_500_is_allowed(client: TestClient, scenario: Scenario) -> None:
    r = client.get(scenario.url("audit"), params={"limit": 500}, headers=scenario.merchant.headers)
    assert r.status_code == 200 and r.json()["next_cursor"] is None
