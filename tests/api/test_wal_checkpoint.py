"""The server's WAL checkpoint thread: it checkpoints, survives a failed pass, stops cleanly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from api.app import create_app
from api.config import Settings
from api.db import make_engine
from api.wal_checkpoint import WalCheckpointer, is_sqlite_file


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    yield engine  # type: ignore[misc]
    engine.dispose()


def _write(engine: Engine, rows: int) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "x" * 500}] * rows)


def _db_file_bytes(engine: Engine) -> int:
    """The database file's size: pages reach it only when a checkpoint copies them there."""
    assert engine.url.database is not None
    return Path(engine.url.database).stat().st_size


def test_connections_keep_autocheckpoint_only_as_a_backstop(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000


def test_a_checkpoint_copies_the_whole_log(sqlite_engine: Engine) -> None:
    _write(sqlite_engine, 200)  # ~100 kB, in the log only
    before = _db_file_bytes(sqlite_engine)
    result = WalCheckpointer(sqlite_engine).checkpoint()
    assert result.busy == 0 and result.log_frames > 0
    assert result.checkpointed_frames == result.log_frames
    assert _db_file_bytes(sqlite_engine) >= before + 100_000


def test_a_checkpoint_runs_beside_an_open_write_transaction(sqlite_engine: Engine) -> None:
    # PASSIVE: it takes no write lock and waits for none, so a writer mid-transaction is no
    # obstacle (it copies what was committed) and the writer commits afterwards as usual.
    _write(sqlite_engine, 50)
    with sqlite_engine.begin() as conn:
        conn.execute(text("INSERT INTO t (v) VALUES ('pending')"))
        result = WalCheckpointer(sqlite_engine).checkpoint()
        assert result.checkpointed_frames == result.log_frames > 0
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 51


def test_the_thread_checkpoints_and_survives_a_failed_pass(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = WalCheckpointer(sqlite_engine, interval_s=0.01)
    real = sqlite_engine.raw_connection
    failures = iter([RuntimeError("disk on fire")])

    def flaky():  # type: ignore[no-untyped-def]
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real()

    _write(sqlite_engine, 100)
    before = _db_file_bytes(sqlite_engine)
    monkeypatch.setattr(sqlite_engine, "raw_connection", flaky)
    checkpointer.start()
    try:
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        checkpointer.stop()
    assert "WAL checkpoint failed (RuntimeError)" in caplog.text
    assert checkpointer.checkpoints >= 2  # the passes after the failed one ran
    assert _db_file_bytes(sqlite_engine) >= before + 50_000
    checkpointer.stop()  # stopping twice is harmless


def test_only_sqlite_files_have_a_log_to_checkpoint(tmp_path: Path) -> None:
    memory = make_engine("sqlite://")
    try:
        assert not is_sqlite_file(memory)
        with pytest.raises(ValueError, match="SQLite database file"):
            WalCheckpointer(memory)
    finally:
        memory.dispose()


def test_the_app_runs_the_thread_on_sqlite_only(settings: Settings, database_url: str) -> None:
    app = create_app(settings)
    with TestClient(app):
        checkpointer = app.state.wal_checkpointer
        if database_url.startswith("sqlite"):
            assert isinstance(checkpointer, WalCheckpointer)
            assert checkpointer._thread is not None and checkpointer._thread.is_alive()
        else:
            assert checkpointer is None
    if checkpointer is not None:
        assert checkpointer._thread is None  # stopped with the app


def test_the_commit_benchmark_runs(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "sqlite_commit.py"
    done = subprocess.run(
        [sys.executable, str(script), "--commits", "200", "--repeat", "1", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["inline", "background"]
    assert all("p99.9" in line and "of 200 over 2 ms" in line for line in lines)
