"""The per-event persistent Merkle tree (api.services.merkle), on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from api.auth import Principal
from api.config import Settings
from api.db import alembic_config, make_engine, make_sessionmaker, migrate
from api.models import Event, Merchant, MerkleNode, MerkleRoot, Role, Ticket
from api.schemas import TicketCreate
from api.services.merkle import MerkleStore, from_hex, zero_hashes
from api.services.tickets import issue_ticket, leaf_of, ticket_secrets
from circuits.gadgets.merkle import compute_root
from circuits.ticket import MerkleTree, merkle_hash2
from tests.api.conftest import API, Factory, MerchantCtx
from zkcore import errors
from zkcore.field import Fr

DEPTH = 6
T0 = datetime(2025, 3, 10, 12, 0, 0, tzinfo=UTC)


def make_event(session: Session, event_id: str = "ev-1") -> int:
    """A merchant and an event stored directly; returns the event's pk."""
    if session.get(Merchant, "m-1") is None:
        session.add(Merchant(id="m-1", name="M", created_at=T0))
        session.flush()  # no ORM relationship orders the merchant before the event
    event = Event(
        event_id=event_id, merchant_id="m-1", name="E", starts_at=T0, ends_at=T0, scopes=[],
        created_at=T0,
    )  # fmt: skip
    session.add(event)
    session.commit()
    return event.id


def leaves(n: int, seed: int = 1) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(1, Fr.modulus) for _ in range(n)]


def fill(session: Session, store: MerkleStore, pk: int, values: list[int]) -> None:
    for i, v in enumerate(values):
        assert store.append_leaf(session, pk, v) == i
    session.commit()


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 8, 13])
def test_roots_and_paths_match_the_circuit_tree(session: Session, count: int) -> None:
    store, pk = MerkleStore(DEPTH), make_event(session)
    values = leaves(count)
    fill(session, store, pk, values)
    reference = MerkleTree(DEPTH, values)
    assert store.root(session, pk) == reference.root
    assert store.leaf_count(session, pk) == count
    for i, v in enumerate(values):
        p = store.path(session, pk, i)
        assert (p.path, p.bits) == reference.proof(i)
        assert compute_root(v, p.path, p.bits, merkle_hash2) == reference.root
        # A wrong leaf on the right path misses the root ("invalid must fail" twin).
        assert compute_root(v ^ 1, p.path, p.bits, merkle_hash2) != reference.root


def test_only_non_zero_nodes_are_stored(session: Session) -> None:
    store, pk = MerkleStore(DEPTH), make_event(session)
    fill(session, store, pk, leaves(3))
    stored = session.scalar(select(func.count()).select_from(MerkleNode))
    # Leaves 0..2, level 1: nodes 0, 1, then one node per level up to the root.
    assert stored == 3 + 2 + (DEPTH - 1)
    zero = zero_hashes(DEPTH)
    for node in session.scalars(select(MerkleNode)):
        assert from_hex(node.value) != zero[node.level]


def test_trees_of_events_are_independent(session: Session) -> None:
    store = MerkleStore(DEPTH)
    a, b = make_event(session, "a"), make_event(session, "b")
    fill(session, store, a, leaves(3, seed=1))
    fill(session, store, b, leaves(2, seed=2))
    assert store.root(session, a) == MerkleTree(DEPTH, leaves(3, seed=1)).root
    assert store.root(session, b) == MerkleTree(DEPTH, leaves(2, seed=2)).root


def test_set_leaf_changes_root_and_old_path_fails(session: Session) -> None:
    store, pk = MerkleStore(DEPTH), make_event(session)
    values = leaves(5)
    fill(session, store, pk, values)
    old_root, old = store.root(session, pk), store.path(session, pk, 3)
    store.set_leaf(session, pk, 3, 0)
    session.commit()
    values[3] = 0
    assert store.leaf(session, pk, 3) == 0 and store.leaf(session, pk, 4) == values[4]
    new_root = store.root(session, pk)
    assert new_root == MerkleTree(DEPTH, values).root != old_root
    assert compute_root(leaves(5)[3], old.path, old.bits, merkle_hash2) != new_root
    # Transfer: a new leaf at the same index.
    store.set_leaf(session, pk, 3, 777)
    session.commit()
    values[3] = 777
    assert store.root(session, pk) == MerkleTree(DEPTH, values).root
    # Clearing the only leaf returns to the empty tree and deletes every node.
    pk2 = make_event(session, "solo")
    fill(session, store, pk2, [5])
    store.set_leaf(session, pk2, 0, 0)
    session.commit()
    assert store.root(session, pk2) == zero_hashes(DEPTH)[DEPTH]
    assert session.scalar(select(func.count()).where(MerkleNode.event_pk == pk2)) == 0


def test_bad_arguments_are_typed_errors(session: Session) -> None:
    store, pk = MerkleStore(DEPTH), make_event(session)
    fill(session, store, pk, leaves(2))
    with pytest.raises(errors.ArgumentError):
        store.set_leaf(session, pk, 2, 1)  # beyond the appended leaves
    with pytest.raises(errors.ArgumentError):
        store.path(session, pk, 2)
    with pytest.raises(errors.NonCanonicalError):
        store.append_leaf(session, pk, Fr.modulus)
    session.rollback()
    with pytest.raises(errors.ArgumentError):
        store.append_leaf(session, 10_000, 1)  # no such event
    session.rollback()
    with pytest.raises(errors.ArgumentError):
        MerkleStore(0)
    small = MerkleStore(1)
    pk2 = make_event(session, "tiny")
    fill(session, small, pk2, [1, 2])
    with pytest.raises(errors.ArgumentError):
        small.append_leaf(session, pk2, 3)  # full


def test_root_history_and_window(session: Session) -> None:
    store, pk = MerkleStore(DEPTH), make_event(session)
    values = leaves(3)
    roots = []
    for v in values:
        store.append_leaf(session, pk, v)
        session.commit()
        roots.append(store.root(session, pk))
    history = list(session.scalars(select(MerkleRoot).order_by(MerkleRoot.id)))
    assert [from_hex(r.root) for r in history] == roots
    assert [r.leaf_count for r in history] == [1, 2, 3]
    # Pin the times: root k current from T0 + 100 k seconds.
    for k, row in enumerate(history):
        row.current_from = T0 + timedelta(seconds=100 * k)
    session.commit()

    def ok(root: int, at: float, window: float = 30) -> bool:
        return store.root_accepted(session, pk, root, T0 + timedelta(seconds=at), window)

    r0, r1, r2 = roots
    assert ok(r0, 50) and ok(r1, 150) and ok(r2, 10_000)
    assert not ok(r0, -1)  # before it existed
    assert not ok(r1, 99.999, window=0)
    # r0 stopped at 100: still accepted while now - window < 100.
    assert ok(r0, 129.999)
    assert not ok(r0, 130)  # the window starts exactly when r1 took over
    assert ok(r0, 400, window=300.001) and not ok(r0, 400, window=300)
    assert not ok(12345, 150, window=1e6)  # never a root
    assert not ok(zero_hashes(DEPTH)[DEPTH], 150)  # the empty tree holds no ticket
    other = make_event(session, "other")
    assert not store.root_accepted(session, other, r2, T0 + timedelta(days=1), 300)
    with pytest.raises(errors.ArgumentError):
        ok(r0, 50, window=-1)
    with pytest.raises(errors.NonCanonicalError):
        ok(r0 + Fr.modulus, 50)


def test_a_root_seen_again_is_accepted_in_its_later_period(session: Session) -> None:
    store, pk = MerkleStore(DEPTH), make_event(session)
    fill(session, store, pk, [7])
    first = store.root(session, pk)
    store.set_leaf(session, pk, 0, 8)
    store.set_leaf(session, pk, 0, 7)  # back to the first root
    session.commit()
    rows = list(session.scalars(select(MerkleRoot).order_by(MerkleRoot.id)))
    assert [from_hex(r.root) == first for r in rows] == [True, False, True]
    for k, row in enumerate(rows):
        row.current_from = T0 + timedelta(seconds=100 * k)
    session.commit()
    assert store.root_accepted(session, pk, first, T0 + timedelta(seconds=1000), 1)


def test_restart_sees_the_same_tree(settings: Settings, engine: Engine) -> None:
    store = MerkleStore(DEPTH)
    with make_sessionmaker(engine)() as s:
        pk = make_event(s)
        fill(s, store, pk, leaves(4))
        root = store.root(s, pk)
    engine.dispose()
    fresh = make_engine(settings.resolved_database_url)
    try:
        with make_sessionmaker(fresh)() as s:
            assert store.root(s, pk) == root == MerkleTree(DEPTH, leaves(4)).root
            assert store.append_leaf(s, pk, 99) == 4
            s.commit()
            assert store.root(s, pk) == MerkleTree(DEPTH, [*leaves(4), 99]).root
    finally:
        fresh.dispose()


def test_concurrent_appends_do_not_collide(engine: Engine) -> None:
    store, maker = MerkleStore(DEPTH), make_sessionmaker(engine)
    with maker() as s:
        pk = make_event(s)
    workers, per_worker = 4, 3
    barrier = threading.Barrier(workers)
    got: dict[int, int] = {}
    failures: list[BaseException] = []

    def work(w: int) -> None:
        try:
            barrier.wait()
            for k in range(per_worker):
                value = 1000 * (w + 1) + k
                with maker() as s:
                    index = store.append_leaf(s, pk, value)
                    s.commit()
                got[index] = value
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert sorted(got) == list(range(workers * per_worker))
    values = [got[i] for i in range(len(got))]
    with maker() as s:
        assert store.root(s, pk) == MerkleTree(DEPTH, values).root


# ----------------------------------------------------------------- through the API


def _ticket(session: Session, ticket_id: str) -> Ticket:
    session.rollback()  # end any read transaction: SQLite's BEGIN IMMEDIATE would block the app
    found = session.scalar(select(Ticket).where(Ticket.ticket_id == ticket_id))
    assert found is not None
    return found


def test_issued_tickets_are_leaves_and_revocation_clears(
    factory: Factory, merchant: MerchantCtx, session: Session, settings: Settings, client: Any
) -> None:
    event = factory.event(merchant)
    made = [
        factory.ticket(merchant, event["event_id"]),
        factory.ticket(
            merchant, event["event_id"], tier="vip", holder_id="alice",
            not_before="2025-03-10T17:00:00.000Z", not_after="2025-03-10T23:30:00.000Z",
        ),
        factory.ticket(merchant, event["event_id"]),
    ]  # fmt: skip
    store = MerkleStore(settings.merkle_depth)
    tickets = [_ticket(session, t["ticket_id"]) for t in made]
    assert [t.leaf_index for t in tickets] == [0, 1, 2]
    values = [leaf_of(t, event["event_id"], ticket_secrets(settings, t)) for t in tickets]
    pk = tickets[0].event_pk
    reference = MerkleTree(settings.merkle_depth, values)
    assert store.root(session, pk) == reference.root
    session.rollback()
    # An identical repeat adds no leaf.
    again = factory.client.post(
        f"{API}/tickets",
        json={"ticket_id": made[0]["ticket_id"], "event_id": event["event_id"], "tier": "ga"},
        headers=merchant.headers,
    )
    assert again.status_code == 200
    assert store.leaf_count(session, pk) == 3
    old = store.path(session, pk, 1)
    session.rollback()
    r = factory.client.post(
        f"{API}/tickets/{made[1]['ticket_id']}/revoke", headers=merchant.headers
    )
    assert r.status_code == 200
    values[1] = 0
    new_root = store.root(session, pk)
    assert new_root == MerkleTree(settings.merkle_depth, values).root
    assert compute_root(
        leaf_of(tickets[1], event["event_id"], ticket_secrets(settings, tickets[1])),
        old.path, old.bits, merkle_hash2,
    ) != new_root  # fmt: skip
    # Revoking again changes nothing.
    count = session.scalar(select(func.count()).select_from(MerkleRoot))
    session.rollback()
    factory.client.post(f"{API}/tickets/{made[1]['ticket_id']}/revoke", headers=merchant.headers)
    assert session.scalar(select(func.count()).select_from(MerkleRoot)) == count


def test_migration_0002_indexes_roots_by_event_and_id(engine: Engine) -> None:
    def names() -> set[str]:
        return {ix["name"] for ix in inspect(engine).get_indexes("merkle_roots") if ix["name"]}

    assert "ix_merkle_roots_event_id" in names()
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        conn.commit()
    assert "ix_merkle_roots_event_id" not in names()
    migrate(engine)
    assert "ix_merkle_roots_event_id" in names()


def test_concurrent_ticket_issues_get_distinct_leaves(engine: Engine, settings: Settings) -> None:
    # Each issue inserts a ticket (whose foreign key share-locks the event row) and then locks
    # the event for the tree: the tree lock must not deadlock against those share locks.
    maker = make_sessionmaker(engine)
    with maker() as s:
        pk = make_event(s, "race")
    principal = Principal(key_id="k", role=Role.MERCHANT, merchant_id="m-1")
    workers, per_worker = 4, 3
    barrier = threading.Barrier(workers)
    failures: list[BaseException] = []

    def work(w: int) -> None:
        try:
            barrier.wait()
            for k in range(per_worker):
                body = TicketCreate(ticket_id=f"t-{w}-{k}", event_id="race", tier="ga")
                with maker() as s:
                    issue_ticket(s, settings, principal, body)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    store = MerkleStore(settings.merkle_depth)
    with maker() as s:
        tickets = list(s.scalars(select(Ticket).where(Ticket.event_pk == pk)))
        assert sorted(t.leaf_index for t in tickets) == list(range(workers * per_worker))
        by_index = sorted(tickets, key=lambda t: t.leaf_index or 0)
        values = [leaf_of(t, "race", ticket_secrets(settings, t)) for t in by_index]
        assert store.root(s, pk) == MerkleTree(settings.merkle_depth, values).root
