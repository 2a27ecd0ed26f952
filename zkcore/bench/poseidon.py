"""Poseidon benchmarks: native Poseidon(2) against the pure-Python permutation, same run."""

from __future__ import annotations

import os

import numpy as np

from zkcore._native import poseidon as _c
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms
from zkcore.field import Fr
from zkcore.poseidon import _native_params, poseidon, poseidon_many, poseidon_reference


@benchmark(
    "poseidon",
    "native Poseidon(2) vs the pure-Python permutation, per hash (--count, "
    "default 4096); details: scalar calls, poseidon_many of 2^16 pairs",
)
def poseidon_bench(opts: BenchOptions) -> BenchResult:
    count = opts.count or 4096
    rng = np.random.default_rng(2026)
    left, right = Fr.random(count, rng), Fr.random(count, rng)
    pairs = list(zip(left.to_ints(), right.to_ints(), strict=True))
    # Native: the C permutation over `count` pairs on one thread (poseidon_many, threads=1;
    # 8 pairs at a time with AVX-512 IFMA where the CPU has it).
    native = median_ms(lambda: poseidon_many([left, right], threads=1), opts.repeat)
    # The portable C path alone (what CPUs without AVX-512 IFMA run), same pairs.
    rows = np.stack([left.mont, right.mont], axis=1)
    params = _native_params(3)
    portable = median_ms(lambda: _c.many(params, rows, threads=1, simd=False), opts.repeat)
    # Baseline: the readable Python permutation, timed on a slice and scaled to `count`.
    sample = pairs[: min(count, 64)]
    part = median_ms(lambda: [poseidon_reference(p) for p in sample], max(1, opts.repeat // 2))
    baseline = part * count / len(sample)
    # The scalar API, one Python call per hash (validation and conversion included).
    scalar_sample = pairs[: min(count, 2048)]
    scalar = median_ms(lambda: [poseidon(p) for p in scalar_sample], max(1, opts.repeat // 2))
    scalar_ns = scalar * 1e6 / len(scalar_sample)
    # Throughput of the vector form on a Merkle-level-sized batch with the requested threads.
    n_many = 1 << (opts.log_n or 16)
    big_l, big_r = Fr.random(n_many, rng), Fr.random(n_many, rng)
    many_ms = median_ms(
        lambda: poseidon_many([big_l, big_r], threads=opts.threads), min(opts.repeat, 3)
    )
    ref_ns = baseline * 1e6 / count
    details = {
        "portable_c_per_hash_ns": round(portable * 1e6 / count, 1),
        "portable_c_speedup": round(ref_ns / (portable * 1e6 / count), 1),
        "scalar_call_ns": round(scalar_ns, 1),
        "scalar_call_speedup": round(ref_ns / scalar_ns, 1),
        "reference_per_hash_ns": round(ref_ns, 1),
        "many_n": n_many,
        "many_threads": opts.threads or os.cpu_count(),
        "many_ms": round(many_ms, 2),
        "many_hashes_per_s": round(n_many / (many_ms / 1e3)),
    }
    return BenchResult(
        "poseidon",
        count,
        native,
        native * 1e6 / count,
        "python poseidon_reference",
        baseline,
        details,
    )
