"""POST /verify's pipeline: parse, check, prove-check, then consume once.

Cheap checks come first; the reads run in one snapshot that takes no lock (SQLite: a deferred
BEGIN), and the database's write lock is held only for the consuming inserts:

  0. the gate key's rate (api.services.limits.GateLimiter): over it, 429 `rate_limited`;
  1. the token is parsed strictly (api/token.py): any defect is `malformed_token`;
  2. its event tag must be the gate key's event (`wrong_event`); its scope and tier tags are
     resolved among the event's scopes and tiers (`scope_not_allowed`, `invalid_proof`);
  3. time: not expired (with the configured skew), not minted in the future, a lifetime of at
     most TTL_MAX_SECONDS (`expired`, `not_yet_valid`, `malformed_token`);
  4. gate and tier policy for this gate key and gate (`gate_not_allowed`, `tier_not_allowed`);
  5. read in the snapshot: whether the root was current at some moment between the proof's
     `now` and this scan, and the ticket the nullifier names with its state;
  6. the Groth16 check on the public inputs the server rebuilds (`invalid_proof`), outside
     any transaction;
  7. then, in that order: `unknown_root`; the named ticket revoked (`revoked`) or transferred
     since the token was minted (`transferred`, api/services/transfers.py);
  8. api.services.gate.consume: accept once, `already_consumed` after.

The scan is ordered at its snapshot (step 5): a revocation or transfer that commits in the
milliseconds between it and the consuming insert is ordered after the scan, on SQLite as on
PostgreSQL. One-time use does not depend on the snapshot: it is the insert's UNIQUE constraint.
Every answer is recorded (api.models.Entry) and a retried scan_id gets its first answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from api.auth import Principal, authenticate, require_role
from api.config import Settings
from api.db import begin_read_only
from api.driver_sql import DriverStatement
from api.errors import Forbidden
from api.fields import event_field, scope_field, tier_field, time_field
from api.models import Event, EventTier, Role, Ticket, TicketNullifier, TicketState, table
from api.schemas import TTL_MAX_SECONDS, VerifyOut, VerifyRequest
from api.services import gate, transfers
from api.services.issuance import GATE_POLICY_ANY
from api.services.limits import GateLimiter
from api.services.merkle import MerkleStore, to_hex
from api.services.proof_batcher import ProofBatcher
from api.timeutil import utcnow
from api.token import Token, TokenError, decode_token, tag

WRONG_EVENT = "wrong_event"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
INVALID_PROOF = "invalid_proof"
UNKNOWN_ROOT = "unknown_root"
REVOKED = "revoked"
TRANSFERRED = "transferred"


@lru_cache(maxsize=4096)
def _tag(kind: str, name: str) -> bytes:
    field = {"event": event_field, "scope": scope_field, "tier": tier_field}[kind]
    return tag(field(name))


@dataclass
class Scan:
    """What is known about one scan so far (filled in as the checks pass)."""

    event: EventView
    gate_id: str
    scan_id: str | None
    token_hash: str
    scope: str | None = None
    tier: str | None = None
    ticket_pk: int | None = None
    ticket_id: str | None = None


def _resolve(
    token: Token, scan: Scan, session: Session, requested_scope: str | None, cache: EventCache
) -> str | None:
    """Name the token's scope and tier; the reason to reject, or None."""
    event = scan.event
    if token.event_tag != _tag("event", event.event_id):
        return WRONG_EVENT
    scan.scope = next((s for s in event.scopes if _tag("scope", s) == token.scope_tag), None)
    if scan.scope is None or (requested_scope is not None and requested_scope != scan.scope):
        return gate.REASON_SCOPE_NOT_ALLOWED
    scan.tier = cache.tier(session, event.id, token.tier_tag)
    if scan.tier is None:
        return INVALID_PROOF  # no ticket of the event has this tier: no leaf can match
    return None


def _time_reason(token: Token, now_s: int, skew: int) -> str | None:
    if now_s > token.expires_at + skew:
        return EXPIRED
    if token.now > now_s + skew:
        return NOT_YET_VALID
    if not token.now < token.expires_at <= token.now + TTL_MAX_SECONDS:
        return gate.REASON_MALFORMED  # no minter makes such a token
    return None


def _proof_ok(proofs: ProofBatcher, token: Token, event: EventView, scope: str, tier: str) -> bool:
    inputs = token.public_inputs(event_field(event.event_id), scope_field(scope), tier_field(tier))
    # a decoded token's points were validated in C while decoding: no second check
    checked = token.checked_proof
    return proofs.check(inputs, token.proof if checked is None else checked)  # False if malformed


@dataclass(frozen=True)
class NamedTicket:
    """The ticket a token's nullifier names, and why it may no longer enter (or None)."""

    ticket_pk: int
    ticket_id: str
    barred: str | None


def _named_ticket(
    session: Session, settings: Settings, scan: Scan, token: Token
) -> NamedTicket | None:
    """The ticket the nullifier names (None if not minted here), `revoked` or `transferred`
    if it may no longer enter so."""
    assert scan.scope is not None
    key = {"event_pk": scan.event.id, "scope": scan.scope, "nullifier": to_hex(token.nullifier)}
    row = _NAMED_TICKET.first(session, key)
    if row is None:
        return None  # not minted here (e.g. a holder-proved token): the root window decides
    barred = None
    if row.state is TicketState.REVOKED:
        barred = REVOKED
    elif row.superseded_at is not None:
        barred = TRANSFERRED
    elif row.transfer_count:  # rare: compare with the current holder's nullifier
        record = session.get(TicketNullifier, (key["event_pk"], key["scope"], key["nullifier"]))
        if record is not None and transfers.superseded(session, settings, record, scan.scope):
            barred = TRANSFERRED
    return NamedTicket(row.ticket_pk, row.ticket_id, barred)


# One indexed lookup per scan: the ticket a nullifier names, and what may bar it.
_NULLIFIERS, _TICKETS = table(TicketNullifier).c, table(Ticket).c
_NAMED_TICKET = DriverStatement(
    select(
        _NULLIFIERS.ticket_pk,
        _NULLIFIERS.superseded_at,
        _TICKETS.ticket_id,
        _TICKETS.state,
        _TICKETS.transfer_count,
    )
    .join_from(table(TicketNullifier), table(Ticket), _TICKETS.id == _NULLIFIERS.ticket_pk)
    .where(
        _NULLIFIERS.event_pk == bindparam("event_pk"),
        _NULLIFIERS.scope == bindparam("scope"),
        _NULLIFIERS.nullifier == bindparam("nullifier"),
    )
)


def _reject(session: Session, scan: Scan, reason: str, now: datetime) -> gate.Outcome:
    session.commit()  # end a read-only snapshot: the record is written in a new transaction
    return gate.record_rejection(
        session,
        scan.event.id,
        scan.gate_id,
        reason,
        scope=scan.scope,
        ticket_pk=scan.ticket_pk,
        scan_id=scan.scan_id,
        token_hash=scan.token_hash,
        now=now,
    )


@dataclass(frozen=True)
class GateView:
    gate_id: str
    tiers: list[str] | None


@dataclass(frozen=True)
class EventView:
    """What verify reads of an event: fixed once the event exists (see EventCache)."""

    id: int
    event_id: str
    merchant_id: str
    scopes: list[str]
    gates: tuple[GateView, ...]
    reveal_ticket_id: bool
    gate_key_requests_per_minute: int


class EventCache:
    """Per app: the events' views and tier tags verify reads on every scan.

    Gates, scopes and limits do not change after an event is created, and tiers are only ever
    added (a tag missing here reloads the event's tiers), so nothing here goes stale.
    """

    MAX_EVENTS = 4096

    def __init__(self) -> None:
        self._events: dict[int, EventView] = {}
        self._tiers: dict[int, dict[bytes, str]] = {}

    def event(self, session: Session, event_pk: int) -> EventView:
        """The event's view, read once."""
        view = self._events.get(event_pk)
        if view is not None:
            return view
        query = select(Event).where(Event.id == event_pk).options(selectinload(Event.gates))
        event = session.scalars(query).first()
        if event is None:  # pragma: no cover - keys reference their event
            raise Forbidden("the gate key's event does not exist")
        view = EventView(
            id=event.id,
            event_id=event.event_id,
            merchant_id=event.merchant_id,
            scopes=list(event.scopes),
            gates=tuple(GateView(g.gate_id, g.tiers) for g in event.gates),
            reveal_ticket_id=event.reveal_ticket_id,
            gate_key_requests_per_minute=event.gate_key_requests_per_minute,
        )
        if len(self._events) >= self.MAX_EVENTS:
            self._events.clear()
            self._tiers.clear()
        self._events[event_pk] = view
        return view

    def tier(self, session: Session, event_pk: int, tier_tag: bytes) -> str | None:
        """The event's tier with this tag (None if it has none)."""
        known = self._tiers.get(event_pk, {})
        if tier_tag not in known:
            tiers = session.scalars(select(EventTier.tier).where(EventTier.event_pk == event_pk))
            known = {_tag("tier", t): t for t in tiers}
            self._tiers[event_pk] = known
        return known.get(tier_tag)


def _gate_event(session: Session, principal: Principal, cache: EventCache) -> EventView:
    if principal.event_pk is None:
        raise Forbidden("this key is not a gate key of an event")
    return cache.event(session, principal.event_pk)


def handle_scan(
    sessionmaker: Callable[[], Session],
    settings: Settings,
    proofs: ProofBatcher,
    limiter: GateLimiter | None,
    cache: EventCache,
    key: str,
    body: VerifyRequest,
) -> VerifyOut:
    """Authenticate the gate key and verify the scan, in one session (POST /verify)."""
    # Announced before the reads: a pairing batch that starts meanwhile waits for this scan.
    with proofs.expecting(), sessionmaker() as session:
        begin_read_only(session)  # SQLite: the checks' reads queue behind no writer
        principal = require_role(authenticate(session, key), Role.GATE)
        return verify_scan(session, settings, proofs, principal, body, limiter=limiter, cache=cache)


def verify_scan(
    session: Session,
    settings: Settings,
    proofs: ProofBatcher,
    principal: Principal,
    body: VerifyRequest,
    now: datetime | None = None,
    *,
    limiter: GateLimiter | None = None,
    cache: EventCache | None = None,
) -> VerifyOut:
    """Run the pipeline for one scan and answer as the gate sees it (429 over the key's rate)."""
    now = now or utcnow()
    cache = cache or EventCache()
    event = _gate_event(session, principal, cache)
    if limiter is not None:
        limiter.take(principal.key_id, event.gate_key_requests_per_minute, now, session)
    scan = Scan(
        event=event,
        gate_id=body.gate_id,
        scan_id=body.scan_id,
        token_hash=hashlib.sha256(body.token.encode()).hexdigest(),
    )
    outcome = _check_and_consume(session, settings, proofs, principal, body, scan, now, cache)
    return _answer(session, scan, outcome)


def _check_and_consume(
    session: Session,
    settings: Settings,
    proofs: ProofBatcher,
    principal: Principal,
    body: VerifyRequest,
    scan: Scan,
    now: datetime,
    cache: EventCache,
) -> gate.Outcome:
    try:
        token = decode_token(body.token)
    except TokenError:
        return _reject(session, scan, gate.REASON_MALFORMED, now)
    reason = _resolve(token, scan, session, body.scope, cache)
    if reason is None:
        reason = _time_reason(token, time_field(now), settings.verify_clock_skew_seconds)
    if reason is None and token.gate_policy != GATE_POLICY_ANY:
        reason = gate.REASON_GATE_NOT_ALLOWED
    if reason is None:
        assert scan.scope is not None and scan.tier is not None
        reason = gate.gate_policy(principal, scan.event, scan.gate_id, scan.scope, scan.tier)
    if reason is not None:
        return _reject(session, scan, reason, now)
    assert scan.scope is not None and scan.tier is not None
    # Every read the verdict needs, in one snapshot before the pairing; the write lock is then
    # held for the consuming inserts alone. The scan is ordered at this snapshot: a revocation
    # or transfer committed in the few ms between it and the consumption comes after the scan.
    if not session.in_transaction():
        begin_read_only(session)
    # The proof's root must have been current between its `now` and this scan.
    window = max(0, time_field(now) - token.now) + settings.verify_clock_skew_seconds
    tree = MerkleStore(settings.merkle_depth)
    root_ok = tree.root_accepted(session, scan.event.id, token.root, now, window)
    named = _named_ticket(session, settings, scan, token)
    session.commit()  # no lock (SQLite's is database-wide) while the pairing runs
    if not _proof_ok(proofs, token, scan.event, scan.scope, scan.tier):
        return _reject(session, scan, INVALID_PROOF, now)
    if not root_ok:
        return _reject(session, scan, UNKNOWN_ROOT, now)
    if named is not None:  # the proof holds: the entry may name its ticket
        scan.ticket_pk, scan.ticket_id = named.ticket_pk, named.ticket_id
        if named.barred is not None:
            return _reject(session, scan, named.barred, now)
    return gate.consume(
        session,
        scan.event.id,
        scan.scope,
        token.nullifier,
        scan.gate_id,
        scan.ticket_pk,
        scan_id=scan.scan_id,
        token_hash=scan.token_hash,
        now=now,
        merchant_id=scan.event.merchant_id,
    )


def _answer(session: Session, scan: Scan, outcome: gate.Outcome) -> VerifyOut:
    if not isinstance(outcome, gate.Accepted):
        return VerifyOut(accepted=False, reason=outcome.reason)
    ticket_id = None
    if scan.event.reveal_ticket_id and outcome.ticket_pk is not None:
        ticket_id = scan.ticket_id
        if outcome.ticket_pk != scan.ticket_pk:  # a retried scan_id's first answer
            query = select(Ticket.ticket_id).where(Ticket.id == outcome.ticket_pk)
            ticket_id = session.scalar(query)
    return VerifyOut(
        accepted=True,
        ticket_id=ticket_id,
        consumed_at=outcome.consumed_at,
        gate_id=outcome.gate_id,
        tier=scan.tier,
        scope=outcome.scope,
    )
