"""Wallet binding, server side: the bundle a wallet-bound ticket's holder proves from.

The service keeps a wallet ticket's salt and its holder's commitment, never the holder secret,
so it cannot mint tokens for the ticket; the holder's wallet (api.wallet) proves on the holder's
device from this bundle. The salt is not personal data but is a secret of the ticket: only the
merchant that owns the ticket gets it (to relay to the holder's app).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.config import Settings
from api.errors import ApiError, Conflict
from api.fields import element_hex, event_field, scope_field, tier_field, validity_fields
from api.models import MerkleRoot, Ticket, TicketState
from api.schemas import WalletBundle, WalletScope
from api.services.circuit import CircuitKeys
from api.services.issuance import Ineligible
from api.services.merkle import MerkleStore, from_hex, to_hex
from api.services.tickets import get_own_ticket, leaf_from, wallet_salt
from api.timeutil import utcnow
from api.wallet import file_sha256 as hash_file
from circuits.gadgets.merkle import compute_root
from circuits.ticket import merkle_hash2

# Reads of the path and of the root history are two statements: a tree write in between makes
# the path's root historic at once, so read again (a few times) rather than hand out a stale path.
_PATH_ATTEMPTS = 3
_HASH_LOCK = threading.Lock()


class TreeBusy(ApiError):
    status, code = 503, "tree_busy"


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, hex; cached by (path, size, mtime) since proving keys are large."""
    stat = path.stat()
    with _HASH_LOCK:
        return _sha256_of(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    return hash_file(path)


def _latest_root(session: Session, event_pk: int) -> str | None:
    query = (
        select(MerkleRoot.root)
        .where(MerkleRoot.event_pk == event_pk)
        .order_by(MerkleRoot.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def wallet_bundle(
    session: Session,
    settings: Settings,
    principal: Principal,
    ticket_id: str,
    keys: CircuitKeys,
) -> WalletBundle:
    """The bundle for one of the merchant's wallet-bound tickets (409 for any other ticket)."""
    ticket = get_own_ticket(session, principal, ticket_id)
    if ticket.holder_commitment is None:
        raise Conflict(
            f"ticket {ticket_id!r} is not wallet-bound: the service mints its tokens",
            code="not_wallet_bound",
        )
    if ticket.state is TicketState.REVOKED:
        raise Ineligible("revoked", f"ticket {ticket_id!r} was revoked")
    if ticket.leaf_index is None:  # pragma: no cover - every issued ticket has a leaf
        raise Ineligible("not_in_tree", "the ticket has no leaf yet")
    event = ticket.event
    salt = wallet_salt(settings, ticket)
    leaf = leaf_from(ticket, event.event_id, from_hex(ticket.holder_commitment), salt)
    tree = MerkleStore(settings.merkle_depth)
    for _ in range(_PATH_ATTEMPTS):
        path = tree.path(session, event, ticket.leaf_index)
        # The root this path proves: the leaf is known, the path was read in one statement.
        root = compute_root(leaf, path.path, path.bits, merkle_hash2)
        # SQLite: one snapshot under the write lock, equal at once; PostgreSQL (READ COMMITTED):
        # each statement sees the latest commit, so a concurrent write shows here.
        if _latest_root(session, event.id) == to_hex(root):
            break
    else:
        raise TreeBusy("the event's tree is changing: ask again", headers={"Retry-After": "1"})
    return _bundle(ticket, salt, path.path, path.bits, root, settings.merkle_depth, keys)


def _bundle(
    ticket: Ticket,
    salt: int,
    path: list[int],
    bits: list[int],
    root: int,
    depth: int,
    keys: CircuitKeys,
) -> WalletBundle:
    event = ticket.event
    assert ticket.holder_commitment is not None and ticket.leaf_index is not None
    not_before, not_after = validity_fields(ticket.not_before, ticket.not_after)
    scopes = [
        WalletScope(scope=name, scope_field=element_hex(scope_field(name))) for name in event.scopes
    ]
    return WalletBundle(
        ticket_id=ticket.ticket_id,
        event_id=event.event_id,
        event_field=element_hex(event_field(event.event_id)),
        tier=ticket.tier,
        tier_field=element_hex(tier_field(ticket.tier)),
        scopes=scopes,
        not_before=ticket.not_before,
        not_after=ticket.not_after,
        not_before_seconds=not_before,
        not_after_seconds=not_after,
        holder_commitment=element_hex(from_hex(ticket.holder_commitment)),
        ticket_salt=element_hex(salt),
        leaf_index=ticket.leaf_index,
        merkle_depth=depth,
        merkle_path=[element_hex(node) for node in path],
        merkle_bits=list(bits),
        root=element_hex(root),
        verification_key_sha256=keys.vk_sha256,
        proving_key_sha256=file_sha256(keys.zkey_path),
        issued_at=utcnow(),
    )
