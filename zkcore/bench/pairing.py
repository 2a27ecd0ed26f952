"""Pairing benchmarks: one pairing and a 4-pair pairing check, against py_ecc in the same run."""

from __future__ import annotations

import random
from typing import Any

from zkcore import pairing as pr
from zkcore._native import pairing as _c
from zkcore.bench import BenchOptions, BenchResult, benchmark, median_ms


def _points(n: int) -> tuple[list[Any], list[Any]]:
    """n random G1 and G2 points (py_ecc Jacobian) from a fixed seed."""
    from py_ecc import optimized_bn128 as ob

    rnd = random.Random(2026)
    return (
        [ob.multiply(ob.G1, rnd.randrange(1, pr.R)) for _ in range(n)],
        [ob.multiply(ob.G2, rnd.randrange(1, pr.R)) for _ in range(n)],
    )


def _affine(g1s: list[Any], g2s: list[Any]) -> list[tuple[pr.G1Affine, pr.G2Affine]]:
    return [(pr.g1_from_py_ecc(p), pr.g2_from_py_ecc(q)) for p, q in zip(g1s, g2s, strict=True)]


@benchmark("pairing", "one optimal ate pairing e(P, Q) (C core; baseline py_ecc, repeat=1)")
def pairing(opts: BenchOptions) -> BenchResult:
    from py_ecc import optimized_bn128 as ob

    g1s, g2s = _points(1)
    pairs = _affine(g1s, g2s)
    g1w, g2w = pr._g1_words([pairs[0][0]]), pr._g2_words([pairs[0][1]])
    native = median_ms(lambda: _c.pairing(g1w, g2w), max(opts.repeat, 21))
    api = median_ms(lambda: pr.pairing(*pairs[0]), max(opts.repeat, 21))
    baseline = median_ms(lambda: ob.pairing(g2s[0], g1s[0]), 1, warmup=0)
    return BenchResult(
        "pairing",
        1,
        native,
        native * 1e6,
        "py_ecc.optimized_bn128",
        baseline,
        {"python_api_ms": round(api, 4)},
    )


@benchmark(
    "pairing_check_4",
    "4-pair pairing check, one shared final exp, 1 thread "
    "(--json: prepared G2, --threads; baseline py_ecc)",
)
def pairing_check_4(opts: BenchOptions) -> BenchResult:
    from py_ecc import optimized_bn128 as ob

    g1s, g2s = _points(4)
    pairs = _affine(g1s, g2s)
    g1w = pr._g1_words([p for p, _ in pairs])
    g2w = pr._g2_words([q for _, q in pairs])
    prepared = _c.g2_prepare(g2w)
    native = median_ms(lambda: _c.pairing_check(g1w, g2w), max(opts.repeat, 21))
    native_prep = median_ms(lambda: _c.pairing_check_prepared(g1w, prepared), max(opts.repeat, 21))
    both = median_ms(lambda: _c.pairing_check(g1w, g2w, opts.threads), max(opts.repeat, 21))
    both_prep = median_ms(
        lambda: _c.pairing_check_prepared(g1w, prepared, opts.threads), max(opts.repeat, 21)
    )
    api = median_ms(lambda: pr.pairing_check(pairs), max(opts.repeat, 21))

    def py_ecc_check() -> bool:
        # py_ecc's own multi-pairing idiom: Miller loops multiplied, one final exponentiation
        f = ob.FQ12.one()
        for p, q in zip(g1s, g2s, strict=True):
            f = f * ob.pairing(q, p, final_exponentiate=False)
        return ob.final_exponentiate(f) == ob.FQ12.one()

    baseline = median_ms(py_ecc_check, 1, warmup=0)
    return BenchResult(
        "pairing_check_4",
        4,
        native,
        native * 1e6 / 4,
        "py_ecc.optimized_bn128",
        baseline,
        {
            "prepared_g2_ms": round(native_prep, 4),
            "python_api_ms": round(api, 4),
            "threads": opts.threads,
            "threaded_ms": round(both, 4),
            "threaded_prepared_g2_ms": round(both_prep, 4),
        },
    )
