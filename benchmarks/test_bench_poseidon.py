"""pytest-benchmark suite for Poseidon (run: pytest benchmarks/test_bench_poseidon.py
--benchmark-only). Figures compare as ratios between the native and the reference rows."""

from __future__ import annotations

import numpy as np
import pytest

from zkcore.field import Fr
from zkcore.poseidon import poseidon, poseidon_many, poseidon_reference

PAIR = [Fr.modulus - 1, 12345678901234567890]


@pytest.fixture(scope="module")
def level() -> list:
    """A Merkle level of 2^16 pairs, as two Fr columns."""
    rng = np.random.default_rng(2026)
    return [Fr.random(1 << 16, rng), Fr.random(1 << 16, rng)]


def test_poseidon2_native(benchmark) -> None:  # type: ignore[no-untyped-def]
    assert benchmark(poseidon, PAIR) == poseidon_reference(PAIR)


def test_poseidon2_reference(benchmark) -> None:  # type: ignore[no-untyped-def]
    benchmark(poseidon_reference, PAIR)


@pytest.mark.parametrize("threads", [1, 0])
def test_poseidon_many_2_16(benchmark, level, threads: int) -> None:  # type: ignore[no-untyped-def]
    out = benchmark.pedantic(
        poseidon_many, args=(level,), kwargs={"threads": threads}, rounds=3, iterations=1
    )
    assert len(out) == 1 << 16
