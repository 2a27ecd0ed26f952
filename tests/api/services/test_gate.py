"""The atomic consume: exactly one accept per (event, scope, nullifier), retries answered."""

from __future__ import annotations

import multiprocessing as mp
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from api.db import make_engine, make_sessionmaker
from api.models import Consumption, Entry, EntryResult, Event
from api.services.gate import (
    BN254_R,
    Accepted,
    AlreadyConsumed,
    Rejected,
    ScanIdReused,
    consume,
    nullifier_hex,
    record_rejection,
)
from api.timeutil import utcnow
from tests.api.conftest import event_row

NULLIFIER = 0x1234_5678_9ABC_DEF0 << 100


def _event(session: Session, event_id: str = "ev") -> int:
    return event_row(session, event_id).id


def test_first_consume_accepts_and_records_entry(session: Session) -> None:
    event_pk = _event(session)
    out = consume(session, event_pk, "day1", NULLIFIER, "north", None)
    assert isinstance(out, Accepted) and out.accepted and not out.replayed
    assert out.gate_id == "north" and out.scope == "day1"
    entry = session.scalars(select(Entry)).one()
    assert entry.result is EntryResult.ACCEPTED and entry.reason is None
    assert entry.gate_id == "north" and entry.scope == "day1"


def test_second_consume_is_already_consumed(session: Session) -> None:
    event_pk = _event(session)
    first = consume(session, event_pk, "day1", NULLIFIER, "north", None)
    again = consume(session, event_pk, "day1", NULLIFIER, "south", None)
    assert isinstance(again, AlreadyConsumed) and not again.accepted
    assert again.reason == "already_consumed"
    assert again.first_gate_id == "north" and again.first_consumed_at == first.consumed_at
    results = session.scalars(select(Entry.result).order_by(Entry.id)).all()
    assert results == [EntryResult.ACCEPTED, EntryResult.REJECTED]
    assert session.scalar(select(func.count()).select_from(Consumption)) == 1


def test_other_scope_other_event_other_nullifier_are_independent(session: Session) -> None:
    ev1, ev2 = _event(session, "ev1"), _event(session, "ev2")
    assert isinstance(consume(session, ev1, "day1", NULLIFIER, "g", None), Accepted)
    assert isinstance(consume(session, ev1, "day2", NULLIFIER, "g", None), Accepted)
    assert isinstance(consume(session, ev2, "day1", NULLIFIER, "g", None), Accepted)
    assert isinstance(consume(session, ev1, "day1", NULLIFIER + 1, "g", None), Accepted)
    assert isinstance(consume(session, ev1, "day1", NULLIFIER, "g", None), AlreadyConsumed)


@pytest.mark.parametrize("bad", [-1, BN254_R, BN254_R + NULLIFIER, 2**256])
def test_non_canonical_nullifier_is_refused(session: Session, bad: int) -> None:
    # n and n + r are the same field element: only the canonical one may be stored.
    event_pk = _event(session)
    with pytest.raises(ValueError):
        consume(session, event_pk, "day1", bad, "g", None)
    assert nullifier_hex(BN254_R - 1) == f"{BN254_R - 1:064x}"


def test_scan_retry_gets_the_original_accept(session: Session) -> None:
    event_pk = _event(session)
    first = consume(
        session, event_pk, "day1", NULLIFIER, "north", None, scan_id="scan-1", token_hash="aa" * 32
    )
    retry = consume(
        session, event_pk, "day1", NULLIFIER, "north", None, scan_id="scan-1", token_hash="aa" * 32
    )
    assert isinstance(retry, Accepted) and retry.replayed
    assert retry.consumed_at == first.consumed_at
    # The same token under another scan_id, or from another gate, is a replay.
    assert isinstance(
        consume(
            session,
            event_pk,
            "day1",
            NULLIFIER,
            "north",
            None,
            scan_id="scan-2",
            token_hash="aa" * 32,
        ),
        AlreadyConsumed,
    )
    other_gate = consume(
        session, event_pk, "day1", NULLIFIER, "south", None, scan_id="scan-1", token_hash="aa" * 32
    )
    assert isinstance(other_gate, AlreadyConsumed) and not other_gate.replayed


def test_scan_retry_of_a_rejection_stays_rejected(session: Session) -> None:
    event_pk = _event(session)
    consume(session, event_pk, "day1", NULLIFIER, "north", None)
    first = consume(
        session, event_pk, "day1", NULLIFIER, "north", None, scan_id="s", token_hash="bb" * 32
    )
    retry = consume(
        session, event_pk, "day1", NULLIFIER, "north", None, scan_id="s", token_hash="bb" * 32
    )
    assert isinstance(first, AlreadyConsumed) and isinstance(retry, AlreadyConsumed)
    assert retry.replayed


def test_scan_id_reused_for_another_token_is_a_conflict(session: Session) -> None:
    event_pk = _event(session)
    consume(session, event_pk, "day1", NULLIFIER, "north", None, scan_id="s", token_hash="aa" * 32)
    with pytest.raises(ScanIdReused):
        consume(
            session,
            event_pk,
            "day1",
            NULLIFIER + 1,
            "north",
            None,
            scan_id="s",
            token_hash="cc" * 32,
        )
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Consumption)) == 1


def test_scan_id_needs_token_hash(session: Session) -> None:
    event_pk = _event(session)
    with pytest.raises(ValueError):
        consume(session, event_pk, "day1", NULLIFIER, "north", None, scan_id="s")


def test_record_rejection_and_its_retry(session: Session) -> None:
    event_pk = _event(session)
    out = record_rejection(session, event_pk, "north", "expired", scan_id="s", token_hash="dd" * 32)
    assert isinstance(out, Rejected) and out.reason == "expired" and not out.replayed
    again = consume(
        session, event_pk, "day1", NULLIFIER, "north", None, scan_id="s", token_hash="dd" * 32
    )
    # The retry of a rejected scan is rejected again, and consumes nothing.
    assert isinstance(again, Rejected) and again.replayed and again.reason == "expired"
    assert session.scalar(select(func.count()).select_from(Consumption)) == 0


def _race_threads(engine: Engine, event_pk: int, n: int, scan: bool) -> list[object]:
    maker = make_sessionmaker(engine)
    barrier = threading.Barrier(n)

    def one(i: int) -> object:
        with maker() as s:
            barrier.wait()
            kwargs = {"scan_id": "same-scan", "token_hash": "ee" * 32} if scan else {}
            return consume(
                s, event_pk, "day1", NULLIFIER, "north" if scan else f"g{i}", None, **kwargs
            )

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize("rounds", [3])
def test_racing_threads_get_exactly_one_accept(
    engine: Engine, session: Session, rounds: int
) -> None:
    for r in range(rounds):
        event_pk = _event(session, f"ev{r}")
        outs = _race_threads(engine, event_pk, 8, scan=False)
        assert sum(isinstance(o, Accepted) for o in outs) == 1
        assert sum(isinstance(o, AlreadyConsumed) for o in outs) == 7


def test_racing_retries_of_one_scan_all_get_the_accept(engine: Engine, session: Session) -> None:
    # Every copy of one scan (same gate, scan_id, token) is told "accepted", one row consumed.
    event_pk = _event(session)
    outs = _race_threads(engine, event_pk, 6, scan=True)
    assert all(isinstance(o, Accepted) for o in outs), outs
    assert sum(not o.replayed for o in outs) == 1  # type: ignore[attr-defined]
    assert session.scalar(select(func.count()).select_from(Consumption)) == 1


def _process_consume(url: str, event_pk: int, gate: str, barrier: object, out: object) -> None:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as s:
            barrier.wait()  # type: ignore[attr-defined]
            result = consume(s, event_pk, "day1", NULLIFIER, gate, None)
            out.put(type(result).__name__)  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_racing_processes_get_exactly_one_accept(engine: Engine, session: Session) -> None:
    # forkserver: children start clean (no inherited connections) yet import api only once.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["api.db", "api.services.gate"])
    url = engine.url.render_as_string(hide_password=False)
    n = 4
    event_pk = _event(session)
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [
        ctx.Process(target=_process_consume, args=(url, event_pk, f"g{i}", barrier, out))
        for i in range(n)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    results = sorted(out.get(timeout=5) for _ in range(n))
    assert results == ["Accepted"] + ["AlreadyConsumed"] * (n - 1)


def test_gate_policy() -> None:
    from api.auth import Principal
    from api.models import Gate, Role
    from api.services.gate import gate_policy

    now = utcnow()
    event = Event(
        id=7,
        event_id="ev",
        merchant_id="m",
        name="E",
        starts_at=now,
        ends_at=now,
        scopes=["day1", "day2"],
        reveal_ticket_id=False,
        created_at=now,
        gates=[
            Gate(gate_id="north", position=0, tiers=None),
            Gate(gate_id="vip", position=1, tiers=["vip"]),
        ],
    )
    any_gate = Principal("k", Role.GATE, "m", event_pk=7, gate_ids=None)
    north_only = Principal("k", Role.GATE, "m", event_pk=7, gate_ids=("north",))
    assert gate_policy(any_gate, event, "north", "day1", "ga") is None
    assert gate_policy(any_gate, event, "vip", "day2", "vip") is None
    assert gate_policy(north_only, event, "north", "day1", "vip") is None
    # ... and each rule's twin that must refuse.
    assert gate_policy(any_gate, event, "vip", "day1", "ga") == "tier_not_allowed"
    assert gate_policy(north_only, event, "vip", "day1", "vip") == "gate_not_allowed"
    assert gate_policy(any_gate, event, "south", "day1", "ga") == "gate_not_allowed"
    assert gate_policy(any_gate, event, "north", "day3", "ga") == "scope_not_allowed"
    other_event = Principal("k", Role.GATE, "m", event_pk=8, gate_ids=None)
    assert gate_policy(other_event, event, "north", "day1", "ga") == "gate_not_allowed"
    merchant = Principal("k", Role.MERCHANT, "m")
    assert gate_policy(merchant, event, "north", "day1", "ga") == "gate_not_allowed"
