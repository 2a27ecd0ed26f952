"""pytest-benchmark: Fr and Fp vector multiplication and Fr batch inversion at 2^16.

Run: python3 -m pytest benchmarks/test_bench_field.py --benchmark-only
"""

from __future__ import annotations

import numpy as np
import pytest

from zkcore.field import FieldArray, Fp, Fr, PrimeField

N = 1 << 16


def _operands(field: PrimeField) -> tuple[FieldArray, FieldArray]:
    rng = np.random.default_rng(2026)
    return field.random(N, rng), field.random(N, rng)


@pytest.mark.benchmark(group="field-2^16")
def test_fr_mul(benchmark) -> None:  # type: ignore[no-untyped-def]
    a, b = _operands(Fr)
    out = benchmark(lambda: a * b)
    assert len(out) == N


@pytest.mark.benchmark(group="field-2^16")
def test_fp_mul(benchmark) -> None:  # type: ignore[no-untyped-def]
    a, b = _operands(Fp)
    out = benchmark(lambda: a * b)
    assert len(out) == N


@pytest.mark.benchmark(group="field-2^16")
def test_fr_inv_batch(benchmark) -> None:  # type: ignore[no-untyped-def]
    a, _ = _operands(Fr)
    out = benchmark(a.inverse)
    assert (out * a) == Fr.ones(N)
