"""Pippenger MSM (native/msm.c) against naive sums, for G1 and G2 alike.

Oracles: with points P_i = [a_i] G the MSM must equal [sum a_i k_i mod r] G (one scalar mul,
itself tested against py_ecc in test_curve.py); a naive sum of per-point products; and py_ecc
directly on a small input.
"""

from __future__ import annotations

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ecc

from tests.zkcore.curve_helpers import GROUPS, from_ecc, to_ecc
from zkcore import errors
from zkcore._native import curve as _c
from zkcore.curve import G1, G2, Group, PointArray, R, msm_g1, msm_g2
from zkcore.field import Fr, ints_to_limbs


@pytest.fixture(params=["G1", "G2"])
def group(request: pytest.FixtureRequest) -> Group:
    return GROUPS[request.param][0]


def dlog_points(group: Group, rng: np.random.Generator, n: int) -> tuple[list[int], PointArray]:
    """n points [a_i] G with known a_i; 48-bit a_i keep the setup's scalar muls cheap."""
    a = [int(x) for x in rng.integers(1, 2**48, size=n)]
    return a, repeated_generator(group, n).scale(a)


def repeated_generator(group: Group, n: int) -> PointArray:
    """n copies of the generator (validated once, not n times)."""
    one = group.array([group.generator]).aff
    return group.from_affine_limbs(np.ascontiguousarray(np.repeat(one, n, axis=0)), validate=False)


def special_scalars(rng: np.random.Generator, n: int) -> list[int]:
    """Random scalars with zeros, ones, r-1 and small values sprinkled in."""
    ks = [int(k) for k in Fr.random(n, rng).to_ints()]
    for i in range(n):
        roll = rng.integers(0, 8)
        if roll == 0:
            ks[i] = 0
        elif roll == 1:
            ks[i] = 1
        elif roll == 2:
            ks[i] = R - 1
        elif roll == 3:
            ks[i] = int(rng.integers(2, 2**16))
    return ks


SIZES = [
    1,
    2,
    3,
    4,
    5,
    7,
    8,
    15,
    16,
    17,
    31,
    32,
    33,
    63,
    64,
    100,
    127,
    128,
    129,
    200,
    255,
    256,
    257,
    300,
]


def test_msm_sizes_1_to_300(group: Group, rng: np.random.Generator) -> None:
    for n in SIZES:
        a, pts = dlog_points(group, rng, n)
        ks = special_scalars(rng, n)
        expect = group.mul(group.generator, sum(x * k for x, k in zip(a, ks, strict=True)) % R)
        assert group.msm(pts, ks) == expect, n
        assert group.msm(pts, Fr.array(ks), threads=1) == expect, n


def test_msm_equals_naive_sum(group: Group, rng: np.random.Generator) -> None:
    _, pts = dlog_points(group, rng, 60)
    ks = special_scalars(rng, 60)
    naive = None
    for p in pts.scale(ks).to_points():
        naive = group.add(naive, p)
    assert group.msm(pts, ks) == naive


def test_msm_matches_py_ecc_directly(group: Group) -> None:
    g = GROUPS[group.name][1]
    pts = [from_ecc(group, ecc.multiply(g, s)) for s in (3, 5, 11)]
    ks = [R - 1, 2**200 + 12345, 7]
    expect = None
    for p, k in zip(pts, ks, strict=True):
        expect = (
            ecc.add(expect, ecc.multiply(to_ecc(group, p), k))
            if expect
            else ecc.multiply(to_ecc(group, p), k)
        )
    assert group.msm(pts, ks) == from_ecc(group, expect)


def test_msm_edge_inputs(group: Group, rng: np.random.Generator) -> None:
    g = group.generator
    assert group.msm([], []) is None
    assert group.msm([g], [0]) is None
    assert group.msm([g], [1]) == g
    assert group.msm([g], [R - 1]) == group.neg(g)
    assert group.msm([None, g, None], [5, 2, 9]) == group.double(g)  # infinity points
    assert group.msm([g, group.neg(g)], [7, 7]) is None  # cancellation
    assert group.msm([g] * 50, [3] * 50) == group.mul(g, 150)  # one repeated point
    assert group.msm([g] * 9, [1] * 9) == group.mul(g, 9)  # only ones
    assert group.msm([g] * 9, [0] * 9) is None  # only zeros
    # scalars as negative / large Python ints are reduced mod r
    assert group.msm([g, g], [-1, R + 2]) == g


@pytest.mark.parametrize("small", [True, False])
def test_msm_batch_affine_path(group: Group, rng: np.random.Generator, small: bool) -> None:
    """Large enough for the batch-affine buckets (above msm.c's thresholds of 256 G1 and 128
    G2 GLV points, and much larger), with repeats that force doublings and cancellations
    inside a batch."""
    n = 300 if small else (8200 if group is G1 else 2100)
    a, _ = dlog_points(group, rng, n)
    ks = special_scalars(rng, n)
    # repeated points with equal and opposite scalars land in the same buckets
    for i in range(0, 200, 2):
        a[i + 1] = a[i]
        ks[i + 1] = ks[i] if i % 4 == 0 else (R - ks[i]) % R
    pts = repeated_generator(group, n).scale(a)
    expect = group.mul(group.generator, sum(x * k for x, k in zip(a, ks, strict=True)) % R)
    assert group.msm(pts, ks, threads=1) == expect
    assert group.msm(pts, ks, threads=2) == expect


def test_msm_same_point_many_times_batch_affine() -> None:
    n = 8300
    pts = repeated_generator(G1, n)
    ks = [(i % 5) for i in range(n)]
    assert msm_g1(pts, ks) == G1.mul(G1.generator, sum(ks))
    pts2 = G1.array([G1.generator, G1.neg(G1.generator)] * (n // 2))
    assert msm_g1(pts2, [123456789] * n) is None


def _batch_affine_n(group: Group) -> int:
    """Above the batch-affine thresholds of msm.c and large enough (c >= 10, 512 buckets) for
    the affine bucket reduction."""
    return 8200


def test_msm_affine_reduction_edge_cases(group: Group, rng: np.random.Generator) -> None:
    """Small scalars put chosen points in chosen buckets of window 0, so the affine bucket
    reduction meets P + (-P) and P + P in its running sums (buckets 8 and 7, 16 and 15 are in
    one segment), beside empty buckets; every other scalar is zero."""
    n = _batch_affine_n(group)
    a = [int(x) for x in rng.integers(1, 2**48, size=n)]
    ks = [0] * n
    a[1] = R - a[0]  # P_1 = -P_0
    ks[0], ks[1] = 8, 7
    a[3] = a[2]  # P_3 = P_2
    ks[2], ks[3] = 16, 15
    a[5] = a[4]
    ks[4], ks[5] = 3, 3  # the same bucket twice: a doubling inside a batch
    for i in range(6, 40):
        ks[i] = int(rng.integers(2, 200))
    pts = repeated_generator(group, n).scale(a)
    expect = group.mul(group.generator, sum(x * k for x, k in zip(a, ks, strict=True)) % R)
    assert group.msm(pts, ks, threads=1) == expect
    assert group.msm(pts, ks, threads=2) == expect


@pytest.mark.parametrize("distinct", [5, 100])
def test_msm_crowded_buckets(group: Group, rng: np.random.Generator, distinct: int) -> None:
    """Many additions to few buckets: their segments need many rounds of pairwise sums while
    the other buckets are done; random scalars on part of the points keep the other windows
    busy."""
    n = _batch_affine_n(group)
    a, pts = dlog_points(group, rng, n)
    ks = [1 + (i % distinct) for i in range(n)]
    for i in range(0, n, 7):
        ks[i] = int(Fr.random(1, rng).to_ints()[0])
    expect = group.mul(group.generator, sum(x * k for x, k in zip(a, ks, strict=True)) % R)
    assert group.msm(pts, ks, threads=1) == expect


def test_msm_module_functions(rng: np.random.Generator) -> None:
    assert msm_g1([G1.generator], [5]) == G1.mul(G1.generator, 5)
    assert msm_g2([G2.generator], [5]) == G2.mul(G2.generator, 5)


# ---- invalid input ----


def test_msm_rejects_bad_input(group: Group) -> None:
    g = group.generator
    pts = group.array([g, g])
    with pytest.raises(errors.ArgumentError):
        group.msm(pts, [1])  # length mismatch
    with pytest.raises(errors.ArgumentError):
        group.msm(pts, Fp_array(2))  # wrong field
    other = G2 if group is G1 else G1
    with pytest.raises(errors.ArgumentError):
        other.msm(pts, [1, 2])  # wrong group
    limbs = ints_to_limbs([R, 1])  # scalar >= r reaching C directly
    with pytest.raises(errors.NonCanonicalError):
        _c.msm(group.prefix, pts.aff, limbs)
    with pytest.raises(errors.ArgumentError):
        _c.msm(group.prefix, pts.aff, ints_to_limbs([1, 2, 3]))
    off = (1, 3) if group is G1 else ((1, 2), (3, 4))
    with pytest.raises(errors.NotOnCurveError):
        group.msm([g, off], [1, 2])


def Fp_array(n: int):  # type: ignore[no-untyped-def]
    from zkcore.field import Fp

    return Fp.array(list(range(n)))
