"""pytest-benchmark suite for the curve core: G1/G2 MSM at 2^12 and 2^16, scalar mul.

Run with `python3 -m pytest benchmarks/test_bench_msm.py --benchmark-only`.
"""

from __future__ import annotations

import numpy as np
import pytest

from zkcore.bench.curve import _random_points
from zkcore.curve import G1, G2, Group
from zkcore.field import Fr

pytest.importorskip("pytest_benchmark")


@pytest.mark.parametrize("group", [G1, G2], ids=["G1", "G2"])
@pytest.mark.parametrize("log_n", [12, 16])
def test_msm(benchmark, group: Group, log_n: int) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(log_n)
    n = 1 << log_n
    points = _random_points(group, n, rng)
    scalars = Fr.random(n, rng)
    result = benchmark.pedantic(group.msm, args=(points, scalars), rounds=3, iterations=1)
    assert result is not None


@pytest.mark.parametrize("group", [G1, G2], ids=["G1", "G2"])
def test_scalar_mul(benchmark, group: Group) -> None:  # type: ignore[no-untyped-def]
    k = Fr.modulus - 12345
    result = benchmark(group.mul, group.generator, k)
    assert result == group.neg(group.mul(group.generator, 12345))
