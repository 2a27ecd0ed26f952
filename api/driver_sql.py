"""Core statements compiled once per dialect and run straight on the session's DBAPI cursor.

The gate's hot path runs six statements per scan. Through `Session.execute` each costs about
45 µs of Python (cache key, execution context, result metadata) where the driver itself takes
2-3 µs; at hundreds of scans per second that is a tenth of a core. A `DriverStatement` keeps
what SQLAlchemy does that matters here and drops the rest:

- the SQL text, parameter order and paramstyle are SQLAlchemy's, compiled once per dialect;
- every value still goes through its column type's bind and result processors (UTCDateTime,
  enums, JSON), so rows read and written are exactly what the ORM reads and writes;
- it runs in the session's transaction, on the session's connection, after the same autoflush:
  `begin_read_only`, the SQLite writer queue and commit/rollback work as for any statement;
- driver errors are raised as SQLAlchemy's DBAPIError subclasses, as `Session.execute` does.

Only plain statements qualify (no expanding IN lists, no ORM entities).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    bind_names: tuple[str, ...]  # in positional order for positional paramstyles
    bind_processors: tuple[Processor, ...]
    fixed: Mapping[str, Any]  # binds with a value of their own (literals in the statement)
    positional: bool
    result_processors: tuple[Processor, ...]
    row: type


class DriverStatement:
    """A Core select, or insert with RETURNING, run on the DBAPI cursor (see module docstring).

    `column_keys` names the columns an insert's parameters give (one compiled INSERT per set).
    """

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None):
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._by_dialect: dict[str, _Compiled] = {}

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[Any]:
        """Every result row, as named tuples of processed values."""
        if session.autoflush and (session.new or session.deleted or session.dirty):
            session.flush()  # as Session.execute's autoflush: pending ORM rows are seen
        connection = session.connection()
        dialect = connection.dialect
        compiled = self._compiled(dialect)
        values = []
        for name, process in zip(compiled.bind_names, compiled.bind_processors, strict=True):
            value = params[name] if name in params else compiled.fixed[name]
            values.append(value if process is None else process(value))
        args: Any = values
        if not compiled.positional:
            args = dict(zip(compiled.bind_names, values, strict=True))
        raw = execute_on_driver(connection, compiled.sql, args)
        row, processors = compiled.row, compiled.result_processors
        return [
            row(*(v if p is None else p(v) for v, p in zip(r, processors, strict=True)))
            for r in raw
        ]

    def first(self, session: Session, params: Mapping[str, Any]) -> Any | None:
        """The first row, or None."""
        rows = self.rows(session, params)
        return rows[0] if rows else None

    def _compiled(self, dialect: Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            compiled = _compile(self.statement, dialect, self.column_keys)
            self._by_dialect[dialect.name] = compiled
        return compiled


def execute_on_driver(connection: Connection, sql: str, args: Any = ()) -> list[Any]:
    """Run sql on the connection's DBAPI cursor: its raw rows; driver errors raised as
    SQLAlchemy's DBAPIError subclasses. No events, no execution context (module docstring)."""
    dbapi_error = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, args)
        return cursor.fetchall() if cursor.description is not None else []
    except dbapi_error as exc:
        raise DBAPIError.instance(sql, args, exc, dbapi_error, dialect=connection.dialect) from exc
    finally:
        cursor.close()


def _compile(
    statement: ClauseElement, dialect: Dialect, column_keys: list[str] | None
) -> _Compiled:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect, column_keys=column_keys))
    if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "postfetch", None):
        raise ValueError("a DriverStatement insert must give every column with a default")
    binds = compiled.binds
    if any(b.expanding for b in binds.values()):
        raise ValueError("a DriverStatement takes no expanding (IN list) parameters")
    positional = bool(dialect.positional)
    names = tuple(compiled.positiontup or ()) if positional else tuple(binds)
    bind_processors = tuple(
        binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    fixed = {name: b.effective_value for name, b in binds.items() if not b.required}
    columns = list(statement.exported_columns)  # type: ignore[attr-defined]
    result_processors = tuple(
        c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
    )
    labels = [getattr(c, "key", None) or f"c{i}" for i, c in enumerate(columns)]
    row = namedtuple("Row", labels, rename=True)  # type: ignore[misc]
    return _Compiled(
        compiled.string, names, bind_processors, fixed, positional, result_processors, row
    )
