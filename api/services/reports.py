"""Merchant reporting over the audit trail (`entries`): per-event stats and the audit log.

Both read only what a gate was told (gate, scope, result, reason, time, the gate's scan id):
never token hashes or nullifiers, and ticket ids only for accepted entries of events that
reveal them. Stats are aggregated by the database; the audit log is paged by keyset on
(at, id), newest first, so a page costs the same at any depth and ties in `at` are stable.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from api.errors import ApiError
from api.models import Entry, EntryResult, Event, Ticket
from api.schemas import Timestamp

AUDIT_LIMIT_DEFAULT = 100
AUDIT_LIMIT_MAX = 500
# A rejection stored without a reason is reported as the verify answer names it.
REASON_UNSPECIFIED = "rejected"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Cursor bytes: a version, then the last row's `at` (microseconds since the epoch) and id.
_CURSOR = struct.Struct(">Bqq")
_CURSOR_VERSION = 1


class InvalidCursor(ApiError):
    """The cursor is not one this API handed out."""

    status, code = 400, "invalid_cursor"


class ResultCounts(BaseModel):
    accepted: int = 0
    rejected: int = 0


class EventStats(BaseModel):
    event_id: str
    entries: int
    rejections: dict[str, int]
    by_gate: dict[str, ResultCounts]
    by_scope: dict[str, ResultCounts]
    first_entry_at: Timestamp | None
    last_entry_at: Timestamp | None


class AuditItem(BaseModel):
    at: Timestamp
    gate_id: str
    scope: str | None
    result: Literal["accepted", "rejected"]
    reason: str | None
    scan_id: str | None
    # Set only on events with reveal_ticket_id (routes drop unset fields).
    ticket_id: str | None = None


class AuditPage(BaseModel):
    items: list[AuditItem]
    next_cursor: str | None


@dataclass(frozen=True)
class AuditFilter:
    """Optional filters of the audit log (None = any)."""

    gate_id: str | None = None
    result: EntryResult | None = None
    reason: str | None = None


def _window(
    event: Event, since: datetime | None, until: datetime | None
) -> list[ColumnElement[bool]]:
    """The WHERE terms for one event's entries with since <= at < until."""
    terms: list[ColumnElement[bool]] = [Entry.event_pk == event.id]
    if since is not None:
        terms.append(Entry.at >= since)
    if until is not None:
        terms.append(Entry.at < until)
    return terms


def event_stats(
    session: Session, event: Event, since: datetime | None = None, until: datetime | None = None
) -> EventStats:
    """Counts of an event's entries in [since, until), aggregated by the database."""
    if since is not None and until is not None and until < since:
        raise ApiError("until is before since", code="invalid_window")
    # One pass over the event's index range: the groups are few (gates x scopes x reasons),
    # so rolling them up here costs nothing, while four separate GROUP BYs would read the
    # rows four times.
    query = (
        select(
            Entry.gate_id,
            Entry.scope,
            Entry.result,
            Entry.reason,
            func.count(),
            func.min(Entry.at),
            func.max(Entry.at),
        )
        .where(*_window(event, since, until))
        .group_by(Entry.gate_id, Entry.scope, Entry.result, Entry.reason)
    )
    # Configured gates and scopes are listed even before their first scan.
    by_gate = {g.gate_id: ResultCounts() for g in event.gates}
    by_scope = {s: ResultCounts() for s in event.scopes}
    rejections: dict[str, int] = {}
    entries = 0
    first: datetime | None = None
    last: datetime | None = None
    for gate_id, scope, result, reason, count, lo, hi in session.execute(query):
        accepted = EntryResult(result) is EntryResult.ACCEPTED
        gate = by_gate.setdefault(gate_id, ResultCounts())
        # Scans refused before their scope was known (e.g. malformed tokens) have none.
        scoped = by_scope.setdefault(scope, ResultCounts()) if scope is not None else None
        if accepted:
            entries += count
            gate.accepted += count
            if scoped is not None:
                scoped.accepted += count
            first = lo if first is None else min(first, lo)
            last = hi if last is None else max(last, hi)
        else:
            key = reason or REASON_UNSPECIFIED
            rejections[key] = rejections.get(key, 0) + count
            gate.rejected += count
            if scoped is not None:
                scoped.rejected += count
    return EventStats(
        event_id=event.event_id,
        entries=entries,
        rejections=dict(sorted(rejections.items())),
        by_gate=_configured_first(by_gate, len(event.gates)),
        by_scope=_configured_first(by_scope, len(event.scopes)),
        first_entry_at=first,
        last_entry_at=last,
    )


def _configured_first(counts: dict[str, ResultCounts], configured: int) -> dict[str, ResultCounts]:
    """The event's own gates or scopes in their order, then any others by name."""
    items = list(counts.items())
    return dict(items[:configured] + sorted(items[configured:], key=lambda kv: kv[0]))


def encode_cursor(at: datetime, entry_id: int) -> str:
    """The opaque cursor after the row (at, entry_id): unpadded base64url."""
    micros = (at - _EPOCH) // timedelta(microseconds=1)
    raw = _CURSOR.pack(_CURSOR_VERSION, micros, entry_id)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The (at, id) a cursor names; InvalidCursor (400) for anything this API did not make."""
    bad = InvalidCursor("cursor is malformed: pass next_cursor from the previous page unchanged")
    if not cursor or len(cursor) > 64 or not cursor.isascii():
        raise bad
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if len(raw) != _CURSOR.size:
        raise bad
    version, micros, entry_id = _CURSOR.unpack(raw)
    if version != _CURSOR_VERSION or entry_id <= 0:
        raise bad
    try:
        at = _EPOCH + timedelta(microseconds=micros)
    except OverflowError:
        raise bad from None
    return at, entry_id


def audit_page(
    session: Session,
    event: Event,
    *,
    limit: int = AUDIT_LIMIT_DEFAULT,
    cursor: str | None = None,
    where: AuditFilter | None = None,
) -> AuditPage:
    """One page of the event's audit log, newest first, after `cursor` if given."""
    if not 1 <= limit <= AUDIT_LIMIT_MAX:
        raise ApiError(f"limit must be between 1 and {AUDIT_LIMIT_MAX}", code="invalid_limit")
    where = where or AuditFilter()
    reveal = event.reveal_ticket_id
    columns = [
        Entry.id,
        Entry.at,
        Entry.gate_id,
        Entry.scope,
        Entry.result,
        Entry.reason,
        Entry.scan_id,
    ]
    query = select(*columns, Ticket.ticket_id) if reveal else select(*columns)
    if reveal:
        query = query.outerjoin(Ticket, Ticket.id == Entry.ticket_pk)
    query = query.where(Entry.event_pk == event.id)
    if where.gate_id is not None:
        query = query.where(Entry.gate_id == where.gate_id)
    if where.result is not None:
        query = query.where(Entry.result == where.result)
    if where.reason is not None:
        query = query.where(Entry.reason == where.reason)
    if cursor is not None:
        at, entry_id = decode_cursor(cursor)
        # `at <= :at` alone bounds the index range scan; the OR settles ties in `at` by id.
        query = query.where(
            Entry.at <= at, or_(Entry.at < at, and_(Entry.at == at, Entry.id < entry_id))
        )
    query = query.order_by(Entry.at.desc(), Entry.id.desc()).limit(limit + 1)
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for row in rows:
        result = EntryResult(row.result)
        item = AuditItem(
            at=row.at,
            gate_id=row.gate_id,
            scope=row.scope,
            result=result.value,
            reason=row.reason,
            scan_id=row.scan_id,
        )
        if reveal:
            # Only admissions name their ticket: a refused scan need not be the holder's.
            item.ticket_id = row.ticket_id if result is EntryResult.ACCEPTED else None
        items.append(item)
    next_cursor = encode_cursor(rows[-1].at, rows[-1].id) if more else None
    return AuditPage(items=items, next_cursor=next_cursor)
