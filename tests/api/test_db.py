"""Storage: migrations, SQLite settings, the constraints one-time use rests on."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.db import (
    alembic_config,
    begin_read_only,
    insert_new,
    make_engine,
    make_sessionmaker,
    migrate,
    schema_tables,
)
from api.models import Base, Consumption, Event, Merchant, table
from api.timeutil import utcnow


def test_migrations_create_every_table_and_are_idempotent(engine: Engine) -> None:
    expected = set(Base.metadata.tables) | {"alembic_version"}
    assert schema_tables(engine) == expected
    migrate(engine)  # again: nothing to do, nothing breaks
    with engine.connect() as conn:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head


def test_sqlite_runs_wal_with_foreign_keys_and_busy_timeout(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db", busy_timeout_ms=1234)  # type: ignore[str-bytes-safe]
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        engine.dispose()


def _event(session: Session) -> int:
    now = utcnow()
    session.add(Merchant(id="m", name="m", created_at=now))
    session.flush()
    ev = Event(
        event_id="e",
        merchant_id="m",
        name="e",
        starts_at=now,
        ends_at=now,
        scopes=["e"],
        reveal_ticket_id=False,
        created_at=now,
    )
    session.add(ev)
    session.commit()
    return ev.id


def test_consumption_unique_constraint(session: Session) -> None:
    event_pk = _event(session)
    row = {
        "event_pk": event_pk,
        "scope": "e",
        "nullifier": "ab" * 32,
        "gate_id": "g",
        "consumed_at": utcnow(),
    }
    session.add(Consumption(**row))
    session.commit()
    session.add(Consumption(**row))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_foreign_keys_are_enforced(session: Session) -> None:
    now = utcnow()
    session.add(
        Event(
            event_id="e",
            merchant_id="nobody",
            name="e",
            starts_at=now,
            ends_at=now,
            scopes=["e"],
            reveal_ticket_id=False,
            created_at=now,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_timestamps_round_trip_as_aware_utc(session: Session) -> None:
    event_pk = _event(session)
    ev = session.get(Event, event_pk)
    session.expire_all()
    ev = session.get(Event, event_pk)
    assert ev is not None and ev.created_at.utcoffset() is not None
    assert ev.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_insert_new_returns_the_id_then_none_and_the_transaction_goes_on(
    session: Session,
) -> None:
    event_pk = _event(session)
    row = {
        "event_pk": event_pk,
        "scope": "e",
        "nullifier": "cd" * 32,
        "ticket_pk": None,
        "gate_id": "g",
        "consumed_at": utcnow(),
    }
    first = insert_new(session, table(Consumption), row)
    assert isinstance(first, int)
    assert insert_new(session, table(Consumption), row | {"gate_id": "other"}) is None
    # The conflict aborted nothing (no savepoint needed, PostgreSQL included).
    other = insert_new(session, table(Consumption), row | {"scope": "day2"})
    session.commit()
    assert isinstance(other, int) and other != first
    stored = session.scalars(select(Consumption.gate_id).order_by(Consumption.id)).all()
    assert stored == ["g", "g"]


def test_insert_new_still_enforces_foreign_keys(session: Session) -> None:
    row = {"event_pk": 999_999, "scope": "e", "nullifier": "ef" * 32, "ticket_pk": None}
    with pytest.raises(IntegrityError):
        insert_new(session, table(Consumption), row | {"gate_id": "g", "consumed_at": utcnow()})
    session.rollback()


def _sqlite_file_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path}/w.db", busy_timeout_ms=5_000)
    migrate(engine)
    return engine


def test_sqlite_read_only_snapshot_takes_no_write_lock(tmp_path: Path) -> None:
    engine = _sqlite_file_engine(tmp_path)
    try:
        with make_sessionmaker(engine)() as writer, make_sessionmaker(engine)() as reader:
            _event(writer)
            writer.execute(text("UPDATE events SET name = 'x'"))  # holds the write lock
            begin_read_only(reader)
            # Reads at once from its snapshot (a write-mode BEGIN would wait for the writer).
            assert reader.scalar(select(Event.name)) == "e"
            reader.commit()
            writer.commit()
    finally:
        engine.dispose()


def _flock_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_sqlite_writers_of_two_engines_take_turns(tmp_path: Path) -> None:
    """Two engines on one file stand for two server processes: the second writer's BEGIN
    waits on the flock next to the database until the first commits."""
    first, second = _sqlite_file_engine(tmp_path), _sqlite_file_engine(tmp_path)
    order: list[str] = []
    started = threading.Event()

    def write_second() -> None:
        started.set()
        with second.begin() as conn:
            order.append("second begins")
            conn.execute(text("SELECT 1"))

    try:
        with first.begin() as conn:
            conn.execute(text("SELECT 1"))
            assert not _flock_free(tmp_path / "w.db.writer-lock")
            thread = threading.Thread(target=write_second)
            thread.start()
            started.wait()
            thread.join(timeout=0.3)  # it cannot get in while the first holds the turn
            order.append("first commits")
        thread.join(timeout=10)
        assert order == ["first commits", "second begins"]
        assert _flock_free(tmp_path / "w.db.writer-lock")  # released with each commit
    finally:
        first.dispose()
        second.dispose()


def test_sqlite_writer_past_the_busy_timeout_fails_cleanly(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE runs on the DBAPI cursor: SQLite's "database is locked" still reaches
    the caller as SQLAlchemy's OperationalError, and the failed writer gives its turn back."""
    holder = _sqlite_file_engine(tmp_path)
    waiter = make_engine(f"sqlite:///{tmp_path}/w.db", busy_timeout_ms=100)
    try:
        with holder.begin() as conn:
            conn.execute(text("SELECT 1"))  # holds the flock and SQLite's write lock
            with pytest.raises(OperationalError, match="locked"), waiter.begin():
                pass
        with waiter.begin() as conn:  # its turn was released: the next write goes through
            conn.execute(text("SELECT 1"))
        assert _flock_free(tmp_path / "w.db.writer-lock")
    finally:
        holder.dispose()
        waiter.dispose()
