"""Time N appends to one event's persistent Merkle tree (each in its own transaction).

    .venv/bin/python benchmarks/merkle_appends.py [--count 1000] [--depth 20] [--url URL]

Without --url it uses a fresh SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from api.db import make_engine, make_sessionmaker, migrate
from api.models import Event, Merchant
from api.services.merkle import MerkleStore, hash2
from circuits.ticket import MerkleTree
from zkcore.field import Fr


def main() -> None:
    """Run the timing and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        migrate(engine)
        maker = make_sessionmaker(engine)
        t0 = datetime(2025, 1, 1, tzinfo=UTC)
        with maker() as s:
            s.add(Merchant(id="bench", name="bench", created_at=t0))
            s.flush()
            event = Event(
                event_id="bench", merchant_id="bench", name="b", starts_at=t0, ends_at=t0,
                scopes=[], created_at=t0,
            )  # fmt: skip
            s.add(event)
            s.commit()
            pk = event.id
        store = MerkleStore(args.depth)
        rng = random.Random(7)
        leaves = [rng.randrange(1, Fr.modulus) for _ in range(args.count)]
        start = time.perf_counter()
        for leaf in leaves:
            with maker() as s:
                store.append_leaf(s, pk, leaf)
                s.commit()
        elapsed = time.perf_counter() - start
        # The hashing alone: depth Poseidon(2) calls per append.
        h0 = time.perf_counter()
        for _ in range(args.count * args.depth // 10):
            hash2(1, 2)
        hashing = (time.perf_counter() - h0) * 10
        with maker() as s:
            assert store.root(s, pk) == MerkleTree(args.depth, leaves).root
        engine.dispose()
    backend = url.split(":", 1)[0]
    print(f"{args.count} appends, depth {args.depth}, {backend}: {elapsed:.2f} s total, "
          f"{1000 * elapsed / args.count:.2f} ms per append "
          f"(of which ~{1000 * hashing / args.count:.2f} ms Poseidon(2) hashing)")  # fmt: skip


if __name__ == "__main__":
    main()
