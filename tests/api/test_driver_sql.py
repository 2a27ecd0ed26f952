"""DriverStatement: the same values as the ORM in and out (datetimes, enums, JSON), in the
session's transaction, on SQLite and PostgreSQL; what it refuses; driver errors wrapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.db import insert_new
from api.driver_sql import DriverStatement
from api.models import ApiKey, Role, table

KEYS = table(ApiKey)
BY_ID = DriverStatement(select(KEYS).where(KEYS.c.key_id == bindparam("key_id")))
AT = datetime(2026, 3, 10, 12, 5, 0, 123456, tzinfo=UTC)


def _insert_key(key_id: str, **over: object) -> dict[str, object]:
    values: dict[str, object] = {
        "key_id": key_id,
        "key_hash": "0" * 64,
        "role": Role.GATE,
        "merchant_id": None,
        "event_pk": None,
        "gate_ids": ["north", "south"],
        "created_at": AT,
        "revoked_at": AT + timedelta(hours=1),
    }
    return values | over


def test_reads_what_the_orm_wrote(session: Session) -> None:
    session.add(ApiKey(**_insert_key("k1")))
    session.commit()
    row = BY_ID.first(session, {"key_id": "k1"})
    orm = session.get(ApiKey, "k1")
    assert orm is not None and row is not None
    assert row.role is Role.GATE and row.gate_ids == ["north", "south"]
    assert row.created_at == orm.created_at == AT and row.created_at.tzinfo is not None
    assert row.revoked_at == AT + timedelta(hours=1)
    assert row.merchant_id is None and row.event_pk is None
    assert BY_ID.first(session, {"key_id": "missing"}) is None
    assert BY_ID.rows(session, {"key_id": "missing"}) == []


def test_writes_what_the_orm_reads_in_the_sessions_transaction(session: Session) -> None:
    columns = _insert_key("k2", role=Role.MERCHANT, gate_ids=None, revoked_at=None)
    add = DriverStatement(insert(KEYS).returning(KEYS.c.key_id), column_keys=list(columns))
    assert add.first(session, columns) == ("k2",)
    orm = session.get(ApiKey, "k2")
    assert orm is not None
    assert (orm.role, orm.gate_ids, orm.created_at, orm.revoked_at) == (
        Role.MERCHANT,
        None,
        AT,
        None,
    )
    session.rollback()  # the insert was the session's: it goes with the rollback
    session.expunge_all()
    assert session.get(ApiKey, "k2") is None


def test_sees_pending_orm_rows_like_session_execute(session: Session) -> None:
    session.add(ApiKey(**_insert_key("pending")))
    row = BY_ID.first(session, {"key_id": "pending"})  # autoflushed, as Session.execute does
    assert row is not None and row.key_id == "pending"
    with session.no_autoflush:
        session.add(ApiKey(**_insert_key("held")))
        assert BY_ID.first(session, {"key_id": "held"}) is None
    session.rollback()


def test_insert_new_returns_none_on_conflict(session: Session) -> None:
    metadata = MetaData()
    items = Table(
        "driver_sql_items",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("name", String(20), unique=True),
    )
    metadata.create_all(session.connection())
    first = insert_new(session, items, {"name": "a"})
    assert isinstance(first, int)
    assert insert_new(session, items, {"name": "a"}) is None  # the transaction goes on
    assert insert_new(session, items, {"name": "b"}) not in (None, first)
    session.rollback()


def test_literal_binds_and_limits(session: Session) -> None:
    for i in range(3):
        session.add(ApiKey(**_insert_key(f"lit{i}")))
    session.commit()
    query = DriverStatement(
        select(KEYS.c.key_id)
        .where(KEYS.c.key_id.like("lit%"), KEYS.c.role == Role.GATE)
        .order_by(KEYS.c.key_id.desc())
        .limit(2)
    )
    assert [r.key_id for r in query.rows(session, {})] == ["lit2", "lit1"]


def test_refuses_what_it_cannot_run_faithfully(session: Session) -> None:
    expanding = DriverStatement(
        select(KEYS.c.key_id).where(KEYS.c.key_id.in_(bindparam("ids", expanding=True)))
    )
    with pytest.raises(ValueError, match="expanding"):
        expanding.rows(session, {"ids": ["a"]})
    metadata = MetaData()
    defaulted = Table(
        "driver_sql_defaulted",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(20), default="x"),
    )
    metadata.create_all(session.connection())
    partial = DriverStatement(insert(defaulted), column_keys=["id"])
    with pytest.raises(ValueError, match="default"):
        partial.rows(session, {"id": 1})
    with pytest.raises(KeyError):
        BY_ID.rows(session, {})  # a required parameter missing
    session.rollback()


def test_driver_errors_are_sqlalchemy_errors(session: Session) -> None:
    broken = DriverStatement(select(Table("no_such_table", MetaData(), Column("x", Integer))))
    with pytest.raises(DBAPIError):
        broken.rows(session, {})
    session.rollback()
