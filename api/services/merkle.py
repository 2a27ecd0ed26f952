"""Each event's incremental Poseidon(2) Merkle tree of ticket leaves, stored node by node.

Conventions are circuits.gadgets.merkle's (level 0 = leaves, bits[i] = 1 when the node at
level i is a right child) and the roots are circuits.ticket.MerkleTree's for the same leaves:
an empty slot is 0 and an empty subtree of height h hashes to zero[h] = H(zero[h-1],
zero[h-1]). Only nodes that differ from their level's zero hash are stored (merkle_nodes), so
the tree is never rebuilt: one leaf update reads its depth siblings and path nodes in one
query and writes depth + 1 nodes, costing depth Poseidon(2) hashes.

Writers of one event's tree are serialized by locking the event's row (SELECT ... FOR NO KEY
UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers), and each root change is
appended to merkle_roots with the time it became current, for root_accepted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import cast

from sqlalchemy import Select, Table, and_, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from api.driver_sql import DriverStatement
from api.models import Event, MerkleNode, MerkleRoot, table
from api.timeutil import utcnow
from zkcore import errors
from zkcore.field import Fr
from zkcore.poseidon import poseidon

MAX_DEPTH = 32


def hash2(left: int, right: int) -> int:
    """Poseidon(left, right): the tree's 2-to-1 hash (circuits.ticket.merkle_hash2)."""
    return poseidon([left, right])


@lru_cache(maxsize=8)
def zero_hashes(depth: int) -> tuple[int, ...]:
    """zero[h] for h = 0..depth: the root of an empty subtree of height h."""
    zero = [0]
    for _ in range(depth):
        zero.append(hash2(zero[-1], zero[-1]))
    return tuple(zero)


def to_hex(value: int) -> str:
    """The stored form of a field element: 64 lowercase hex digits."""
    return f"{value:064x}"


def from_hex(text: str) -> int:
    """A stored field element back to an int."""
    return int(text, 16)


class TreeFull(errors.ArgumentError):
    """Every leaf of the event's tree is taken: no more tickets fit."""


@dataclass(frozen=True)
class MerklePath:
    """A leaf's authentication path in circuits.gadgets.merkle's conventions."""

    path: list[int]
    bits: list[int]


def _event_pk(event: Event | int) -> int:
    return event if isinstance(event, int) else event.id


class MerkleStore:
    """The persistent trees of all events, all of one depth (TICKETKING_MERKLE_DEPTH)."""

    def __init__(self, depth: int) -> None:
        if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= MAX_DEPTH:
            raise errors.ArgumentError(f"depth must be an int in [1, {MAX_DEPTH}], got {depth!r}")
        self.depth = depth
        self.zero = zero_hashes(depth)

    # ------------------------------------------------------------------ reads

    def leaf_count(self, session: Session, event: Event | int) -> int:
        """How many leaves were appended (revoked ones included): the next free index."""
        query = (
            select(MerkleRoot.leaf_count)
            .where(MerkleRoot.event_pk == _event_pk(event))
            .order_by(MerkleRoot.id.desc())
            .limit(1)
        )
        return session.scalar(query) or 0

    def root(self, session: Session, event: Event | int) -> int:
        """The current root (the empty tree's root before the first leaf)."""
        return self._nodes(session, _event_pk(event), [(self.depth, 0)]).get(
            (self.depth, 0), self.zero[self.depth]
        )

    def leaf(self, session: Session, event: Event | int, index: int) -> int:
        """The leaf at `index` (0 for an empty or cleared slot)."""
        self._check_index(index)
        return self._nodes(session, _event_pk(event), [(0, index)]).get((0, index), 0)

    def path(self, session: Session, event: Event | int, index: int) -> MerklePath:
        """(path, bits) of the leaf at `index`, in one query."""
        if not 0 <= index < self.leaf_count(session, event):
            raise errors.ArgumentError(f"no leaf at index {index}")
        keys = [(level, (index >> level) ^ 1) for level in range(self.depth)]
        found = self._nodes(session, _event_pk(event), keys)
        path = [found.get(key, self.zero[key[0]]) for key in keys]
        bits = [(index >> level) & 1 for level in range(self.depth)]
        return MerklePath(path, bits)

    def root_accepted(
        self,
        session: Session,
        event: Event | int,
        root: int,
        now: datetime,
        window_seconds: float,
    ) -> bool:
        """Whether `root` was the event's current root at some moment in [now - window, now].

        A root is current from its row's current_from until (excluded) the next row's. The
        empty tree's root is never recorded, hence never accepted: it holds no ticket.
        """
        if window_seconds < 0:
            raise errors.ArgumentError("window_seconds must be >= 0")
        root = Fr.canonical(root)  # one hex spelling per value: a non-canonical root never matches
        start = now - timedelta(seconds=window_seconds)
        params = {"event_pk": _event_pk(event), "root": to_hex(root), "now": now}
        rows = _ROOT_SPANS.rows(session, params)
        return any(replaced_at is None or replaced_at > start for _, replaced_at in rows)

    # ----------------------------------------------------------------- writes

    def append_leaf(self, session: Session, event: Event | int, leaf: int) -> int:
        """Put `leaf` at the next free index and return it (caller commits)."""
        pk = _event_pk(event)
        self._lock(session, pk)
        index = self.leaf_count(session, pk)
        if index >= 1 << self.depth:
            raise TreeFull(f"the event's depth-{self.depth} tree is full")
        self._write(session, pk, index, leaf, index, index + 1)
        return index

    def set_leaf(self, session: Session, event: Event | int, index: int, value: int) -> None:
        """Replace an appended leaf (0 clears it: revocation); caller commits."""
        pk = _event_pk(event)
        self._lock(session, pk)
        count = self.leaf_count(session, pk)
        if not 0 <= index < count:
            raise errors.ArgumentError(f"no leaf at index {index} (the tree has {count})")
        self._write(session, pk, index, value, count, count)

    # --------------------------------------------------------------- helpers

    def _check_index(self, index: int) -> None:
        if not isinstance(index, int) or not 0 <= index < 1 << self.depth:
            raise errors.ArgumentError(f"leaf index {index!r} outside the tree")

    @staticmethod
    def _lock(session: Session, pk: int) -> None:
        # The event row is the tree's lock: concurrent writers of one tree queue here, and
        # under READ COMMITTED each later statement sees what the previous holder committed.
        # FOR NO KEY UPDATE (key_share), not FOR UPDATE: inserting a ticket or node row takes
        # a KEY SHARE lock on the event through its foreign key, which FOR UPDATE would wait
        # on, deadlocking two issuers that each inserted a ticket before taking this lock.
        found = session.scalar(
            select(Event.id).where(Event.id == pk).with_for_update(key_share=True)
        )
        if found is None:
            raise errors.ArgumentError(f"no event with pk {pk}")

    @staticmethod
    def _nodes(
        session: Session, pk: int, keys: Sequence[tuple[int, int]]
    ) -> dict[tuple[int, int], int]:
        cond = or_(*(and_(MerkleNode.level == lv, MerkleNode.index == ix) for lv, ix in keys))
        rows = session.execute(
            select(MerkleNode.level, MerkleNode.index, MerkleNode.value).where(
                MerkleNode.event_pk == pk, cond
            )
        )
        return {(lv, ix): from_hex(v) for lv, ix, v in rows}

    def _write(
        self, session: Session, pk: int, index: int, leaf: int, old_count: int, count: int
    ) -> None:
        leaf = Fr.canonical(leaf)
        self._check_index(index)
        siblings = [(level, (index >> level) ^ 1) for level in range(self.depth)]
        on_path = [(level, index >> level) for level in range(self.depth + 1)]
        # One read: every sibling, and the old path nodes (to know insert from update).
        found = self._nodes(session, pk, siblings + on_path)
        values = [leaf]
        for level in range(self.depth):
            node, sibling = values[-1], found.get(siblings[level], self.zero[level])
            bit = (index >> level) & 1
            values.append(hash2(node, sibling) if bit == 0 else hash2(sibling, node))
        inserts, updates, deletes = [], [], []
        for (level, ix), value in zip(on_path, values, strict=True):
            old = found.get((level, ix))
            if value == self.zero[level]:
                if old is not None:
                    deletes.append({"lv": level, "ix": ix})
            elif old is None:
                inserts.append(
                    {"event_pk": pk, "level": level, "index": ix, "value": to_hex(value)}
                )
            elif old != value:
                updates.append({"lv": level, "ix": ix, "val": to_hex(value)})
        table = cast(Table, MerkleNode.__table__)
        where = and_(
            table.c.event_pk == pk,
            table.c.level == bindparam("lv"),
            table.c["index"] == bindparam("ix"),
        )
        conn = session.connection()
        if inserts:
            conn.execute(insert(table), inserts)
        if updates:
            conn.execute(update(table).where(where).values(value=bindparam("val")), updates)
        if deletes:
            conn.execute(delete(table).where(where), deletes)
        old_root = found.get((self.depth, 0), self.zero[self.depth])
        new_root = values[-1]
        if new_root != old_root or count != old_count:
            session.add(
                MerkleRoot(
                    event_pk=pk, root=to_hex(new_root), leaf_count=count, current_from=utcnow()
                )
            )
            session.flush()


__all__ = ["MAX_DEPTH", "MerklePath", "MerkleStore", "from_hex", "hash2", "to_hex", "zero_hashes"]


def _root_spans() -> Select[int, datetime]:
    """Each row of an event with a given root, and when the next root replaced it (None:
    still current). Built once: verify runs it on every scan."""
    roots = table(MerkleRoot)
    later = roots.alias("later")
    until = (
        select(later.c.current_from)
        .where(later.c.event_pk == bindparam("event_pk"), later.c.id > roots.c.id)
        .order_by(later.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(roots.c.id, until)
        .where(
            roots.c.event_pk == bindparam("event_pk"),
            roots.c.root == bindparam("root"),
            roots.c.current_from <= bindparam("now"),
        )
        .order_by(roots.c.id.desc())
    )


_ROOT_SPANS = DriverStatement(_root_spans())
