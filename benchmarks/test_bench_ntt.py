"""pytest-benchmark: the forward NTT over Fr at 2^13 and 2^16, one thread and all threads,
and Groth16's quotient step at 2^13. 2^20 is slow (seconds per round): it runs only with
TICKETKING_BENCH_LARGE=1 in the environment.

Run: python3 -m pytest benchmarks/test_bench_ntt.py --benchmark-only
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from zkcore import ntt as N
from zkcore.field import Fr

LARGE = os.environ.get("TICKETKING_BENCH_LARGE", "") not in ("", "0")
SIZES = [
    13,
    16,
    pytest.param(
        20, marks=pytest.mark.skipif(not LARGE, reason="2^20 is slow: set TICKETKING_BENCH_LARGE=1")
    ),
]


@pytest.mark.parametrize("threads", [1, 0], ids=["1-thread", "all-threads"])
@pytest.mark.parametrize("log_n", SIZES)
def test_ntt(benchmark, log_n: int, threads: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = f"ntt-2^{log_n}"
    a = Fr.random(1 << log_n, np.random.default_rng(2026))
    N.domain(log_n)  # twiddles are built once, outside the timing
    out = benchmark(N.ntt, a, threads)
    assert len(out) == 1 << log_n


@pytest.mark.parametrize("threads", [1, 0], ids=["1-thread", "all-threads"])
def test_quotient_on_coset(benchmark, threads: int) -> None:  # type: ignore[no-untyped-def]
    benchmark.group = "ntt-quotient-2^13"
    rng = np.random.default_rng(2026)
    a, b, c = (Fr.random(1 << 13, rng) for _ in range(3))
    N.domain(13)
    out = benchmark(N.quotient_on_coset, a, b, c, None, threads)
    assert len(out) == 1 << 13
