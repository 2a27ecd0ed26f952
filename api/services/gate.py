"""At the gate: one-time consumption of (event, scope, nullifier) and safe scan retries.

One-time use is a database fact. `consume` inserts the consumption under the UNIQUE
(event_pk, scope, nullifier) constraint in the same transaction that records the entry, so two
gates racing on one statement get exactly one accept, on SQLite (BEGIN IMMEDIATE) as on
PostgreSQL, across threads, processes and restarts. The verify pipeline (token parsing, expiry,
gate/tier policy, root history, Groth16) runs before it: api/services/verification.py.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.db import insert_new
from api.errors import Conflict
from api.models import Consumption, Entry, EntryResult, Role, table
from api.services import webhooks
from api.timeutil import utcnow

# BN254's scalar field order (zkcore.field.Fr): repeated here so that storage does not load
# the native core. A nullifier is stored in one canonical encoding: 64 hex digits of a value < r.
BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617

REASON_MALFORMED = "malformed_token"
REASON_ALREADY_CONSUMED = "already_consumed"
REASON_GATE_NOT_ALLOWED = "gate_not_allowed"
REASON_TIER_NOT_ALLOWED = "tier_not_allowed"
REASON_SCOPE_NOT_ALLOWED = "scope_not_allowed"


@dataclass(frozen=True)
class Accepted:
    """The entry was consumed now (or, with replayed=True, by this same scan earlier)."""

    consumed_at: datetime
    gate_id: str
    scope: str
    ticket_pk: int | None
    replayed: bool = False
    accepted: ClassVar[bool] = True


@dataclass(frozen=True)
class AlreadyConsumed:
    """Someone consumed this (event, scope, nullifier) before."""

    first_consumed_at: datetime
    first_gate_id: str
    replayed: bool = False
    accepted: ClassVar[bool] = False
    reason: ClassVar[str] = REASON_ALREADY_CONSUMED


@dataclass(frozen=True)
class Rejected:
    """A scan refused before consumption (expired, invalid_proof, ...), as recorded."""

    reason: str
    replayed: bool = False
    accepted: ClassVar[bool] = False


Outcome = Accepted | AlreadyConsumed | Rejected


class ScanIdReused(Conflict):
    """The gate reused a scan_id for a different token: a gate bug, not a retry."""

    code = "scan_id_reused"


class _Gate(Protocol):
    @property
    def gate_id(self) -> str: ...
    @property
    def tiers(self) -> list[str] | None: ...


class GatedEvent(Protocol):
    """What gate_policy reads of an event (an Event row, or verify's cached view of one)."""

    @property
    def id(self) -> int: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def gates(self) -> Sequence[_Gate]: ...


def gate_policy(
    principal: Principal, event: GatedEvent, gate_id: str, scope: str, tier: str
) -> str | None:
    """Why this gate key may not admit (tier, scope) at gate_id of event, or None if it may.

    A gate key serves one event and, if it names them, some of its gates; a gate may admit
    only some tiers; the scope must be one the event defines.
    """
    if principal.role is not Role.GATE or principal.event_pk != event.id:
        return REASON_GATE_NOT_ALLOWED
    if principal.gate_ids is not None and gate_id not in principal.gate_ids:
        return REASON_GATE_NOT_ALLOWED
    gate = next((g for g in event.gates if g.gate_id == gate_id), None)
    if gate is None:
        return REASON_GATE_NOT_ALLOWED
    if gate.tiers is not None and tier not in gate.tiers:
        return REASON_TIER_NOT_ALLOWED
    if scope not in event.scopes:
        return REASON_SCOPE_NOT_ALLOWED
    return None


def nullifier_hex(nullifier: int) -> str:
    """The one stored encoding of a nullifier; ValueError outside [0, r)."""
    if not 0 <= nullifier < BN254_R:
        raise ValueError("nullifier is not a canonical BN254 scalar")
    return f"{nullifier:064x}"


def consume(
    session: Session,
    event_pk: int,
    scope: str,
    nullifier: int,
    gate_id: str,
    ticket_pk: int | None,
    *,
    scan_id: str | None = None,
    token_hash: str | None = None,
    now: datetime | None = None,
    merchant_id: str | None = None,
) -> Accepted | AlreadyConsumed | Rejected:
    """Consume (event, scope, nullifier) once and record the entry; commits before returning.

    With a scan_id (and the token's hash), a retry of the same scan from the same gate gets the
    original answer; the scan_id with another token raises ScanIdReused (409). merchant_id, if
    the caller knows the event's, saves a lookup for the ticket.consumed webhook.
    """
    if scan_id is not None and token_hash is None:
        raise ValueError("scan_id needs the token hash")
    key = nullifier_hex(nullifier)
    now = now or utcnow()
    if scan_id is not None:
        prior = _scan_answer(session, event_pk, gate_id, scan_id, token_hash)
        if prior is not None:
            session.commit()
            return prior
    # A few Core statements, no savepoints: this is the gate's hot path.
    consumption_id = insert_new(
        session,
        _CONSUMPTIONS,
        {
            "event_pk": event_pk,
            "scope": scope,
            "nullifier": key,
            "ticket_pk": ticket_pk,
            "gate_id": gate_id,
            "consumed_at": now,
        },
    )
    if consumption_id is not None:
        entry = _entry(event_pk, gate_id, scope, now, ticket_pk, scan_id, token_hash)
        if _insert_entry(session, entry | {"consumption_id": consumption_id}):
            webhooks.on_consumed(session, event_pk, ticket_pk, gate_id, scope, now, merchant_id)
            session.commit()
            return Accepted(consumed_at=now, gate_id=gate_id, scope=scope, ticket_pk=ticket_pk)
        # A concurrent scan with this scan_id (another token: SQLite serializes writers, so
        # PostgreSQL only) recorded its answer first: undo the consumption and answer as it.
        session.rollback()
        return _prior_or_retry(session, event_pk, gate_id, scan_id, token_hash)
    # Lost: the statement was consumed before (or by a concurrent retry of this very scan).
    if scan_id is not None:
        prior = _scan_answer(session, event_pk, gate_id, scan_id, token_hash)
        if prior is not None:
            session.commit()
            return prior
    first = _consumption(session, event_pk, scope, key)
    if first is None:  # pragma: no cover - the row that conflicted cannot vanish
        session.rollback()
        raise Conflict("concurrent update, retry the scan", code="retry")
    entry = _entry(event_pk, gate_id, scope, now, ticket_pk, scan_id, token_hash)
    entry |= {
        "result": EntryResult.REJECTED,
        "reason": REASON_ALREADY_CONSUMED,
        "consumption_id": first.id,
    }
    if not _insert_entry(session, entry):
        session.rollback()
        return _prior_or_retry(session, event_pk, gate_id, scan_id, token_hash)
    session.commit()
    return AlreadyConsumed(first_consumed_at=first.consumed_at, first_gate_id=first.gate_id)


def record_rejection(
    session: Session,
    event_pk: int,
    gate_id: str,
    reason: str,
    *,
    scope: str | None = None,
    ticket_pk: int | None = None,
    scan_id: str | None = None,
    token_hash: str | None = None,
    now: datetime | None = None,
) -> Accepted | AlreadyConsumed | Rejected:
    """Record a scan refused before consumption; a retried scan gets its original answer."""
    if scan_id is not None and token_hash is None:
        raise ValueError("scan_id needs the token hash")
    if scan_id is not None:
        prior = _scan_answer(session, event_pk, gate_id, scan_id, token_hash)
        if prior is not None:
            session.commit()
            return prior
    entry = _entry(event_pk, gate_id, scope, now or utcnow(), ticket_pk, scan_id, token_hash)
    if not _insert_entry(session, entry | {"result": EntryResult.REJECTED, "reason": reason}):
        session.rollback()
        return _prior_or_retry(session, event_pk, gate_id, scan_id, token_hash)
    session.commit()
    return Rejected(reason=reason)


_CONSUMPTIONS = table(Consumption)
_ENTRIES = table(Entry)


def _entry(
    event_pk: int,
    gate_id: str,
    scope: str | None,
    at: datetime,
    ticket_pk: int | None,
    scan_id: str | None,
    token_hash: str | None,
) -> dict[str, Any]:
    """An accepted entry's columns (a refusal overrides result and reason)."""
    return {
        "event_pk": event_pk,
        "gate_id": gate_id,
        "scope": scope,
        "result": EntryResult.ACCEPTED,
        "reason": None,
        "at": at,
        "ticket_pk": ticket_pk,
        "scan_id": scan_id,
        "token_hash": token_hash,
        "consumption_id": None,
    }


def _insert_entry(session: Session, values: dict[str, Any]) -> bool:
    """Record an answer; False if this gate's scan_id already holds one (a concurrent retry)."""
    return insert_new(session, _ENTRIES, values) is not None


def _prior_or_retry(
    session: Session, event_pk: int, gate_id: str, scan_id: str | None, token_hash: str | None
) -> Accepted | AlreadyConsumed | Rejected:
    """The answer a concurrent scan with this scan_id recorded first (in a new transaction)."""
    prior = _scan_answer(session, event_pk, gate_id, scan_id or "", token_hash)
    session.commit()
    if prior is None:  # pragma: no cover - a conflicting entry cannot vanish
        raise Conflict("concurrent update, retry the scan", code="retry")
    return prior


def _consumption(session: Session, event_pk: int, scope: str, key: str) -> Consumption | None:
    query = select(Consumption).where(
        Consumption.event_pk == event_pk, Consumption.scope == scope, Consumption.nullifier == key
    )
    return session.scalars(query).first()


def _scan_answer(
    session: Session, event_pk: int, gate_id: str, scan_id: str, token_hash: str | None
) -> Accepted | AlreadyConsumed | Rejected | None:
    """The answer already given to (event, gate, scan_id), or None if it is a new scan."""
    query = select(Entry).where(
        Entry.event_pk == event_pk, Entry.gate_id == gate_id, Entry.scan_id == scan_id
    )
    entry = session.scalars(query).first()
    if entry is None:
        return None
    if (
        token_hash is None
        or entry.token_hash is None
        or not hmac.compare_digest(entry.token_hash, token_hash)
    ):
        raise ScanIdReused(f"scan_id {scan_id!r} was used by this gate for another token")
    consumption = session.get(Consumption, entry.consumption_id) if entry.consumption_id else None
    if entry.result is EntryResult.ACCEPTED and consumption is not None:
        return Accepted(
            consumed_at=consumption.consumed_at,
            gate_id=consumption.gate_id,
            scope=consumption.scope,
            ticket_pk=consumption.ticket_pk,
            replayed=True,
        )
    if entry.reason == REASON_ALREADY_CONSUMED and consumption is not None:
        return AlreadyConsumed(
            first_consumed_at=consumption.consumed_at,
            first_gate_id=consumption.gate_id,
            replayed=True,
        )
    return Rejected(reason=entry.reason or "rejected", replayed=True)
