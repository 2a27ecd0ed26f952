"""pytest-benchmark suite for the pairing: run with
`python3 -m pytest benchmarks/test_bench_pairing.py --benchmark-only`."""

from __future__ import annotations

import random

import pytest
from py_ecc import optimized_bn128 as ob

from zkcore import pairing as pr
from zkcore._native import pairing as _c


def _pairs(n: int) -> list[tuple[pr.G1Affine, pr.G2Affine]]:
    rnd = random.Random(2026)
    return [
        (
            pr.g1_from_py_ecc(ob.multiply(ob.G1, rnd.randrange(1, pr.R))),
            pr.g2_from_py_ecc(ob.multiply(ob.G2, rnd.randrange(1, pr.R))),
        )
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def four() -> list[tuple[pr.G1Affine, pr.G2Affine]]:
    return _pairs(4)


def test_pairing_native(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    g1 = pr._g1_words([four[0][0]])
    g2 = pr._g2_words([four[0][1]])
    benchmark(_c.pairing, g1, g2)


def test_pairing_python_api(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    benchmark(pr.pairing, *four[0])


def test_pairing_check_4_native(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    g1s = pr._g1_words([p for p, _ in four])
    g2s = pr._g2_words([q for _, q in four])
    benchmark(_c.pairing_check, g1s, g2s)


def test_pairing_check_4_prepared(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    g1s = pr._g1_words([p for p, _ in four])
    prepared = _c.g2_prepare(pr._g2_words([q for _, q in four]))
    benchmark(_c.pairing_check_prepared, g1s, prepared)


def test_miller_loop_1(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    g1 = pr._g1_words([four[0][0]])
    g2 = pr._g2_words([four[0][1]])
    benchmark(_c.miller_loop, g1, g2)


def test_final_exponentiation(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    f = _c.miller_loop(pr._g1_words([four[0][0]]), pr._g2_words([four[0][1]]))
    benchmark(_c.final_exponentiation, f)


def test_pairing_py_ecc(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    p, q = ob.multiply(ob.G1, 5), ob.multiply(ob.G2, 7)
    benchmark.pedantic(ob.pairing, args=(q, p), rounds=1, iterations=1)


def test_pairing_check_4_two_threads(benchmark, four) -> None:  # type: ignore[no-untyped-def]
    g1s = pr._g1_words([p for p, _ in four])
    g2s = pr._g2_words([q for _, q in four])
    benchmark(_c.pairing_check, g1s, g2s, 2)
