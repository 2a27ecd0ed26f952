"""Throughput of N threads verifying proofs: ProofBatcher.check vs plain verify.

Each thread checks `--per-thread` valid proofs of the ticketing circuit (depth 4 key, 7 public
inputs, as the service's). Reports wall time, CPU time (time.process_time, all threads) per
proof and proofs/s for both, and the batches the batcher formed.

Run: python3 benchmarks/proof_batcher.py [--threads 16] [--per-thread 50] [--max-batch 16]
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from typing import Any

from api.services.proof_batcher import ProofBatcher
from circuits.bench.groth16 import _proofs
from zkcore.groth16 import verify


def _run(threads: int, per_thread: int, fn: Callable[[Any, Any], bool]) -> tuple[float, float]:
    """(wall s, CPU s) for `threads` threads each calling fn(inputs, proof) per_thread times."""
    _, items = _proofs(4, 1)
    inputs, proof = items[0]
    start = threading.Barrier(threads + 1)
    bad: list[int] = []

    def work() -> None:
        start.wait()
        for _ in range(per_thread):
            if not fn(inputs, proof):
                bad.append(1)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    start.wait()
    for w in workers:
        w.join()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    assert not bad, "a valid proof was rejected"
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--per-thread", type=int, default=50)
    parser.add_argument("--max-batch", type=int, default=16)
    args = parser.parse_args()
    pvk, _ = _proofs(4, 1)
    n = args.threads * args.per_thread
    batcher = ProofBatcher(pvk, max_batch=args.max_batch)
    _run(args.threads, 5, lambda i, p: verify(pvk, i, p))  # warm up both paths
    _run(args.threads, 5, batcher.check)
    batcher.stats.__init__()  # type: ignore[misc]
    for name, fn in (("verify", lambda i, p: verify(pvk, i, p)), ("batcher", batcher.check)):
        wall, cpu = _run(args.threads, args.per_thread, fn)
        print(
            f"{name:8s} {n} proofs, {args.threads} threads: wall {wall:.3f} s "
            f"({n / wall:.0f} proofs/s), CPU {cpu * 1e3 / n:.3f} ms/proof"
        )
    s = batcher.stats
    print(
        f"batcher: {s.batches} batches, {s.singles} single verifies, largest {s.largest}, "
        f"mean {s.checks / max(1, s.batches + s.singles):.1f} proofs per pairing check"
    )


if __name__ == "__main__":
    main()
