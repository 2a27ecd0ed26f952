"""Stats and the audit log over entries written by the gate service itself."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.models import EntryResult, Event, Ticket, TicketState
from api.services.gate import consume, record_rejection
from api.services.reports import (
    AUDIT_LIMIT_MAX,
    AuditFilter,
    AuditItem,
    InvalidCursor,
    audit_page,
    decode_cursor,
    encode_cursor,
    event_stats,
)
from tests.api.conftest import event_row

T0 = datetime(2025, 3, 10, 18, 0, tzinfo=UTC)
NULLIFIER = 0xABCDEF << 120


def _event(session: Session, event_id: str = "ev", reveal: bool = False) -> Event:
    return event_row(session, event_id, reveal=reveal, at=T0)


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _all(
    session: Session, event: Event, limit: int, where: AuditFilter | None = None
) -> list[AuditItem]:
    """Every item, page by page, following next_cursor."""
    items: list[AuditItem] = []
    cursor: str | None = None
    for _ in range(1000):
        page = audit_page(session, event, limit=limit, cursor=cursor, where=where)
        assert len(page.items) <= limit
        items += page.items
        cursor = page.next_cursor
        if cursor is None:
            return items
        assert len(page.items) == limit  # only a full page has a successor
    raise AssertionError("pagination does not end")


def test_stats_of_an_empty_event_list_its_gates_and_scopes(session: Session) -> None:
    stats = event_stats(session, _event(session))
    assert stats.model_dump() == {
        "event_id": "ev",
        "entries": 0,
        "rejections": {},
        "by_gate": {g: {"accepted": 0, "rejected": 0} for g in ("north", "vip")},
        "by_scope": {s: {"accepted": 0, "rejected": 0} for s in ("day1", "day2")},
        "first_entry_at": None,
        "last_entry_at": None,
    }


def test_stats_count_per_reason_gate_and_scope(session: Session) -> None:
    event = _event(session)
    other = _event(session, "other")
    consume(session, event.id, "day1", NULLIFIER, "north", None, now=_at(1))
    consume(session, event.id, "day1", NULLIFIER, "vip", None, now=_at(2))  # already consumed
    consume(session, event.id, "day1", NULLIFIER, "north", None, now=_at(3))  # again
    consume(session, event.id, "day2", NULLIFIER, "vip", None, now=_at(4))
    record_rejection(session, event.id, "north", "expired", now=_at(5))
    record_rejection(session, event.id, "side", "gate_not_allowed", scope="day2", now=_at(6))
    # Another event's entries never count.
    consume(session, other.id, "day1", NULLIFIER, "north", None, now=_at(0))
    record_rejection(session, other.id, "north", "expired", now=_at(9))

    stats = event_stats(session, event)
    assert stats.entries == 2
    assert stats.rejections == {"already_consumed": 2, "expired": 1, "gate_not_allowed": 1}
    assert {k: v.model_dump() for k, v in stats.by_gate.items()} == {
        "north": {"accepted": 1, "rejected": 2},
        "vip": {"accepted": 1, "rejected": 1},
        "side": {"accepted": 0, "rejected": 1},
    }
    assert list(stats.by_gate) == ["north", "vip", "side"]
    # The expired scan carries no scope: it counts in rejections and by_gate only.
    assert {k: v.model_dump() for k, v in stats.by_scope.items()} == {
        "day1": {"accepted": 1, "rejected": 2},
        "day2": {"accepted": 1, "rejected": 1},
    }
    assert (stats.first_entry_at, stats.last_entry_at) == (_at(1), _at(4))

    # [since, until): 2 <= at < 5 keeps the two refusals at 2 and 3 and the entry at 4.
    window = event_stats(session, event, since=_at(2), until=_at(5))
    assert window.entries == 1 and window.rejections == {"already_consumed": 2}
    assert (window.first_entry_at, window.last_entry_at) == (_at(4), _at(4))
    assert "side" not in window.by_gate
    empty = event_stats(session, event, since=_at(7))
    assert empty.entries == 0 and empty.rejections == {} and empty.first_entry_at is None
    with pytest.raises(ApiError) as err:
        event_stats(session, event, since=_at(5), until=_at(4))
    assert err.value.code == "invalid_window"


def test_audit_pages_are_complete_and_stable_under_ties(session: Session) -> None:
    event = _event(session)
    # 23 entries sharing one timestamp, around others: only the id can order them.
    consume(session, event.id, "day1", NULLIFIER, "north", None, now=_at(0))
    for i in range(23):
        record_rejection(
            session,
            event.id,
            f"g{i:02d}",
            "expired",
            scan_id=f"s{i}",
            token_hash="ab" * 32,
            now=_at(1),
        )
        record_rejection(session, event.id, "north", "invalid_proof", now=_at(1 + i % 3 / 1000))
    consume(session, event.id, "day1", NULLIFIER, "vip", None, now=_at(2))
    whole = audit_page(session, event, limit=AUDIT_LIMIT_MAX)
    assert whole.next_cursor is None and len(whole.items) == 48
    ats = [i.at for i in whole.items]
    assert ats == sorted(ats, reverse=True)
    # Within a tie, newest write first.
    tied = [i.gate_id for i in whole.items if i.at == _at(1) and i.gate_id != "north"]
    assert tied == [f"g{i:02d}" for i in reversed(range(23))]
    for limit in (1, 2, 5, 7, 23, 24, 47, 48):
        assert _all(session, event, limit) == whole.items


def test_audit_filters_and_their_pages(session: Session) -> None:
    event = _event(session)
    consume(session, event.id, "day1", NULLIFIER, "north", None, now=_at(1))
    for k in range(6):
        consume(session, event.id, "day1", NULLIFIER, "north" if k % 2 else "vip", None, now=_at(2))
    record_rejection(session, event.id, "vip", "expired", now=_at(2))
    by_result = _all(session, event, 2, AuditFilter(result=EntryResult.ACCEPTED))
    assert [(i.result, i.gate_id, i.at) for i in by_result] == [("accepted", "north", _at(1))]
    north_refused = _all(
        session, event, 2, AuditFilter(gate_id="north", result=EntryResult.REJECTED)
    )
    assert len(north_refused) == 3 and {i.reason for i in north_refused} == {"already_consumed"}
    vip = _all(session, event, 1, AuditFilter(gate_id="vip"))
    assert [i.reason for i in vip] == ["expired"] + ["already_consumed"] * 3
    assert _all(session, event, 3, AuditFilter(reason="expired"))[0].gate_id == "vip"
    assert _all(session, event, 3, AuditFilter(gate_id="nowhere")) == []


def _ticket(session: Session, event: Event, ticket_id: str) -> int:
    row = Ticket(
        ticket_id=ticket_id,
        event_pk=event.id,
        tier="ga",
        secrets_blob=b"sealed",
        state=TicketState.ACTIVE,
        created_at=T0,
    )
    session.add(row)
    session.commit()
    return row.id


@pytest.mark.parametrize("reveal", [True, False])
def test_ticket_ids_only_on_accepted_entries_of_revealing_events(
    session: Session, reveal: bool
) -> None:
    event = _event(session, reveal=reveal)
    t1, t2 = _ticket(session, event, "tk-1"), _ticket(session, event, "tk-2")
    consume(session, event.id, "day1", NULLIFIER, "north", t1, now=_at(1))
    consume(session, event.id, "day1", NULLIFIER, "vip", t1, now=_at(2))  # refused: no id
    record_rejection(session, event.id, "vip", "revoked", ticket_pk=t2, now=_at(3))
    consume(session, event.id, "day2", NULLIFIER, "vip", None, now=_at(4))  # ticket unknown
    items = audit_page(session, event).items
    dumped = [i.model_dump(exclude_unset=True) for i in items]
    if reveal:
        assert [d["ticket_id"] for d in dumped] == [None, None, None, "tk-1"]
    else:
        assert all("ticket_id" not in d for d in dumped)


@pytest.mark.parametrize(
    ("at", "entry_id"),
    [(T0, 1), (_at(0.000001), 2**63 - 1), (datetime(1, 1, 1, tzinfo=UTC), 7), (T0, 42)],
)
def test_cursor_round_trip(at: datetime, entry_id: int) -> None:
    cursor = encode_cursor(at, entry_id)
    assert "=" not in cursor and cursor.isascii()
    assert decode_cursor(cursor) == (at, entry_id)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!!",
        "abc",  # not a whole number of bytes
        "a" * 65,
        "é" * 4,
        _b64(b"\x01" * 16),  # one byte short
        _b64(struct.pack(">Bqq", 2, 0, 1)),  # unknown version
        _b64(struct.pack(">Bqq", 1, 0, 0)),  # no row has id 0
        _b64(struct.pack(">Bqq", 1, 0, -5)),
        _b64(struct.pack(">Bqq", 1, 2**62, 1)),  # far beyond year 9999
        _b64(struct.pack(">Bqq", 1, -(2**62), 1)),
        encode_cursor(T0, 1) + "A",
        encode_cursor(T0, 1).replace("A", "+").replace("B", "/") + "+/",
        " " + encode_cursor(T0, 1),
    ],
)
def test_malformed_cursors_are_invalid_cursor(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as err:
        decode_cursor(cursor)
    assert err.value.status == 400 and err.value.code == "invalid_cursor"


def test_limit_bounds(session: Session) -> None:
    event = _event(session)
    for bad in (0, -1, AUDIT_LIMIT_MAX + 1):
        with pytest.raises(ApiError):
            audit_page(session, event, limit=bad)
    assert audit_page(session, event, limit=AUDIT_LIMIT_MAX).items == []
