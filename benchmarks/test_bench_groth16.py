"""pytest-benchmark: Groth16 prove of the ticketing circuit, one verify and a verify_batch of
64 under one key. Depth 4 by default; TICKETKING_BENCH_LARGE=1 proves at depth 20 (its setup
takes a few seconds, outside the timing).

Run: python3 -m pytest benchmarks/test_bench_groth16.py --benchmark-only
"""

from __future__ import annotations

import os

from circuits.bench.groth16 import _keys, _proofs, _ticket
from zkcore.field import Fr
from zkcore.groth16 import prove, verify, verify_batch

LARGE = os.environ.get("TICKETKING_BENCH_LARGE", "") not in ("", "0")
DEPTH = 20 if LARGE else 4


def test_prove_ticket(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"groth16-prove-depth-{DEPTH}"
    _, witness = _ticket(DEPTH)
    pk, _, _ = _keys(DEPTH)
    w = Fr.array(witness)
    benchmark(prove, pk, w)


def test_verify(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "groth16-verify"
    pvk, items = _proofs(4, 1)
    assert benchmark(verify, pvk, *items[0])


def test_verify_batch_64(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "groth16-verify"
    pvk, items = _proofs(4, 64)
    assert benchmark(verify_batch, pvk, items)
