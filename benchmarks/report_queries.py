"""Time the merchant report queries (stats, audit pages) over a large entries table.

    python3 benchmarks/report_queries.py [--entries 300000] [--url URL] [--explain]

Entries are spread over 3 events (8 gates, 2 scopes, 1 in 5 rejected, 7 rows per timestamp);
the queries read the middle event. Without --url it uses a fresh SQLite file; a PostgreSQL URL
gets a throwaway schema, dropped at the end. --explain prints each query's plan.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.config import Settings
from api.db import make_engine, migrate
from api.models import Entry, Event, Gate, Merchant
from api.services import reports

T0 = datetime(2025, 3, 10, 18, tzinfo=UTC)
REASONS = ["expired", "invalid_proof", "already_consumed"]


@contextmanager
def database(url: str | None) -> Iterator[Engine]:
    """A migrated engine on a fresh SQLite file or a throwaway PostgreSQL schema."""
    with tempfile.TemporaryDirectory() as tmp:
        if url is None:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            migrate(engine)
            yield engine
            engine.dispose()
            return
        base = Settings(database_url=url).database_url or url
        schema = "bench_" + secrets.token_hex(4)
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = {"options": f"-csearch_path={schema}"}
        engine = make_engine(make_url(base).update_query_dict(options).render_as_string(False))
        try:
            migrate(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def fill(engine: Engine, count: int) -> int:
    """Insert `count` entries over three events; the middle event's primary key."""
    with Session(engine) as s:
        s.add(Merchant(id="bench", name="bench", created_at=T0))
        s.flush()
        events = [
            Event(
                event_id=f"bench-{k}", merchant_id="bench", name="b", starts_at=T0, ends_at=T0,
                scopes=["d1", "d2"], reveal_ticket_id=False, created_at=T0,
                gates=[Gate(gate_id=f"g{i}", position=i) for i in range(8)],
            )
            for k in range(3)
        ]  # fmt: skip
        s.add_all(events)
        s.commit()
        pks = [e.id for e in events]
        rows = [
            {
                "event_pk": pks[i % 3],
                "gate_id": f"g{i % 8}",
                "scope": "d1" if i % 2 else "d2",
                "result": "rejected" if i % 5 == 0 else "accepted",
                "reason": REASONS[i % 3] if i % 5 == 0 else None,
                "at": T0 + timedelta(milliseconds=(i // 7) * 10),
            }
            for i in range(count)
        ]
        s.execute(Entry.__table__.insert(), rows)
        s.commit()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return pks[1]


def main() -> None:
    """Fill the table, then print the median time of each report query."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=300_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    with database(args.url) as engine:
        start = time.perf_counter()
        event_pk = fill(engine, args.entries)
        print(f"{engine.dialect.name}: {args.entries} entries inserted in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        deep = reports.encode_cursor(T0 + timedelta(seconds=args.entries // 7 // 200), 1)
        rejected_g3 = reports.AuditFilter(gate_id="g3", result=reports.EntryResult.REJECTED)
        minute = (T0 + timedelta(seconds=60), T0 + timedelta(seconds=120))
        with Session(engine) as s:
            event = s.get_one(Event, event_pk)
            cases: dict[str, Callable[[], Any]] = {
                "stats, whole event": lambda: reports.event_stats(s, event),
                "stats, one minute": lambda: reports.event_stats(s, event, *minute),
                "audit, first page (100)": lambda: reports.audit_page(s, event),
                "audit, page at mid-log": lambda: reports.audit_page(s, event, cursor=deep),
                "audit, gate+result filter at mid-log": lambda: reports.audit_page(
                    s, event, cursor=deep, where=rejected_g3
                ),
            }
            for name, run in cases.items():
                times = []
                for _ in range(args.repeat):
                    t = time.perf_counter()
                    run()
                    times.append(time.perf_counter() - t)
                    s.rollback()
                print(f"  {name}: {statistics.median(times) * 1000:.1f} ms (median)")
                if args.explain:
                    explain(s, run)


def explain(session: Session, run: Callable[[], Any]) -> None:
    """Print the plan of the last statement `run` executes."""
    seen: list[Any] = []
    execute = session.execute

    def spy(stmt: Any, *a: Any, **k: Any) -> Any:
        seen.append(stmt)
        return execute(stmt, *a, **k)

    session.execute = spy  # type: ignore[method-assign]
    try:
        run()
    finally:
        session.execute = execute  # type: ignore[method-assign]
    compiled = seen[-1].compile(session.get_bind())
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        plan = conn.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).all()
    else:
        params = tuple(
            v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) else v
            for v in (compiled.params[k] for k in compiled.positiontup or ())
        )
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), params).all()
    for row in plan:
        print("      " + str(row[-1]))
    session.rollback()


if __name__ == "__main__":
    main()
