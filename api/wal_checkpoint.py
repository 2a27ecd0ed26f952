"""SQLite's WAL checkpoints, run in a thread of the server instead of inside a writer's COMMIT.

By default SQLite checkpoints in the COMMIT that takes the write-ahead log past 1,000 pages:
that commit copies the log into the database file and fsyncs it while it still holds the
database's one write lock and the server's writer queue (api/db.py), so every scan waiting to
consume waits too. The server checkpoints every `interval_s` in a thread of its own instead,
with PASSIVE checkpoints, which neither take the write lock nor wait for one: writers go on
appending to the log meanwhile. Connections keep SQLite's automatic checkpoint only as a
backstop (api.db.WAL_AUTOCHECKPOINT_PAGES), should this thread fall behind or stop.

benchmarks/sqlite_commit.py (scan-shaped write transactions at 400/s, this machine's disk):
20 of 4,000 took over 2 ms with inline checkpoints (p99.9 5.1-5.4 ms), 2 of 4,000 with this
thread (p99.9 0.5-0.6 ms); the slowest one is 5-7 ms either way.
"""

from __future__ import annotations

import logging
import threading
from typing import NamedTuple

from sqlalchemy import Engine

from api.db import sqlite_database_file

log = logging.getLogger("ticketking.db")


class Checkpoint(NamedTuple):
    """PRAGMA wal_checkpoint's answer: whether it was blocked, frames in the log, copied."""

    busy: int
    log_frames: int
    checkpointed_frames: int


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite database's WAL every `interval_s`."""

    def __init__(self, engine: Engine, interval_s: float = 0.5) -> None:
        if not is_sqlite_file(engine):
            raise ValueError("WAL checkpoints are for a SQLite database file")
        self._engine = engine
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.checkpoints = 0  # completed calls, for tests and curiosity

    def checkpoint(self) -> Checkpoint:
        """One PASSIVE checkpoint, now (outside any transaction: a raw autocommit connection)."""
        raw = self._engine.raw_connection()
        try:
            row = raw.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()  # type: ignore[union-attr]
        finally:
            raw.close()
        self.checkpoints += 1
        return Checkpoint(*row)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after its current checkpoint (returns at once if not started)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                self.checkpoint()
            except Exception as exc:  # a failed pass must not end the thread: log it, go on
                log.warning("WAL checkpoint failed (%s); the next pass retries", type(exc).__name__)


def is_sqlite_file(engine: Engine) -> bool:
    """Whether the engine is a SQLite database file (one with a WAL to checkpoint)."""
    return sqlite_database_file(engine.url) is not None
