"""The MSM's GLV endomorphism and scalar split (native/msm.c), and MSMs around the plan's
thresholds (batch-affine buckets, threads, crowded buckets), on G1 and G2, each with the
8-lane IFMA batch additions (native/msm_ifma.h; where the CPU has them) and without.

Oracles: py_ecc for the endomorphism (phi(G) == [lambda] G on both groups), exact integer
arithmetic for the split, and [sum a_i k_i] G for MSMs over points P_i = [a_i] G.
"""

from __future__ import annotations

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ecc

from tests.zkcore.curve_helpers import GROUPS
from tests.zkcore.test_msm import dlog_points, repeated_generator, special_scalars
from zkcore import errors
from zkcore._native.msm import GLV_LAMBDA, glv_split, simd
from zkcore.curve import G1, Group, R
from zkcore.field import Fp, Fr, ints_to_limbs

P = Fp.modulus
LAMBDA = GLV_LAMBDA
# beta per group, as in native/msm.c (canonical here; Montgomery there)
BETA_G1 = 0x59E26BCEA0D48BACD4F263F1ACDB5C4F5763473177FFFFFE
BETA_G2 = 0x30644E72E131A0295E6DD9E7E0ACCCB0C28F069FBB966E3DE4BD44E5607CFD48
BOUND = 2**127


@pytest.fixture(params=["G1", "G2"])
def group(request: pytest.FixtureRequest) -> Group:
    return GROUPS[request.param][0]


@pytest.fixture(params=["simd", "scalar"])
def simd_mode(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Run the test with the IFMA batch additions on (if the CPU has them), then off."""
    before = simd()
    simd(1 if request.param == "simd" else 0)
    yield request.param
    simd(int(before))


def test_simd_switch() -> None:
    before = simd()
    try:
        assert simd(0) is False
        on = simd(1)
        assert simd() is on  # True where the CPU has AVX-512 IFMA
    finally:
        simd(int(before))
    with pytest.raises(errors.ArgumentError):
        simd(2)


def _phi(point, beta: int):  # type: ignore[no-untyped-def]
    x, y, z = point
    return (x * beta, y, z)  # (beta x, y) in py_ecc's homogeneous coordinates too


# ---- constants ----


def test_constants_are_nontrivial_cube_roots_of_unity() -> None:
    for beta in (BETA_G1, BETA_G2):
        assert beta != 1 and pow(beta, 3, P) == 1
    assert BETA_G2 == BETA_G1 * BETA_G1 % P
    assert LAMBDA != 1 and pow(LAMBDA, 3, R) == 1


def test_phi_acts_as_lambda_on_both_groups() -> None:
    assert ecc.eq(_phi(ecc.G1, BETA_G1), ecc.multiply(ecc.G1, LAMBDA))
    assert ecc.eq(_phi(ecc.G2, BETA_G2), ecc.multiply(ecc.G2, LAMBDA))
    g = ecc.multiply(ecc.G1, 123456789)
    assert ecc.eq(_phi(g, BETA_G1), ecc.multiply(g, LAMBDA))


def test_the_other_pairings_of_beta_and_lambda_do_not_match() -> None:
    """Each beta acts as lambda on one group and as lambda^2 on the other."""
    lam2 = LAMBDA * LAMBDA % R
    assert not ecc.eq(_phi(ecc.G1, BETA_G2), ecc.multiply(ecc.G1, LAMBDA))
    assert ecc.eq(_phi(ecc.G1, BETA_G2), ecc.multiply(ecc.G1, lam2))
    assert not ecc.eq(_phi(ecc.G2, BETA_G1), ecc.multiply(ecc.G2, LAMBDA))
    assert ecc.eq(_phi(ecc.G2, BETA_G1), ecc.multiply(ecc.G2, lam2))


# ---- the split ----


def _boundary_scalars() -> list[int]:
    """Edge values, and scalars where a rounding in the split is closest to a half (there the
    approximated c_i may be off by one, which must still give small k1, k2)."""
    b1 = 0x6F4D8248EEB859FC8211BBEB7D4F1128  # the lattice basis entries of msm.c
    b2 = 0x89D3256894D213E3
    ks = [0, 1, 2, 3, R - 1, R - 2, (R - 1) // 2, (R + 1) // 2, LAMBDA, LAMBDA - 1, LAMBDA + 1]
    ks += [R - LAMBDA, LAMBDA * LAMBDA % R, 2**64 - 1, 2**64, 2**126, 2**127 - 1, 2**127]
    ks += [2**127 + 1, 2**128 - 1, 2**128, 2**192, 2**253, 2**253 + 2**127, R - 2**127]
    for b in (b1, b2):
        for j in (1, 2, 3, 1000, b // 3, b // 2, b - 1):
            k = ((2 * j + 1) * R) // (2 * b)  # x_i = k b / r just below j + 1/2
            ks += [k - 1, k, k + 1]
    return [k % R for k in ks]


def _check_split(ks: list[int]) -> None:
    pairs = glv_split(ints_to_limbs(ks))
    assert len(pairs) == len(ks)
    for k, (k1, k2) in zip(ks, pairs, strict=True):
        assert (k1 + k2 * LAMBDA - k) % R == 0, k
        assert abs(k1) < BOUND and abs(k2) < BOUND, (k, k1, k2)


def test_glv_split_edge_values() -> None:
    _check_split(_boundary_scalars())
    assert glv_split(ints_to_limbs([0])) == [(0, 0)]
    assert glv_split(ints_to_limbs([1])) == [(1, 0)]
    k1, k2 = glv_split(ints_to_limbs([LAMBDA]))[0]
    assert (k1, k2) in ((0, 1), (k1, k2))  # any short pair is right; the identity is checked


def test_glv_split_random(rng: np.random.Generator) -> None:
    ks = [int(k) for k in Fr.random(3000, rng).to_ints()]
    _check_split(ks)
    pairs = glv_split(ints_to_limbs(ks))
    # both signs occur, and magnitudes reach past 2^126 (the bound is not loose by 2x)
    assert any(k1 < 0 for k1, _ in pairs) and any(k2 < 0 for _, k2 in pairs)
    assert max(max(abs(a), abs(b)) for a, b in pairs) >= 2**125


def test_glv_split_rejects_bad_input() -> None:
    with pytest.raises(errors.NonCanonicalError):
        glv_split(ints_to_limbs([5, R]))
    with pytest.raises(errors.NonCanonicalError):
        glv_split(ints_to_limbs([2**256 - 1]))
    with pytest.raises(errors.ArgumentError):
        glv_split(np.zeros((2, 3), dtype=np.uint64))
    assert glv_split(np.zeros((0, 4), dtype=np.uint64)) == []


# ---- MSMs through the split ----


def _expect(group: Group, a: list[int], ks: list[int]):  # type: ignore[no-untyped-def]
    return group.mul(group.generator, sum(x * k for x, k in zip(a, ks, strict=True)) % R)


def test_msm_with_split_edge_scalars(
    simd_mode: str, group: Group, rng: np.random.Generator
) -> None:
    """Scalars whose k1, k2 are zero, negative, or near the 2^127 bound, and their negations."""
    ks = _boundary_scalars()
    ks += [(R - k) % R for k in ks]
    a, pts = dlog_points(group, rng, len(ks))
    assert group.msm(pts, ks, threads=1) == _expect(group, a, ks)
    assert group.msm(pts, ks, threads=2) == _expect(group, a, ks)


def _thresholds(group: Group) -> list[int]:
    """n around the switch to batch-affine buckets (2n = 256 GLV points on G1, 128 on G2),
    where a group of the sorted buckets stops holding every point (2n > 16384 G1, 8192 G2),
    and where the digits start using threads (n > 4096 scalars)."""
    first = [127, 128, 129] if group is G1 else [63, 64, 65]
    return [*first, 4095, 4097, 8191, 8193] if group is G1 else [*first, 4095, 4097]


def test_msm_around_the_thresholds(simd_mode: str, group: Group, rng: np.random.Generator) -> None:
    for n in _thresholds(group):
        a, pts = dlog_points(group, rng, n)
        ks = special_scalars(rng, n)
        expect = _expect(group, a, ks)
        for threads in (1, 2, 0):
            assert group.msm(pts, ks, threads=threads) == expect, (n, threads)


def test_msm_random_sizes(simd_mode: str, group: Group, rng: np.random.Generator) -> None:
    for n in [int(x) for x in rng.integers(1, 1500, size=6)]:
        a, pts = dlog_points(group, rng, n)
        ks = [int(k) for k in Fr.random(n, rng).to_ints()]
        assert group.msm(pts, ks) == _expect(group, a, ks), n


def test_msm_bucket_larger_than_a_group(
    simd_mode: str, group: Group, rng: np.random.Generator
) -> None:
    """One scalar for all points: every window puts all n points P_i in one bucket and all
    phi(P_i) in one bucket, more points than a group holds (16384 G1, 8192 G2), so the bucket
    is cut into segments whose later sums go to the spill list."""
    n = 16500 if group is G1 else 8300
    a, pts = dlog_points(group, rng, n)
    k = int(Fr.random(1, rng).to_ints()[0])
    assert group.msm(pts, [k] * n, threads=2) == group.mul(group.generator, sum(a) * k % R)


def test_msm_phi_of_a_point_cancels_in_one_bucket(simd_mode: str, group: Group) -> None:
    """k = lambda splits as about (0, 1): P enters through phi(P); with the point -[lambda] P
    and scalar 1 (summed apart) the total is infinity; with P and lambda P both at scalar
    lambda, buckets meet a point and its image."""
    g = group.generator
    lam_g = group.mul(g, LAMBDA)
    assert group.msm([g, lam_g], [LAMBDA, R - 1]) is None
    pts = [g] * 150 + [lam_g] * 150
    assert group.msm(pts, [LAMBDA] * 300) == group.mul(g, 150 * (LAMBDA + LAMBDA * LAMBDA) % R)


def test_msm_repeated_points_and_scalars_batch_affine(simd_mode: str, group: Group) -> None:
    """Doublings and cancellations in every round of the pairwise sums."""
    n = 3000
    pts = repeated_generator(group, n)
    ks = [(i % 7) + 2 for i in range(n)]
    assert group.msm(pts, ks, threads=2) == group.mul(group.generator, sum(ks) % R)
    g = group.generator
    pts2 = group.array([g, group.neg(g)] * (n // 2))
    assert group.msm(pts2, [987654321] * n) is None


def test_msm_segment_whose_round_is_only_cancellations(
    simd_mode: str, group: Group, rng: np.random.Generator
) -> None:
    """One bucket holds Q, -Q, R, S, Q', -Q', R', S', ...: the first round cancels every other
    pair, so the second round has no addition at all (only copies), and the sums must still
    go on to the later rounds."""
    a = [int(x) for x in rng.integers(1, 2**48, size=4 * 50)]
    for i in range(0, len(a), 4):
        a[i + 1] = R - a[i]
    pts = repeated_generator(group, len(a)).scale(a)
    ks = [3] * len(a)  # small: k1 = 3, k2 = 0, one bucket of window 0
    assert group.msm(pts, ks, threads=1) == _expect(group, a, ks)
