"""pytest-benchmark: decoding one token's proof (2 compressed G1 + 1 compressed G2 points),
in C (zkcore.encoding) and by the former pure-Python square roots (zkcore.bench.decompress).

Run: python3 -m pytest benchmarks/test_bench_decompress.py --benchmark-only
"""

from __future__ import annotations

import pytest

from zkcore import encoding as enc
from zkcore.bench import decompress as bench

PROOFS = bench._proofs(50)


def _decode_all(g1, g2) -> list[object]:  # type: ignore[no-untyped-def]
    return [(g1(a), g2(b), g1(c)) for a, b, c in PROOFS]


@pytest.mark.benchmark(group="decompress-50-tokens")
def test_native(benchmark) -> None:  # type: ignore[no-untyped-def]
    out = benchmark(_decode_all, enc.g1_decompress, enc.g2_decompress)
    assert out == _decode_all(bench._python_g1, bench._python_g2)


@pytest.mark.benchmark(group="decompress-50-tokens")
def test_python_sqrt(benchmark) -> None:  # type: ignore[no-untyped-def]
    out = benchmark(_decode_all, bench._python_g1, bench._python_g2)
    assert len(out) == len(PROOFS)
