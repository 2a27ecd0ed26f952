"""Minting proof tokens: eligibility, the witness inputs, then the token around the proof.

`plan_token` does the database part in one short transaction (checks, Merkle path, the
nullifier record) and returns everything the prover and the token need; the route proves in
the prover pool and `finish_token` wraps the proof. Ticket secrets stay in this process's
memory and the prover's: they are never logged or returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth import Principal
from api.config import Settings
from api.errors import ApiError, Unprocessable
from api.fields import event_field, scope_field, tier_field, time_field, validity_fields
from api.models import Event, TicketNullifier, TicketState
from api.schemas import ProofTokenRequest
from api.services import limits
from api.services.merkle import MerkleStore, to_hex
from api.services.tickets import get_own_ticket, holder_matches, ticket_secrets
from api.timeutil import utcnow
from api.token import GATE_POLICY_ANY, Token, TokenBinding, encode_token, tag
from circuits.ticket import TicketWitnessInputs, nullifier
from zkcore.groth16.keys import Proof


class Ineligible(ApiError):
    """The ticket may not get a token now: {"eligible": false, "reason", "error"}."""

    def __init__(self, reason: str, message: str, status: int = 409) -> None:
        super().__init__(message, code=reason, extra={"eligible": False, "reason": reason})
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class TokenPlan:
    """A token waiting for its proof: the circuit inputs and the token's own fields."""

    ticket_id: str
    scope: str
    inputs: dict[str, Any]
    event_tag: bytes
    scope_tag: bytes
    tier_tag: bytes
    now: int
    expires_at: int
    nonce: bytes
    gate_policy: int

    def token(self, proof: Proof) -> str:
        """The encoded token carrying `proof`."""
        return encode_token(
            Token(
                event_tag=self.event_tag,
                scope_tag=self.scope_tag,
                tier_tag=self.tier_tag,
                root=int(self.inputs["root"]),
                nullifier=int(self.inputs["nullifier"]),
                now=self.now,
                expires_at=self.expires_at,
                nonce=self.nonce,
                gate_policy=self.gate_policy,
                proof=proof,
            )
        )

    @property
    def expires_at_datetime(self) -> datetime:
        return datetime.fromtimestamp(self.expires_at, UTC)


def choose_scope(event: Event, requested: str | None) -> str:
    """The entry scope a token is for: the requested one, or the event's only one."""
    if requested is not None:
        if requested not in event.scopes:
            raise Unprocessable(
                f"scope {requested!r} is not one of the event's scopes", code="unknown_scope"
            )
        return requested
    if len(event.scopes) != 1:
        raise Unprocessable(
            f"the event has {len(event.scopes)} entry scopes: say which one (scope)",
            code="scope_required",
        )
    return event.scopes[0]


def plan_token(
    session: Session,
    settings: Settings,
    principal: Principal,
    body: ProofTokenRequest,
    now: datetime | None = None,
) -> TokenPlan:
    """Check the ticket may enter now and prepare its proof; commits the nullifier record."""
    ticket = get_own_ticket(session, principal, body.ticket_id)
    event = ticket.event
    if ticket.state is TicketState.REVOKED:
        raise Ineligible("revoked", f"ticket {ticket.ticket_id!r} was revoked")
    if ticket.holder_commitment is not None:
        raise Ineligible(
            "wallet_bound",
            "the ticket is wallet-bound: its holder proves on their own device "
            f"(GET /tickets/{ticket.ticket_id}/wallet)",
        )
    if not holder_matches(settings, ticket, body.holder_id):
        raise Ineligible("holder_mismatch", "holder_id does not match the ticket's holder", 403)
    now = now or utcnow()
    if ticket.not_before is not None and now < ticket.not_before:
        raise Ineligible("not_yet_active", "the ticket's activation window has not opened yet")
    if ticket.not_after is not None and now > ticket.not_after:
        raise Ineligible("window_closed", "the ticket's activation window has closed")
    if ticket.leaf_index is None:  # pragma: no cover - every issued ticket has a leaf
        raise Ineligible("not_in_tree", "the ticket has no leaf yet")
    scope = choose_scope(event, body.scope)
    _enforce_limits(session, principal, ticket.id, event, now)

    now_s = time_field(now)
    not_before, not_after = validity_fields(ticket.not_before, ticket.not_after)
    bound = TokenBinding.fresh(now_s, body.ttl_seconds, not_after)
    expires_at, nonce, binding = bound.expires_at, bound.nonce, bound.element
    fields = {"event": event_field(event.event_id), "scope": scope_field(scope)}
    tier = tier_field(ticket.tier)
    secret = ticket_secrets(settings, ticket)
    witness = TicketWitnessInputs(
        holder_secret=secret.holder_secret,
        ticket_salt=secret.salt,
        event_id=fields["event"],
        tier=tier,
        not_before=not_before,
        not_after=not_after,
        scope=fields["scope"],
        now=now_s,
        token_binding=binding,
    )
    path = MerkleStore(settings.merkle_depth).path(session, event, ticket.leaf_index)
    inputs = witness.inputs(path.path, path.bits)
    _remember_nullifier(
        session,
        event.id,
        scope,
        nullifier(secret.holder_secret, secret.salt, fields["scope"]),
        ticket.id,
    )
    session.commit()
    return TokenPlan(
        ticket_id=ticket.ticket_id,
        scope=scope,
        inputs=inputs,
        event_tag=tag(fields["event"]),
        scope_tag=tag(fields["scope"]),
        tier_tag=tag(tier),
        now=now_s,
        expires_at=expires_at,
        nonce=nonce,
        gate_policy=GATE_POLICY_ANY,
    )


def _enforce_limits(
    session: Session, principal: Principal, ticket_pk: int, event: Event, now: datetime
) -> None:
    """The ticket's minimum interval, then the event's and the key's rate (429 if refused)."""
    # Before the witness work, so a refused burst costs two statements; in this transaction,
    # so a refusal (which rolls it back) neither counts nor moves the ticket's last token.
    limits.reserve_token_interval(session, ticket_pk, event.min_token_interval_seconds, now)
    per_key = event.merchant_key_requests_per_minute
    counters = limits.token_limits(
        event.id, principal.key_id, event.proof_tokens_per_minute, per_key
    )
    limits.count_requests(session, counters, now)


def _remember_nullifier(
    session: Session, event_pk: int, scope: str, nullifier: int, ticket_pk: int
) -> None:
    """Record which ticket a nullifier names (once: the same ticket and scope give the same)."""
    key = (event_pk, scope, to_hex(nullifier))
    if session.get(TicketNullifier, key) is not None:
        return
    try:
        with session.begin_nested():
            row = TicketNullifier(event_pk=event_pk, scope=scope, nullifier=key[2])
            row.ticket_pk = ticket_pk
            session.add(row)
    except IntegrityError:
        pass  # a concurrent mint for the same ticket and scope recorded it first
