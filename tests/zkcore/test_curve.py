"""G1/G2 arithmetic of native/curve.c against py_ecc.optimized_bn128, on random and edge inputs,
and the fast G2 subgroup check against multiplication by r."""

from __future__ import annotations

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ecc

from tests.zkcore.curve_helpers import GROUPS, from_ecc, to_ecc, twist_point_off_subgroup
from zkcore import errors
from zkcore._native import curve as _c
from zkcore.curve import G1, G2, Group, PointArray, R, g1_add, g1_mul, g1_neg, g2_mul
from zkcore.field import Fp, Fr

P = Fp.modulus
EDGE_SCALARS = [
    0,
    1,
    2,
    3,
    R - 1,
    R - 2,
    R,
    R + 1,
    2 * R,
    (R - 1) // 2,
    2**64,
    2**128 - 1,
    2**254 % R,
    (2**255 - 19) % R,
    2**256 - 1,
]


@pytest.fixture(params=["G1", "G2"])
def group(request: pytest.FixtureRequest) -> tuple[Group, object]:
    return GROUPS[request.param]


def sample_points(group: Group, rng: np.random.Generator, n: int) -> list[object]:
    """n random subgroup points as [a_i] G, computed with py_ecc (the independent oracle)."""
    g = GROUPS[group.name][1]
    return [from_ecc(group, ecc.multiply(g, int(rng.integers(1, 2**62)))) for _ in range(n)]


def test_generators_match_py_ecc(group: tuple[Group, object]) -> None:
    grp, g = group
    assert grp.generator == from_ecc(grp, g)
    assert grp.is_in_subgroup(grp.generator)


def test_scalar_mul_matches_py_ecc(group: tuple[Group, object], rng: np.random.Generator) -> None:
    grp, g = group
    scalars = EDGE_SCALARS + [int(x) for x in Fr.random(4, rng).to_ints()]
    for k in scalars:
        assert grp.mul(grp.generator, k) == from_ecc(grp, ecc.multiply(g, k % R)), k
    assert grp.mul(None, 12345) is None
    assert grp.mul(grp.generator, -5) == grp.neg(grp.mul(grp.generator, 5))


def test_add_double_neg_match_py_ecc(group: tuple[Group, object], rng: np.random.Generator) -> None:
    grp, g = group
    pts = sample_points(grp, rng, 4) + [grp.generator, None]
    for a in pts:
        ea = to_ecc(grp, a)
        assert grp.neg(a) == from_ecc(grp, ecc.neg(ea))
        assert grp.double(a) == from_ecc(grp, ecc.double(ea))
        assert grp.add(a, a) == grp.double(a)  # P + P through the addition formula
        assert grp.add(a, grp.neg(a)) is None  # P + (-P)
        assert grp.add(a, None) == a and grp.add(None, a) == a
        for b in pts:
            assert grp.add(a, b) == from_ecc(grp, ecc.add(ea, to_ecc(grp, b)))


def test_vector_ops_and_mixed_add(group: tuple[Group, object], rng: np.random.Generator) -> None:
    grp, _ = group
    a = sample_points(grp, rng, 5) + [None, None, grp.generator]
    b = sample_points(grp, rng, 5) + [grp.generator, None, grp.generator]
    arr_a, arr_b = grp.array(a), grp.array(b)
    assert (arr_a + arr_b).to_points() == [grp.add(x, y) for x, y in zip(a, b, strict=True)]
    assert (-arr_a).to_points() == [grp.neg(x) for x in a]
    ks = [int(k) for k in Fr.random(len(a), rng).to_ints()]
    assert arr_a.scale(ks).to_points() == [grp.mul(x, k) for x, k in zip(a, ks, strict=True)]
    assert arr_a.scale(Fr.array(ks)) == arr_a.scale(ks)
    # Jacobian equality across different Z, batch affine conversion with infinities inside
    jac = _c.from_affine(grp.prefix, arr_a.aff)
    doubled = _c.double(grp.prefix, jac)
    summed = _c.add(grp.prefix, jac, jac)
    assert _c.equal(grp.prefix, doubled, summed)
    assert not _c.equal(grp.prefix, doubled, jac[::-1].copy())
    assert (
        grp.array([grp.double(x) for x in a]).aff.tolist()
        == _c.to_affine(grp.prefix, doubled).tolist()
    )


def test_point_array_round_trip_and_indexing(
    group: tuple[Group, object], rng: np.random.Generator
) -> None:
    grp, _ = group
    pts = sample_points(grp, rng, 3) + [None]
    arr = grp.array(pts)
    assert isinstance(arr, PointArray) and len(arr) == 4
    assert arr.aff.shape == (4, 2 * grp.coord_limbs) and arr.aff.dtype == np.uint64
    assert arr.to_points() == pts
    assert arr[1] == pts[1] and arr[-1] is None
    assert arr[1:3].to_points() == pts[1:3]
    assert grp.from_affine_limbs(arr.aff.copy()) == arr
    assert not arr.aff[3].any()  # infinity is the all-zero row


def test_module_level_helpers() -> None:
    p = g1_mul(G1.generator, 7)
    assert g1_add(p, g1_neg(p)) is None
    assert g2_mul(G2.generator, R) is None


# ---- validation: every "valid" next to its "invalid" ----


def test_off_curve_and_noncanonical_points_rejected(group: tuple[Group, object]) -> None:
    grp, _ = group
    g = grp.generator
    if grp is G1:
        off = (1, 3)
        big = (1 + P, 2)
    else:
        (x0, x1), (y0, y1) = g  # type: ignore[misc]
        off = ((x0, x1), (y0, (y1 + 1) % P))
        big = ((x0 + P, x1), (y0, y1))
    assert grp.is_on_curve(g) and not grp.is_on_curve(off)
    with pytest.raises(errors.NotOnCurveError):
        grp.validate(off)
    with pytest.raises(errors.NotOnCurveError):
        grp.array([g, off])
    with pytest.raises(errors.NonCanonicalError):
        grp.array([big])
    zero = (0, 0) if grp is G1 else ((0, 0), (0, 0))
    with pytest.raises(errors.NotOnCurveError):
        grp.array([zero])
    with pytest.raises(errors.ArgumentError):
        grp.array([(1, 2, 3)])
    with pytest.raises(errors.ArgumentError):
        grp.array([("1", "2")])
    # Montgomery limbs >= p given directly to C are caught too
    raw = grp.array([g]).aff.copy()
    raw[0, :4] = np.array([2**64 - 1] * 4, dtype=np.uint64)
    with pytest.raises(errors.NonCanonicalError):
        grp.from_affine_limbs(raw)


def test_shape_errors(group: tuple[Group, object]) -> None:
    grp, _ = group
    with pytest.raises(errors.ArgumentError):
        grp.from_affine_limbs(np.zeros((2, 5), dtype=np.uint64))
    with pytest.raises(errors.ArgumentError):
        grp.from_affine_limbs(np.zeros((2, 2 * grp.coord_limbs), dtype=np.int64))
    with pytest.raises(errors.ArgumentError):
        grp.array([grp.generator]) + grp.array([grp.generator] * 2)


def test_g1_on_curve_is_in_subgroup() -> None:
    # cofactor 1: the y^2 = x^3 + 3 point with x = 1 ... any on-curve point has order r
    p = G1.mul(G1.generator, 987654321)
    assert G1.is_in_subgroup(p)
    assert G1.mul(p, R) is None


def test_psi_acts_as_p_on_g2(rng: np.random.Generator) -> None:
    """psi(Q) = [p] Q = [6u^2] Q on G2 (the eigenvalue the fast subgroup check uses)."""
    pts = sample_points(G2, rng, 3) + [G2.generator]
    jac = _c.from_affine("g2", G2.array(pts).aff)
    got = G2._points(_c.to_affine("g2", _c.psi(jac)))
    assert got == [G2.mul(q, P % R) for q in pts]


def test_g2_subgroup_check_against_multiplication_by_r(rng: np.random.Generator) -> None:
    inside = sample_points(G2, rng, 4) + [G2.generator, None]
    for q in inside:
        assert G2.mul(q, R) is None  # oracle
        assert G2.is_in_subgroup(q)
        G2.validate(q)
    for seed in range(6):
        q = twist_point_off_subgroup(seed)
        assert G2.is_on_curve(q)
        assert G2.mul(q, R) is not None  # oracle: not of order r
        assert not G2.is_in_subgroup(q)
        with pytest.raises(errors.NotInSubgroupError):
            G2.validate(q)
        with pytest.raises(errors.NotInSubgroupError):
            G2.array([G2.generator, q])
        # off-subgroup points still obey the group law on the twist: [r](Q + S) = [r]Q for S in G2
        s = G2.mul(G2.generator, 77)
        assert G2.mul(G2.add(q, s), R) == G2.mul(q, R)
        assert not G2.is_in_subgroup(G2.add(q, s))
    # vectors can skip the subgroup check explicitly (on-curve only)
    q = twist_point_off_subgroup(99)
    assert len(G2.array([q], validate=False)) == 1


def test_g2_subgroup_check_rejects_small_order_points() -> None:
    """Points whose order is a small factor of the twist's cofactor h = 2p - r (and their sums
    with G2 points) are where a membership shortcut could be fooled; they must fail."""
    h = 2 * P - R  # #E'(Fp2) = h * r
    q = twist_point_off_subgroup(7)
    for ell in (10069, 5864401):  # prime factors of h
        t = G2.mul(q, h * R // ell)
        assert t is not None and G2.mul(t, ell) is None  # order exactly ell
        assert not G2.is_in_subgroup(t)
        assert not G2.is_in_subgroup(G2.add(t, G2.mul(G2.generator, 5)))


def test_g2_vector_validation_reports_first_bad_index() -> None:
    good = [G2.mul(G2.generator, k) for k in range(1, 40)]
    bad = twist_point_off_subgroup(11)
    arr = G2.array(good + [None], validate=True)  # threaded path, all valid
    assert len(arr) == 40
    pts = good[:25] + [bad] + good[25:]
    raw = G2.array(pts, validate=False).aff
    with pytest.raises(errors.NotInSubgroupError, match="point 25"):
        _c.validate("g2", raw, subgroup=True, threads=2)
    _c.validate("g2", raw, subgroup=False)  # on the curve: fine without the subgroup test
