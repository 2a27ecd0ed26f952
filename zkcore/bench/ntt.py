"""NTT benchmarks: the forward transform over Fr, and Groth16's quotient step."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from zkcore import ntt as N
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.field import FieldArray, Fr

# The pure-Python baseline runs at most at this size; larger sizes are scaled by n log n.
BASELINE_MAX_LOG = 13


def _data(log_n: int) -> FieldArray:
    return Fr.random(1 << log_n, np.random.default_rng(2026))


def _thread_details(
    fn_of_threads: Callable[[int], object], opts: BenchOptions
) -> tuple[float, dict[str, Any]]:
    """Time fn(threads) for one thread and all threads; return the median for opts.threads."""
    one = median_ms(lambda: fn_of_threads(1), opts.repeat)
    every = median_ms(lambda: fn_of_threads(0), opts.repeat)
    chosen = {0: every, 1: one}.get(opts.threads)
    if chosen is None:
        chosen = median_ms(lambda: fn_of_threads(opts.threads), opts.repeat)
    details: dict[str, Any] = {
        "threads": opts.threads,
        "cores": os.cpu_count(),
        "one_thread_ms": round(one, 3),
        "all_threads_ms": round(every, 3),
        "thread_speedup": round(one / every, 2) if every > 0 else None,
    }
    return chosen, details


@benchmark("ntt", "forward NTT over Fr, natural order (--log-n, default 16; --threads)")
def ntt(opts: BenchOptions) -> BenchResult:
    log_n = opts.log_n if opts.log_n is not None else 16
    n = 1 << log_n
    a = _data(log_n)
    N.domain(log_n)  # build the twiddles outside the timing
    native, details = _thread_details(lambda t: N.ntt(a, threads=t), opts)

    # Baseline: the pure-Python radix-2 NTT (reference_ntt) on the same data, timed at
    # 2^min(K, 13) and scaled by n log n above that.
    base_log = min(log_n, BASELINE_MAX_LOG)
    xs, w = a[: 1 << base_log].to_ints(), N.root_of_unity(base_log)  # type: ignore[union-attr]
    part = median_ms(lambda: N.reference_ntt(xs, w), max(1, min(3, opts.repeat // 2)))
    scale = (n * max(log_n, 1)) / ((1 << base_log) * max(base_log, 1))
    name = "python-int radix-2"
    if base_log < log_n:
        name += f" @2^{base_log} x nlogn"
    return BenchResult("ntt", n, native, native * 1e6 / n, name, part * scale, details)


@benchmark(
    "ntt_quotient",
    "Groth16 H step: (A*B - C)/Z on the odd coset from A, B, C (6 NTTs; --log-n, default 16)",
)
def ntt_quotient(opts: BenchOptions) -> BenchResult:
    log_n = opts.log_n if opts.log_n is not None else 16
    n = 1 << log_n
    a, b, c = _data(log_n), _data(log_n) * 3, _data(log_n) * 5
    N.domain(log_n)
    native, details = _thread_details(lambda t: N.quotient_on_coset(a, b, c, threads=t), opts)
    # Baseline: the same step from six reference NTTs in Python ints, at <= 2^10, scaled.
    base_log = min(log_n, 10)
    m = 1 << base_log
    d = N.domain(base_log)
    parts = [v[:m].to_ints() for v in (a, b, c)]  # type: ignore[union-attr]
    r = Fr.modulus

    def python_step() -> list[int]:
        g = d.coset_shift
        evals = []
        for p in parts:
            coeffs = N.reference_intt(p, d.omega)
            gi, scaled = 1, []
            for x in coeffs:
                scaled.append(x * gi % r)
                gi = gi * g % r
            evals.append(N.reference_ntt(scaled, d.omega))
        z_inv = pow(pow(g, m, r) - 1, -1, r)
        return [(x * y - z) * z_inv % r for x, y, z in zip(*evals, strict=True)]

    part = median_ms(python_step, 1)
    scale = (n * max(log_n, 1)) / (m * max(base_log, 1))
    name = "python-int" + (f" @2^{base_log} x nlogn" if base_log < log_n else "")
    return BenchResult("ntt_quotient", n, native, native * 1e6 / n, name, part * scale, details)
