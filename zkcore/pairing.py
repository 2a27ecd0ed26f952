"""The optimal ate pairing on BN254 and the multi-pairing check, computed in C (pairing.c).

Points are canonical affine int tuples: G1 (x, y); G2 ((x0, x1), (y0, y1)) with
x = x0 + x1*u (py_ecc's FQ2 coefficient order); None is the point at infinity.

Values of the pairing are `Fp12`: 12 canonical ints in the tower basis of native/tower.h,
Fp2 = Fp[u]/(u^2 + 1), Fp6 = Fp2[v]/(v^3 - (9 + u)), Fp12 = Fp6[w]/(w^2 - v), in the order
    (c0.a0, c0.a1, c0.a2, c1.a0, c1.a1, c1.a2), each Fp2 as (re, im),
for the element (c0.a0 + c0.a1 v + c0.a2 v^2) + (c1.a0 + c1.a1 v + c1.a2 v^2) w.
`Fp12.to_py_ecc()` maps it to py_ecc's FQ12 basis Fp[W]/(W^12 - 18 W^6 + 82).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from zkcore import errors
from zkcore._native import FP
from zkcore._native import field as _cf
from zkcore._native import pairing as _c
from zkcore.curve import G1, G2
from zkcore.field import Fp, Fr, ints_to_limbs, limbs_to_ints

if TYPE_CHECKING:
    from py_ecc.fields import optimized_bn128_FQ12

P = Fp.modulus
R = Fr.modulus
U = 4965661367192848881  # BN254's curve parameter: p = 36u^4 + 36u^3 + 24u^2 + 6u + 1

G1Affine = tuple[int, int] | None
G2Affine = tuple[tuple[int, int], tuple[int, int]] | None

G1_GENERATOR: tuple[int, int] = (1, 2)
G2_GENERATOR: tuple[tuple[int, int], tuple[int, int]] = (
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)


# ---------------------------------------------------------------- validation


def _canonical(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise errors.ArgumentError(f"{what} must be an int, got {type(value).__name__}")
    if not 0 <= value < P:
        raise errors.NonCanonicalError(f"{what} is not a canonical Fp element (0 <= v < p)")
    return value


def _pair_of(value: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise errors.ArgumentError(f"{what} must be a pair")
    return value[0], value[1]


def validate_g1(point: Any) -> G1Affine:
    """Check canonical coordinates on y^2 = x^3 + 3 (G1 has cofactor 1); return an int tuple."""
    if point is None:
        return None
    xs, ys = _pair_of(point, "G1 point")
    x, y = _canonical(xs, "G1 x"), _canonical(ys, "G1 y")
    G1.validate((x, y))  # on the curve, in C
    return (x, y)


def validate_g2(point: Any) -> G2Affine:
    """Check canonical coordinates on the twist and in the order-r subgroup; return int tuples.

    The subgroup check is the endomorphism-based one of zkcore.curve (the twist's cofactor is
    large, so an on-curve point alone proves nothing)."""
    if point is None:
        return None
    xs, ys = _pair_of(point, "G2 point")
    x = tuple(_canonical(c, "G2 x") for c in _pair_of(xs, "G2 x"))
    y = tuple(_canonical(c, "G2 y") for c in _pair_of(ys, "G2 y"))
    G2.validate((x, y))  # type: ignore[arg-type]  # on the twist and in the subgroup, in C
    return (x, y)  # type: ignore[return-value]


# ---------------------------------------------------------------- conversion to C layout


def _to_mont(values: list[int], width: int) -> np.ndarray:
    if not values:
        return np.zeros((0, width), dtype=np.uint64)
    return _cf.to_mont(FP, ints_to_limbs(values)).reshape(-1, width)


def _g1_words(points: Sequence[G1Affine]) -> np.ndarray:
    flat: list[int] = []
    for pt in points:
        flat.extend((0, 0) if pt is None else pt)  # all-zero words mean infinity in C
    return _to_mont(flat, _c.G1_WORDS)


def _g2_words(points: Sequence[G2Affine]) -> np.ndarray:
    flat: list[int] = []
    for pt in points:
        flat.extend((0, 0, 0, 0) if pt is None else (*pt[0], *pt[1]))
    return _to_mont(flat, _c.G2_WORDS)


# ---------------------------------------------------------------- Fp12 values


@dataclass(frozen=True)
class Fp12:
    """An element of Fp12 as 12 canonical ints in the tower basis (see the module docstring)."""

    coeffs: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.coeffs) != 12:
            raise errors.ArgumentError(f"Fp12 takes 12 coefficients, got {len(self.coeffs)}")
        for c in self.coeffs:
            _canonical(c, "Fp12 coefficient")

    @classmethod
    def one(cls) -> Fp12:
        return cls((1,) + (0,) * 11)

    @classmethod
    def from_mont(cls, words: np.ndarray) -> Fp12:
        """From the C layout: 48 uint64 words of Montgomery limbs."""
        return cls(tuple(limbs_to_ints(_cf.from_mont(FP, words.reshape(12, 4)))))

    def mont(self) -> np.ndarray:
        """To the C layout: 48 uint64 words of Montgomery limbs."""
        return _to_mont(list(self.coeffs), _c.FP12_WORDS).reshape(-1)

    def is_one(self) -> bool:
        return self == Fp12.one()

    def __mul__(self, other: Fp12) -> Fp12:
        return Fp12.from_mont(_c.fp12_mul(self.mont(), other.mont()))

    def __pow__(self, exponent: int) -> Fp12:
        if exponent < 0:
            return self.inverse() ** (-exponent)
        return Fp12.from_mont(_c.fp12_pow(self.mont(), exponent))

    def inverse(self) -> Fp12:
        """1/self; ZeroInverseError for zero."""
        return Fp12.from_mont(_c.fp12_inverse(self.mont()))

    def frobenius(self, power: int = 1) -> Fp12:
        """self^(p^power) for power in 1..3."""
        return Fp12.from_mont(_c.fp12_frobenius(self.mont(), power))

    def w_coefficients(self) -> list[tuple[int, int]]:
        """The Fp2 coefficients (re, im) of w^0 .. w^5."""
        c = self.coeffs
        return [
            (c[6 * (i % 2) + 2 * (i // 2)], c[6 * (i % 2) + 2 * (i // 2) + 1]) for i in range(6)
        ]

    def to_py_ecc_coeffs(self) -> list[int]:
        """Coefficients in py_ecc's FQ12 basis 1, W, ..., W^11 (W^12 = 18 W^6 - 82).

        py_ecc's W is the tower's w (both have w^6 = 9 + u), so u = W^6 - 9 and a w^i
        coefficient re + im u becomes (re - 9 im) W^i + im W^(i+6).
        """
        out = [0] * 12
        for i, (re, im) in enumerate(self.w_coefficients()):
            out[i] = (re - 9 * im) % P
            out[i + 6] = im
        return out

    @classmethod
    def from_py_ecc_coeffs(cls, coeffs: Sequence[int]) -> Fp12:
        """The inverse of to_py_ecc_coeffs."""
        c = [int(x) % P for x in coeffs]
        out = [0] * 12
        for i in range(6):
            slot = 6 * (i % 2) + 2 * (i // 2)
            out[slot] = (c[i] + 9 * c[i + 6]) % P
            out[slot + 1] = c[i + 6]
        return cls(tuple(out))

    def to_py_ecc(self) -> optimized_bn128_FQ12:
        """This value as py_ecc's optimized_bn128 FQ12 (needs py_ecc)."""
        from py_ecc.fields import optimized_bn128_FQ12

        return optimized_bn128_FQ12(self.to_py_ecc_coeffs())


# ---------------------------------------------------------------- pairing API


@dataclass(frozen=True, eq=False)
class PreparedG2:
    """A G2 point with its Miller-loop lines precomputed (for fixed points, e.g. a VK's)."""

    point: G2Affine
    lines: np.ndarray  # (BN254_G2_PREPARED_WORDS,) uint64, read-only


def prepare_g2(point: G2Affine) -> PreparedG2:
    """Validate a G2 point and precompute its Miller-loop lines."""
    q = validate_g2(point)
    lines = _c.g2_prepare(_g2_words([q]))[0]
    lines.flags.writeable = False
    return PreparedG2(q, lines)


def pairing(p: G1Affine, q: G2Affine) -> Fp12:
    """e(p, q), the reduced optimal ate pairing (equal to py_ecc's pairing(q, p))."""
    g1 = _g1_words([validate_g1(p)])
    g2 = _g2_words([validate_g2(q)])
    return Fp12.from_mont(_c.pairing(g1, g2))


def miller_loop(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> Fp12:
    """prod f_{6u+2,Q}(P) with the two Frobenius lines, before final exponentiation."""
    g1s, g2s = _validated_pairs(pairs)
    return Fp12.from_mont(_c.miller_loop(g1s, g2s))


def final_exponentiation(f: Fp12) -> Fp12:
    """f^((p^12 - 1) / r)."""
    return Fp12.from_mont(_c.final_exponentiation(f.mont()))


def pairing_check(
    pairs: Sequence[tuple[G1Affine, G2Affine | PreparedG2]], threads: int = 1
) -> bool:
    """True iff prod e(P_i, Q_i) == 1: shared Miller loops, one final exponentiation.

    threads > 1 (0 = all cores) splits the pairs into runs with one Miller loop per thread;
    1 (the default) keeps the call on the calling thread, best when many checks run at once.
    """
    split = _split_pairs(pairs)
    g1s = _g1_words([validate_g1(p) for p, _ in split])
    if any(isinstance(q, PreparedG2) for _, q in split):
        # one prepared buffer per pair: fixed points come prepared, the rest are prepared now
        prepared = np.stack(
            [q.lines if isinstance(q, PreparedG2) else prepare_g2(q).lines for _, q in split]
        )
        return _c.pairing_check_prepared(g1s, prepared, threads)
    return _c.pairing_check(g1s, _g2_words([validate_g2(q) for _, q in split]), threads)


def _split_pairs(pairs: Any) -> list[tuple[Any, Any]]:
    if isinstance(pairs, (str, bytes)) or not isinstance(pairs, Sequence):
        raise errors.ArgumentError("expected a sequence of (G1, G2) pairs")
    return [_pair_of(x, "pair") for x in pairs]


def _validated_pairs(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> tuple[np.ndarray, np.ndarray]:
    split = _split_pairs(pairs)
    return (
        _g1_words([validate_g1(p) for p, _ in split]),
        _g2_words([validate_g2(q) for _, q in split]),
    )


# ---------------------------------------------------------------- py_ecc interop


def g1_from_py_ecc(point: Any) -> G1Affine:
    """A py_ecc optimized_bn128 G1 point (Jacobian FQ triple) as an affine int tuple."""
    from py_ecc import optimized_bn128 as ob

    if ob.is_inf(point):
        return None
    x, y = ob.normalize(point)
    return (int(x), int(y))


def g2_from_py_ecc(point: Any) -> G2Affine:
    """A py_ecc optimized_bn128 G2 point (Jacobian FQ2 triple) as an affine int tuple."""
    from py_ecc import optimized_bn128 as ob

    if ob.is_inf(point):
        return None
    x, y = ob.normalize(point)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))
