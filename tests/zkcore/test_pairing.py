"""The C pairing (native/pairing.c, tower.h) against py_ecc and a pure-Python tower oracle."""

from __future__ import annotations

import functools
import random

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ob
from py_ecc.fields import optimized_bn128_FQ2 as FQ2
from py_ecc.fields import optimized_bn128_FQ12 as FQ12

from zkcore import errors
from zkcore import pairing as pr
from zkcore._native import FP
from zkcore._native import field as cf
from zkcore._native import pairing as cp
from zkcore.curve import G2
from zkcore.field import ints_to_limbs, limbs_to_ints

P, R = pr.P, pr.R
XI = (9, 1)


# ---------------------------------------------------------------- helpers and oracles


def mont(values: list[int]) -> np.ndarray:
    return cf.to_mont(FP, ints_to_limbs(values)).reshape(-1)


def ints(words: np.ndarray) -> list[int]:
    return limbs_to_ints(cf.from_mont(FP, words.reshape(-1, 4)))


def f2mul(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def f2pow(a: tuple[int, int], e: int) -> tuple[int, int]:
    out = (1, 0)
    while e:
        if e & 1:
            out = f2mul(out, a)
        a, e = f2mul(a, a), e >> 1
    return out


def f2add(*xs: tuple[int, int]) -> tuple[int, int]:
    return (sum(x[0] for x in xs) % P, sum(x[1] for x in xs) % P)


def f6mul(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Schoolbook Fp6 = Fp2[v]/(v^3 - xi): the obvious twin of the C Karatsuba."""
    acc = [(0, 0)] * 5
    for i in range(3):
        for j in range(3):
            acc[i + j] = f2add(acc[i + j], f2mul(a[i], b[j]))
    return [f2add(acc[0], f2mul(XI, acc[3])), f2add(acc[1], f2mul(XI, acc[4])), acc[2]]


g1 = pr.g1_from_py_ecc
g2 = pr.g2_from_py_ecc


def g1_mul(k: int) -> tuple[int, int] | None:
    return g1(ob.multiply(ob.G1, k % R))


def g2_mul(k: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    return g2(ob.multiply(ob.G2, k % R))


def neg1(p: tuple[int, int]) -> tuple[int, int]:
    return (p[0], -p[1] % P)


def random_fp12(rnd: random.Random) -> pr.Fp12:
    return pr.Fp12(tuple(rnd.randrange(P) for _ in range(12)))


@pytest.fixture
def rnd() -> random.Random:
    return random.Random(20261124)


@functools.cache
def e_gen() -> pr.Fp12:
    return pr.pairing(pr.G1_GENERATOR, pr.G2_GENERATOR)


# ---------------------------------------------------------------- basis conversion


def test_generators_match_py_ecc() -> None:
    assert g1(ob.G1) == pr.G1_GENERATOR
    assert g2(ob.G2) == pr.G2_GENERATOR


def test_w_is_py_ecc_w_and_w6_is_xi() -> None:
    w = pr.Fp12((0,) * 6 + (1, 0) + (0,) * 4)  # c1.a0 = 1
    assert w.to_py_ecc() == FQ12([0, 1] + [0] * 10)
    assert (w**6).w_coefficients() == [XI] + [(0, 0)] * 5
    u = pr.Fp12((0, 1) + (0,) * 10)  # u = W^6 - 9 in py_ecc's basis
    assert u.to_py_ecc() == FQ12([P - 9] + [0] * 5 + [1] + [0] * 5)


def test_conversion_round_trip(rnd: random.Random) -> None:
    for _ in range(5):
        a = random_fp12(rnd)
        assert pr.Fp12.from_py_ecc_coeffs(a.to_py_ecc_coeffs()) == a


# ---------------------------------------------------------------- tower arithmetic


def test_fp12_mul_square_inverse_vs_py_ecc(rnd: random.Random) -> None:
    for _ in range(4):
        a, b = random_fp12(rnd), random_fp12(rnd)
        A, B = a.to_py_ecc(), b.to_py_ecc()
        assert (a * b).to_py_ecc() == A * B
        assert pr.Fp12.from_mont(cp.fp12_square(a.mont())).to_py_ecc() == A * A
        assert a.inverse().to_py_ecc() == A.inv()
        assert (a * a.inverse()).is_one()
        assert (a * b) != (a * a)  # the invalid twin: a different product differs


def test_fp12_edges() -> None:
    one, zero = pr.Fp12.one(), pr.Fp12((0,) * 12)
    top = pr.Fp12((P - 1,) * 12)
    assert (one * top) == top
    assert (zero * top) == zero
    assert top.inverse().to_py_ecc() == top.to_py_ecc().inv()
    with pytest.raises(errors.ZeroInverseError):
        zero.inverse()
    with pytest.raises(errors.NonCanonicalError):
        pr.Fp12((P,) + (0,) * 11)
    with pytest.raises(errors.ArgumentError):
        pr.Fp12((1, 2))


def test_fp6_vs_schoolbook_oracle(rnd: random.Random) -> None:
    for _ in range(10):
        a = [(rnd.randrange(P), rnd.randrange(P)) for _ in range(3)]
        b = [(rnd.randrange(P), rnd.randrange(P)) for _ in range(3)]
        ma, mb = mont([c for x in a for c in x]), mont([c for x in b for c in x])
        want = [c for x in f6mul(a, b) for c in x]
        assert ints(cp.fp6_mul(ma, mb)) == want
        assert ints(cp.fp6_square(ma)) == [c for x in f6mul(a, a) for c in x]
        inv = ints(cp.fp6_inverse(ma))
        prod = f6mul(a, [(inv[2 * i], inv[2 * i + 1]) for i in range(3)])
        assert prod == [(1, 0), (0, 0), (0, 0)]
    with pytest.raises(errors.ZeroInverseError):
        cp.fp6_inverse(np.zeros(24, dtype=np.uint64))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_frobenius_constants_recomputed(k: int) -> None:
    """frob^k(w^i) = xi^(i (p^k - 1) / 6) w^i: recomputes every embedded gamma_k[i]."""
    for i in range(6):
        slot = 6 * (i % 2) + 2 * (i // 2)
        coeffs = [0] * 12
        coeffs[slot] = 1
        got = pr.Fp12(tuple(coeffs)).frobenius(k).w_coefficients()
        want = [(0, 0)] * 6
        want[i] = f2pow(XI, i * (P**k - 1) // 6)
        assert got == want, (k, i)


def test_frobenius_is_pth_power(rnd: random.Random) -> None:
    a = random_fp12(rnd)
    assert a.frobenius(1).to_py_ecc() == a.to_py_ecc() ** P
    assert a.frobenius(2) == a.frobenius(1).frobenius(1)
    assert a.frobenius(3) == a.frobenius(2).frobenius(1)
    assert a.frobenius(1) != a  # a random element is not fixed by Frobenius
    with pytest.raises(errors.ArgumentError):
        cp.fp12_frobenius(a.mont(), 4)


def test_cyclotomic_square(rnd: random.Random) -> None:
    a = random_fp12(rnd)
    c = pr.final_exponentiation(a)  # in the cyclotomic subgroup (indeed of order r)
    got = cp.fp12_cyclotomic_square(c.mont())
    assert pr.Fp12.from_mont(got) == c * c
    # Granger-Scott is only valid there: on a general element it is not a squaring.
    assert pr.Fp12.from_mont(cp.fp12_cyclotomic_square(a.mont())) != a * a


def test_mul_by_line_vs_full_mul(rnd: random.Random) -> None:
    a = random_fp12(rnd)
    l0, l1, l3 = ((rnd.randrange(P), rnd.randrange(P)) for _ in range(3))
    sparse = pr.Fp12((*l0, 0, 0, 0, 0, *l1, *l3, 0, 0))  # l0 + l1 w + l3 w^3
    got = cp.fp12_mul_by_line(a.mont(), mont(list(l0)), mont(list(l1)), mont(list(l3)))
    assert pr.Fp12.from_mont(got) == a * sparse


def test_final_exponentiation_vs_py_ecc(rnd: random.Random) -> None:
    a = random_fp12(rnd)
    assert pr.final_exponentiation(a).to_py_ecc() == ob.final_exponentiate(a.to_py_ecc())


# ---------------------------------------------------------------- pairing values


def test_pairing_of_generators_vs_py_ecc() -> None:
    assert e_gen().to_py_ecc() == ob.pairing(ob.G2, ob.G1)


def test_pairing_random_points_vs_py_ecc(rnd: random.Random) -> None:
    a, b = rnd.randrange(1, R), rnd.randrange(1, R)
    p, q = ob.multiply(ob.G1, a), ob.multiply(ob.G2, b)
    assert pr.pairing(g1(p), g2(q)).to_py_ecc() == ob.pairing(q, p)


def test_bilinearity(rnd: random.Random) -> None:
    a, b = rnd.randrange(1, R), rnd.randrange(1, R)
    e_ab = pr.pairing(g1_mul(a), g2_mul(b))
    assert e_ab == e_gen() ** (a * b % R)
    assert e_ab == pr.pairing(g1_mul(a * b), pr.G2_GENERATOR)
    assert e_ab == pr.pairing(pr.G1_GENERATOR, g2_mul(a * b))
    assert e_ab != pr.pairing(g1_mul(a * b + 1), pr.G2_GENERATOR)


def test_non_degenerate_and_order_r() -> None:
    e = e_gen()
    assert not e.is_one()
    assert (e**R).is_one()
    assert not (e ** (R - 1)).is_one()


def test_negation_cancels(rnd: random.Random) -> None:
    p, q = g1_mul(rnd.randrange(1, R)), g2_mul(rnd.randrange(1, R))
    assert p is not None and q is not None
    assert (pr.pairing(p, q) * pr.pairing(neg1(p), q)).is_one()
    assert pr.pairing_check([(p, q), (neg1(p), q)])
    assert not pr.pairing_check([(p, q), (p, q)])


def test_infinity_contributes_one() -> None:
    q, p = pr.G2_GENERATOR, pr.G1_GENERATOR
    assert pr.pairing(None, q).is_one()
    assert pr.pairing(p, None).is_one()
    assert pr.pairing(None, None).is_one()
    assert pr.pairing_check([])
    assert pr.pairing_check([(None, q), (p, None)])
    assert pr.pairing_check([(p, q), (None, q), (neg1(p), q)])
    assert not pr.pairing_check([(p, q), (None, q)])


def test_miller_loop_then_final_exponentiation_is_pairing(rnd: random.Random) -> None:
    p, q = g1_mul(rnd.randrange(1, R)), g2_mul(rnd.randrange(1, R))
    f = pr.miller_loop([(p, q)])
    assert pr.final_exponentiation(f) == pr.pairing(p, q)
    assert not f.is_one()  # the Miller loop alone is not yet the reduced pairing value


# ---------------------------------------------------------------- the multi-pairing check


@functools.cache
def groth16_shaped() -> list[tuple[object, object]]:
    """e(-A, B) e(alpha, beta) e(L, gamma) e(C, delta) = 1 with ab = al be + l ga + c de."""
    rnd = random.Random(7)
    a, b, al, be, lc, ga, de = (rnd.randrange(1, R) for _ in range(7))
    c = (a * b - al * be - lc * ga) * pow(de, -1, R) % R
    return [
        (g1_mul(-a), g2_mul(b)),
        (g1_mul(al), g2_mul(be)),
        (g1_mul(lc), g2_mul(ga)),
        (g1_mul(c), g2_mul(de)),
    ]


def test_groth16_shaped_check_true() -> None:
    pairs = groth16_shaped()
    assert pr.pairing_check(pairs)
    # with the verifying-key side prepared, as Groth16 verify uses it
    prepared = [(p, pr.prepare_g2(q)) if i else (p, q) for i, (p, q) in enumerate(pairs)]
    assert pr.pairing_check(prepared)


@pytest.mark.parametrize("index", range(8))
def test_groth16_shaped_check_false_after_perturbing(index: int) -> None:
    pairs = [list(x) for x in groth16_shaped()]
    i, side = divmod(index, 2)
    pairs[i][side] = g1(ob.double(ob.G1)) if side == 0 else g2(ob.double(ob.G2))
    bad = [tuple(x) for x in pairs]
    assert not pr.pairing_check(bad)
    assert not pr.pairing_check([(p, pr.prepare_g2(q)) for p, q in bad])


def test_many_pairs_cross_the_c_chunk_size(rnd: random.Random) -> None:
    """More pairs than pairing.c prepares on its stack at once (4)."""
    pts = [(g1_mul(rnd.randrange(1, R)), g2_mul(rnd.randrange(1, R))) for _ in range(3)]
    pairs = [pair for p, q in pts for pair in ((p, q), (neg1(p), q))]
    assert pr.pairing_check(pairs)
    assert pr.pairing_check([(p, pr.prepare_g2(q)) for p, q in pairs])
    assert not pr.pairing_check(pairs[:-1])
    product = functools.reduce(lambda x, y: x * y, (pr.pairing(p, q) for p, q in pairs[:5]))
    assert pr.final_exponentiation(pr.miller_loop(pairs[:5])) == product


@pytest.mark.parametrize("threads", [0, 2, 3, 8])
def test_threaded_check_agrees(threads: int, rnd: random.Random) -> None:
    pts = [(g1_mul(rnd.randrange(1, R)), g2_mul(rnd.randrange(1, R))) for _ in range(3)]
    pairs = [pair for p, q in pts for pair in ((p, q), (neg1(p), q))]
    assert pr.pairing_check(pairs, threads=threads)
    assert not pr.pairing_check(pairs[1:], threads=threads)
    assert pr.pairing_check([(p, pr.prepare_g2(q)) for p, q in pairs], threads=threads)
    assert not pr.pairing_check([(p, pr.prepare_g2(q)) for p, q in pairs[:-1]], threads=threads)
    assert pr.pairing_check(pairs[:2] + [(None, pairs[0][1])], threads=threads)
    with pytest.raises(errors.ArgumentError):
        pr.pairing_check(pairs, threads=-1)


def test_prepared_matches_plain_miller_loop() -> None:
    pairs = groth16_shaped()
    g1s = pr._g1_words([p for p, _ in pairs])
    g2s = pr._g2_words([q for _, q in pairs])
    plain = cp.miller_loop(g1s, g2s)
    assert np.array_equal(cp.miller_loop_prepared(g1s, cp.g2_prepare(g2s)), plain)


# ---------------------------------------------------------------- invalid input


def test_invalid_g1_rejected() -> None:
    q = pr.G2_GENERATOR
    with pytest.raises(errors.NotOnCurveError):
        pr.pairing((1, 3), q)
    with pytest.raises(errors.NotOnCurveError):
        pr.pairing((0, 0), q)  # not an encoding of infinity here: None is
    with pytest.raises(errors.NonCanonicalError):
        pr.pairing((1 + P, 2), q)
    with pytest.raises(errors.NonCanonicalError):
        pr.pairing((-1, 2), q)
    for bad in [(1,), (1, 2, 3), "12", (1.0, 2), (True, 2), 5]:
        with pytest.raises(errors.ArgumentError):
            pr.pairing(bad, q)  # type: ignore[arg-type]


def test_invalid_g2_rejected() -> None:
    (x0, x1), (y0, y1) = pr.G2_GENERATOR
    p = pr.G1_GENERATOR
    with pytest.raises(errors.NotOnCurveError):
        pr.pairing(p, ((x0, x1), (y0, (y1 + 1) % P)))
    with pytest.raises(errors.NotOnCurveError):
        pr.pairing(p, ((x1, x0), (y0, y1)))  # coefficient order swapped
    with pytest.raises(errors.NonCanonicalError):
        pr.pairing(p, ((x0 + P, x1), (y0, y1)))
    with pytest.raises(errors.ArgumentError):
        pr.pairing(p, ((x0, x1, 0), (y0, y1)))  # type: ignore[arg-type]
    with pytest.raises(errors.NotOnCurveError):
        pr.prepare_g2(((x0, x1), (y1, y0)))
    with pytest.raises(errors.ArgumentError):
        pr.pairing_check([(p,)])  # type: ignore[list-item]
    with pytest.raises(errors.ArgumentError):
        pr.pairing_check(p)  # type: ignore[arg-type]


def test_native_shape_checks() -> None:
    with pytest.raises(errors.ArgumentError):
        cp.pairing_check(np.zeros((2, 8), dtype=np.uint64), np.zeros((3, 16), dtype=np.uint64))
    with pytest.raises(errors.ArgumentError):
        cp.pairing_check(np.zeros((2, 8), dtype=np.int64), np.zeros((2, 16), dtype=np.uint64))
    with pytest.raises(errors.ArgumentError):
        cp.final_exponentiation(np.zeros(47, dtype=np.uint64))


def _twist_point_outside_g2() -> tuple[tuple[int, int], tuple[int, int]]:
    """A point on the twist E'(Fp2) that is not in the order-r subgroup."""
    b = ob.b2  # 3 / (9 + u)
    x = FQ2([1, 0])
    while True:
        rhs = x * x * x + b
        y = _fq2_sqrt(rhs)
        if y is not None:
            pt = (x, y, FQ2.one())
            if not ob.is_inf(ob.multiply(pt, R)):
                return g2(pt)  # type: ignore[return-value]
        x += FQ2([1, 0])


def _fq2_sqrt(a: FQ2) -> FQ2 | None:
    """sqrt in Fp2 for p = 3 mod 4 (Adj and Rodriguez-Henriquez, alg. 9)."""
    a1 = a ** ((P - 3) // 4)
    alpha = a1 * a1 * a
    x0 = a1 * a
    if alpha == FQ2([P - 1, 0]):
        root = FQ2([0, 1]) * x0
    else:
        root = (alpha + FQ2.one()) ** ((P - 1) // 2) * x0
    return root if root * root == a else None


def test_off_subgroup_g2_rejected() -> None:
    """A point on the twist but outside the order-r subgroup is refused, not paired."""
    q = _twist_point_outside_g2()
    assert G2.is_on_curve(q) and not G2.is_in_subgroup(q)
    with pytest.raises(errors.NotInSubgroupError):
        pr.pairing(pr.G1_GENERATOR, q)
    with pytest.raises(errors.NotInSubgroupError):
        pr.pairing_check([(pr.G1_GENERATOR, pr.G2_GENERATOR), (pr.G1_GENERATOR, q)])


def test_native_garbage_points_never_crash(rnd: random.Random) -> None:
    """The C core trusts its callers to validate, but off-curve words must not crash it."""
    g1s = mont([rnd.randrange(P) for _ in range(2 * 3)]).reshape(3, 8)
    g2s = mont([rnd.randrange(P) for _ in range(4 * 3)]).reshape(3, 16)
    assert cp.pairing_check(g1s, g2s) in (True, False)
    assert cp.pairing_check_prepared(g1s, cp.g2_prepare(g2s), threads=2) in (True, False)
    cp.final_exponentiation(np.zeros(48, dtype=np.uint64))  # zero has no inverse: still no crash
