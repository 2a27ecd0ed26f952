"""Field benchmarks: vector multiplication in Fr and Fp, batch inversion in Fr."""

from __future__ import annotations

import numpy as np

from zkcore._native import VARIANT
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.field import FieldArray, Fp, Fr, PrimeField


def _operands(field: PrimeField, n: int) -> tuple[FieldArray, FieldArray]:
    rng = np.random.default_rng(2026)
    return field.random(n, rng), field.random(n, rng)


def _vector_mul(name: str, field: PrimeField, opts: BenchOptions) -> BenchResult:
    n = 1 << (opts.log_n or 16)
    a, b = _operands(field, n)
    native = median_ms(lambda: a * b, opts.repeat)
    # Baseline: Python ints on the same data, `x * y % m` in a list comprehension.
    xs, ys, m = a.to_ints(), b.to_ints(), field.modulus
    baseline = median_ms(
        lambda: [x * y % m for x, y in zip(xs, ys, strict=True)], max(1, opts.repeat // 2)
    )
    return BenchResult(
        name, n, native, native * 1e6 / n, "python-int", baseline, {"variant": VARIANT}
    )


@benchmark("fr_mul", "element-wise Fr vector multiplication (--log-n, default 16)")
def fr_mul(opts: BenchOptions) -> BenchResult:
    return _vector_mul("fr_mul", Fr, opts)


@benchmark("fp_mul", "element-wise Fp vector multiplication (--log-n, default 16)")
def fp_mul(opts: BenchOptions) -> BenchResult:
    return _vector_mul("fp_mul", Fp, opts)


@benchmark("fr_inv_batch", "batch inversion in Fr by Montgomery's trick (--log-n, default 16)")
def fr_inv_batch(opts: BenchOptions) -> BenchResult:
    n = 1 << (opts.log_n or 16)
    a, _ = _operands(Fr, n)
    native = median_ms(a.inverse, opts.repeat)
    xs, m = a.to_ints(), Fr.modulus
    sample = xs[: max(1, n // 16)]  # pow(x, -1, m) per element; timed on a slice, scaled up
    part = median_ms(lambda: [pow(x, -1, m) for x in sample], max(1, opts.repeat // 2))
    baseline = part * n / len(sample)
    return BenchResult(
        "fr_inv_batch", n, native, native * 1e6 / n, "python-int pow(x,-1,r)", baseline
    )
