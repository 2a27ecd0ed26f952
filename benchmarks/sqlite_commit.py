"""How long a gate's consuming COMMIT holds SQLite's write lock, with and without the server's
WAL checkpoint thread (api/wal_checkpoint.py).

    python benchmarks/sqlite_commit.py [--commits 4000] [--rate 400] [--repeat 3] [--dir /tmp]

Each mode makes a fresh database file in --dir (use the disk the server's data dir is on) and
runs --commits write transactions shaped like a scan's, --rate per second (0: back to back):
BEGIN IMMEDIATE, two inserts of about a consumption's and an entry's size, COMMIT, timing each
from BEGIN to the end of COMMIT.

  inline      SQLite's default: the COMMIT that takes the log past 1,000 pages checkpoints it;
  background  as the server runs (wal_autocheckpoint 10,000 as a backstop, a PASSIVE
              checkpoint every 0.5 s in a thread).

The modes alternate --repeat times; it prints p50/p99/p99.9/max and the number of transactions
over 2 ms for each run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tqdm import tqdm

from api.db import make_engine
from api.wal_checkpoint import WalCheckpointer

SCHEMA = [
    "CREATE TABLE c (id INTEGER PRIMARY KEY, event_pk INTEGER, scope TEXT, nullifier TEXT,"
    " gate_id TEXT, at TEXT, UNIQUE (event_pk, scope, nullifier))",
    "CREATE TABLE e (id INTEGER PRIMARY KEY, c_id INTEGER, gate_id TEXT, at TEXT, token TEXT)",
    "CREATE INDEX e_token ON e (token)",
]


def run(mode: str, directory: Path, commits: int, rate: float) -> list[float]:
    """Milliseconds per write transaction, in order."""
    scratch = Path(tempfile.mkdtemp(dir=directory, prefix="sqlite-commit-"))
    engine = make_engine(f"sqlite:///{scratch / 'bench.db'}")
    checkpointer = None
    raw = engine.raw_connection()
    db = raw.driver_connection
    assert db is not None
    try:
        for statement in SCHEMA:
            db.execute(statement)
        if mode == "inline":
            db.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default
        else:
            checkpointer = WalCheckpointer(engine)
            checkpointer.start()
        times = []
        began = time.perf_counter()
        for i in tqdm(range(commits), desc=mode, unit="tx", leave=False):
            if rate > 0:
                time.sleep(max(0.0, began + i / rate - time.perf_counter()))
            start = time.perf_counter()
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO c (event_pk, scope, nullifier, gate_id, at)"
                " VALUES (1, 'day', ?, 'north', ?)",
                (os.urandom(32).hex(), "2026-11-24T12:00:00.000Z"),
            )
            db.execute(
                "INSERT INTO e (c_id, gate_id, at, token) VALUES (?, 'north', ?, ?)",
                (i, "2026-11-24T12:00:00.000Z", os.urandom(32).hex()),
            )
            db.execute("COMMIT")
            times.append((time.perf_counter() - start) * 1e3)
        return times
    finally:
        if checkpointer is not None:
            checkpointer.stop()
        raw.close()
        engine.dispose()
        shutil.rmtree(scratch, ignore_errors=True)


def describe(times: list[float]) -> str:
    ranked = sorted(times)
    q = statistics.quantiles(ranked, n=1000, method="inclusive")
    slow = sum(t > 2.0 for t in ranked)
    return (
        f"p50 {q[499]:.3f} ms, p99 {q[989]:.3f} ms, p99.9 {q[998]:.2f} ms, max {ranked[-1]:.2f} ms,"
        f" {slow} of {len(ranked)} over 2 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=400.0, help="transactions per second")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    for rnd in range(1, args.repeat + 1):
        for mode in ("inline", "background"):
            print(f"{mode:<10} run {rnd}: {describe(run(mode, args.dir, args.commits, args.rate))}")


if __name__ == "__main__":
    main()
