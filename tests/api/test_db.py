"""Storage: migrations, SQLite settings, the constraints one-time use rests on."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.db import alembic_config, make_engine, migrate, schema_tables
from api.models import Base, Consumption, Event, Merchant
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
