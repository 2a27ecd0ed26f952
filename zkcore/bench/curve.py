"""Curve benchmarks: G1/G2 MSM (per-point cost, also in units of fr_mul) and single scalar
multiplication against py_ecc."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.curve import G1, G2, Group, PointArray
from zkcore.field import Fr


def _random_points(group: Group, n: int, rng: np.random.Generator) -> PointArray:
    """n distinct points [a_i] G (64-bit a_i keep the setup quick), validated once."""
    one = group.array([group.generator]).aff
    base = group.from_affine_limbs(np.ascontiguousarray(np.repeat(one, n, axis=0)), validate=False)
    return base.scale([int(a) for a in rng.integers(1, 2**63, size=n)])


def _fr_mul_ns(n: int, repeat: int) -> float:
    """Per-element Fr vector multiplication time in this run, the unit MSM costs are given in."""
    rng = np.random.default_rng(7)
    a, b = Fr.random(n, rng), Fr.random(n, rng)
    return median_ms(lambda: a * b, repeat) * 1e6 / n


def _msm(name: str, group: Group, opts: BenchOptions) -> BenchResult:
    log_n = opts.log_n or 16
    n = 1 << log_n
    rng = np.random.default_rng(2026)
    points = _random_points(group, n, rng)
    scalars = Fr.random(n, rng)
    repeat = max(1, opts.repeat if log_n <= 16 else min(opts.repeat, 3))
    native = median_ms(lambda: group.msm(points, scalars, threads=opts.threads), repeat)
    per_point = native * 1e6 / n
    # CPU seconds of one run (all threads): steadier than wall time on a shared machine.
    cpu_start = time.process_time()
    group.msm(points, scalars, threads=opts.threads)
    cpu_ms = (time.process_time() - cpu_start) * 1e3
    fr_mul = _fr_mul_ns(1 << 16, max(3, opts.repeat))
    details = {
        "threads": opts.threads,
        "cpu_ms": round(cpu_ms, 1),
        "fr_mul_ns": round(fr_mul, 2),
        "per_point_in_fr_mul": round(per_point / fr_mul, 1),
    }
    return BenchResult(name, n, native, per_point, details=details)


@benchmark("g1_msm", "G1 multi-scalar multiplication, Pippenger (--log-n, default 16)")
def g1_msm(opts: BenchOptions) -> BenchResult:
    return _msm("g1_msm", G1, opts)


@benchmark("g2_msm", "G2 multi-scalar multiplication, Pippenger (--log-n, default 16)")
def g2_msm(opts: BenchOptions) -> BenchResult:
    return _msm("g2_msm", G2, opts)


def _mul(name: str, group: Group, opts: BenchOptions) -> BenchResult:
    from py_ecc import optimized_bn128 as ecc

    count = opts.count or 64
    rng = np.random.default_rng(11)
    ks = [int(k) for k in Fr.random(count, rng).to_ints()]
    point = group.mul(group.generator, 123456789)
    arr = group.array([point] * count)
    native = median_ms(lambda: arr.scale(ks), opts.repeat)
    # Baseline: py_ecc's multiply on the same point and scalars (a slice, scaled up: slow).
    g: Any = ecc.multiply(ecc.G1 if group is G1 else ecc.G2, 123456789)  # type: ignore[type-var]
    sample = ks[: max(1, min(count, 4))]
    part = median_ms(lambda: [ecc.multiply(g, k) for k in sample], 1, warmup=0)
    baseline = part * count / len(sample)
    return BenchResult(name, count, native, native * 1e6 / count, "py_ecc multiply", baseline)


@benchmark("g1_mul", "G1 scalar multiplication, one 254-bit scalar per point (--count, default 64)")
def g1_mul(opts: BenchOptions) -> BenchResult:
    return _mul("g1_mul", G1, opts)


@benchmark("g2_mul", "G2 scalar multiplication, one 254-bit scalar per point (--count, default 64)")
def g2_mul(opts: BenchOptions) -> BenchResult:
    return _mul("g2_mul", G2, opts)
