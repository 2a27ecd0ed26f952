"""Engines, sessions and migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from api.driver_sql import DriverStatement, execute_on_driver

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# SQLite's automatic checkpoint, as a backstop only: a server checkpoints in a thread of its own
# (api/wal_checkpoint.py) rather than in the COMMIT of whichever writer crosses 1,000 pages.
WAL_AUTOCHECKPOINT_PAGES = 10_000
# Execution option of a transaction that only reads (see begin_read_only).
_READ_ONLY = "ticketking_read_only"


def make_engine(url: str, *, busy_timeout_ms: int = 10_000, **kwargs: Any) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout, foreign keys, BEGIN IMMEDIATE."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    lock_path = None
    database = sqlite_database_file(parsed)
    if database is not None:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        lock_path = Path(database + ".writer-lock")
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    writer = _WriterQueue(engine, busy_timeout_ms / 1000, lock_path)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(_READ_ONLY):
            # On the DBAPI cursor: exec_driver_sql's execution context costs ~20 µs, twice a scan.
            execute_on_driver(conn, "BEGIN")  # a WAL snapshot: no write lock, no queue
            return
        # Take the write lock up front: a deferred transaction that reads, then writes after
        # another writer committed, fails with SQLITE_BUSY_SNAPSHOT, which no timeout cures.
        writer.acquire(conn.connection)
        try:
            execute_on_driver(conn, "BEGIN IMMEDIATE")
        except BaseException:
            writer.release(conn.connection)
            raise

    return engine


def sqlite_database_file(url: str | URL) -> str | None:
    """The path of the URL's SQLite database file; None for other databases and :memory:."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return database


class _WriterQueue:
    """SQLite's writers queue on a lock before BEGIN IMMEDIATE: threads, then processes.

    SQLite admits one writer; a waiting connection polls with sleeps of up to 100 ms, so under
    load the lock sits free while its waiters sleep (a verify load at concurrency 16 spent most
    of its time there: docs/api.md, Load). Threads of one process hand over through a lock
    instead, without sleeping; the processes of one server (serve --workers N) then take an
    flock on a file next to the database, polled every 0.2-2 ms. Past the busy timeout a
    waiter goes on regardless and SQLite's own busy timeout decides, as without the queue.
    The turn is held from BEGIN to the end of COMMIT or ROLLBACK (or the connection's close).
    """

    def __init__(self, engine: Engine, timeout_s: float, lock_path: Path | None) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None  # id() of the DBAPI connection in a transaction
        self._timeout_s = timeout_s
        self._lock_path = lock_path
        self._file: tuple[int, int] | None = None  # (pid, fd): an fd is never shared by forks
        self._file_locked = False
        dialect = engine.dialect
        # Per-engine dialect instance: wrapping its methods touches no other engine.
        for name in ("do_commit", "do_rollback", "do_close"):
            setattr(dialect, name, self._releasing(getattr(dialect, name)))

    def acquire(self, conn: Any) -> None:
        """Wait for this connection's turn (then SQLite's lock is normally free at once)."""
        deadline = time.monotonic() + self._timeout_s
        if self._lock.acquire(timeout=self._timeout_s):
            self._holder = _dbapi_id(conn)
            self._file_locked = self._lock_file(deadline)

    def release(self, conn: Any) -> None:
        """End this connection's turn, if it holds one."""
        if self._holder == _dbapi_id(conn):
            self._holder = None
            if self._file_locked:
                self._file_locked = False
                fcntl.flock(self._fd(), fcntl.LOCK_UN)
            self._lock.release()

    def _lock_file(self, deadline: float) -> bool:
        if self._lock_path is None:
            return False
        fd, delay = self._fd(), 0.0002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(delay)
                delay = min(2 * delay, 0.002)

    def _fd(self) -> int:
        assert self._lock_path is not None
        if self._file is None or self._file[0] != os.getpid():
            self._file = (os.getpid(), os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600))
        return self._file[1]

    def _releasing(self, method: Any) -> Any:
        def wrapped(dbapi_conn: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(dbapi_conn, *args, **kwargs)
            finally:
                self.release(dbapi_conn)

        return wrapped


def begin_read_only(session: Session) -> None:
    """Begin the session's next transaction as a read-only one.

    On SQLite it is a deferred BEGIN: a snapshot that takes no write lock, so hot-path reads
    (a gate's key check) never queue behind writers. Such a transaction must not write (a
    write after another writer's commit fails with SQLITE_BUSY_SNAPSHOT): commit it first.
    """
    session.connection(execution_options={_READ_ONLY: True})


def insert_new(session: Session, table: Table, values: dict[str, Any]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None when a unique
    constraint already holds such a row (the transaction goes on: no savepoint needed)."""
    query = _insert_new_query(session.get_bind().dialect.name, table, tuple(values))
    row = query.first(session, values)
    return None if row is None else row[0]


@lru_cache(maxsize=64)
def _insert_new_query(dialect_name: str, table: Table, columns: tuple[str, ...]) -> DriverStatement:
    # Built once per table and column set: statement construction and SQLAlchemy's execution
    # machinery cost more than SQLite's insert itself (api/driver_sql.py).
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(table).on_conflict_do_nothing().returning(table.c.id)
    return DriverStatement(insert, column_keys=columns)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Config:
    """Alembic's config, found through the package (works from an installed wheel)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # configparser treats % as interpolation: URL-encoded options must be escaped.
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply the schema migrations up to `revision` (idempotent)."""
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


def schema_tables(engine: Engine) -> set[str]:
    """Names of the tables present (for checks and tests)."""
    return set(inspect(engine).get_table_names())


def _dbapi_id(conn: Any) -> int:
    # The dialect is handed the pool's proxy or the raw sqlite3 connection, depending on caller.
    return id(getattr(conn, "dbapi_connection", conn))
