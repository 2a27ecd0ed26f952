"""BN254's groups G1 (over Fp) and G2 (over Fp2), their points and vectors of points.

Single points are canonical affine int tuples, None being the point at infinity:
  * G1: (x, y) with y^2 = x^3 + 3;
  * G2: ((x0, x1), (y0, y1)) with x = x0 + x1*u (u^2 = -1), on the D-type twist
    y^2 = x^3 + 3/(9+u) (py_ecc's FQ2 coefficient order, EIP-197's generator).
Vectors of points are `PointArray`s: an (n, 8) (G1) or (n, 16) (G2) uint64 array of affine
Montgomery coordinates whose every operation runs in C (native/curve.c, native/msm.c).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from zkcore import errors
from zkcore._native import curve as _c
from zkcore.field import FieldArray, Fp, Fr, ints_to_limbs, limbs_to_ints

G1Point = tuple[int, int] | None
Fp2 = tuple[int, int]
G2Point = tuple[Fp2, Fp2] | None
Point = G1Point | G2Point

P = Fp.modulus
R = Fr.modulus


@dataclass(frozen=True)
class Group:
    """G1 or G2: single-point helpers on tuples and vector operations in C."""

    name: str
    prefix: str  # "g1" / "g2": the C functions' prefix
    degree: int  # coordinate field degree over Fp
    generator: Point

    @property
    def coord_limbs(self) -> int:
        return 4 * self.degree

    # ---- tuples <-> Montgomery limb arrays ----

    def _flatten(self, point: Point) -> list[int]:
        """A point's coordinates as 2*degree ints (all zero for infinity), shape-checked."""
        if point is None:
            return [0] * (2 * self.degree)
        flat: list[Any]
        try:
            x, y = point  # type: ignore[misc]
            if self.degree == 1:
                flat = [x, y]
            else:
                (x0, x1), (y0, y1) = x, y  # type: ignore[misc]
                flat = [x0, x1, y0, y1]
        except (TypeError, ValueError):
            raise errors.ArgumentError(f"malformed {self.name} point: {point!r}") from None
        for v in flat:
            if not isinstance(v, int) or isinstance(v, bool):
                raise errors.ArgumentError(f"{self.name} coordinates must be ints: {point!r}")
        if all(v == 0 for v in flat):
            raise errors.NotOnCurveError(f"{self.name}: (0, 0) is not a point (use None)")
        return flat

    def _unflatten(self, flat: Sequence[int]) -> Point:
        if not any(flat):
            return None
        if self.degree == 1:
            return (int(flat[0]), int(flat[1]))
        return ((int(flat[0]), int(flat[1])), (int(flat[2]), int(flat[3])))

    def _affine(self, points: Iterable[Point]) -> np.ndarray:
        """Tuples -> (n, 2*fl) affine Montgomery array; coordinates must be < p."""
        flat = [v for pt in points for v in self._flatten(pt)]
        width = 2 * self.coord_limbs
        for v in flat:
            if not 0 <= v < P:
                raise errors.NonCanonicalError(f"{self.name} coordinate {v} is not < p")
        mont = Fp.array(flat).mont if flat else np.empty((0, 4), dtype=np.uint64)
        return np.ascontiguousarray(mont.reshape(-1, width))

    def _points(self, aff: np.ndarray) -> list[Point]:
        ints = limbs_to_ints(_fp_from_mont(aff.reshape(-1, 4)))
        k = 2 * self.degree
        return [self._unflatten(ints[i : i + k]) for i in range(0, len(ints), k)]

    def _jac(self, point: Point) -> np.ndarray:
        return _c.from_affine(self.prefix, self._affine([point]))

    def _from_jac(self, jac: np.ndarray) -> Point:
        return self._points(_c.to_affine(self.prefix, jac))[0]

    # ---- single points ----

    def is_on_curve(self, point: Point) -> bool:
        """True if the point has canonical coordinates on the curve (None counts)."""
        try:
            _c.validate(self.prefix, self._affine([point]), subgroup=False)
        except (errors.NotOnCurveError, errors.NonCanonicalError):
            return False
        return True

    def is_in_subgroup(self, point: Point) -> bool:
        """True if the point is on the curve and in the order-r subgroup."""
        try:
            _c.validate(self.prefix, self._affine([point]), subgroup=True)
        except (errors.NotOnCurveError, errors.NonCanonicalError, errors.NotInSubgroupError):
            return False
        return True

    def validate(self, point: Point) -> Point:
        """Return the point, or raise NonCanonical/NotOnCurve/NotInSubgroupError."""
        _c.validate(self.prefix, self._affine([point]), subgroup=True)
        return point

    def add(self, a: Point, b: Point) -> Point:
        """a + b."""
        return self._from_jac(_c.add(self.prefix, self._jac(a), self._jac(b)))

    def double(self, a: Point) -> Point:
        """2a."""
        return self._from_jac(_c.double(self.prefix, self._jac(a)))

    def neg(self, a: Point) -> Point:
        """-a."""
        return self._from_jac(_c.neg(self.prefix, self._jac(a)))

    def mul(self, a: Point, k: int) -> Point:
        """[k] a for any int k (not reduced mod r: exact on points outside the subgroup too)."""
        if k < 0:
            a, k = self.neg(a), -k
        n_limbs = max(1, (k.bit_length() + 63) // 64)
        limbs = np.frombuffer(k.to_bytes(8 * n_limbs, "little"), dtype=np.uint64).reshape(1, -1)
        return self._from_jac(_c.mul(self.prefix, self._jac(a), limbs.copy()))

    def eq(self, a: Point, b: Point) -> bool:
        """a == b as points (tuples are canonical, so this is tuple equality)."""
        return a == b

    # ---- vectors ----

    def array(self, points: Iterable[Point], *, validate: bool = True) -> PointArray:
        """A PointArray from tuples; validate checks curve and subgroup membership."""
        aff = self._affine(points)
        if validate:
            _c.validate(self.prefix, aff, subgroup=True)
        return PointArray(self, aff)

    def from_affine_limbs(self, aff: np.ndarray, *, validate: bool = True) -> PointArray:
        """A PointArray over an existing (n, 2*fl) affine Montgomery array (no copy)."""
        aff = _c._points(aff, self.prefix, "aff")
        if validate:
            _c.validate(self.prefix, aff, subgroup=True)
        return PointArray(self, aff)

    def msm(
        self,
        points: PointArray | Sequence[Point],
        scalars: FieldArray | Sequence[int],
        threads: int = 0,
    ) -> Point:
        """sum [k_i] P_i by Pippenger's method in C, on `threads` threads (0 = all)."""
        arr = points if isinstance(points, PointArray) else self.array(points)
        if arr.group is not self:
            raise errors.ArgumentError(f"{arr.group.name} points given to {self.name} msm")
        if isinstance(scalars, FieldArray):
            if scalars.field is not Fr:
                raise errors.ArgumentError("MSM scalars must be Fr elements")
            limbs = scalars.canonical_limbs()
        else:
            limbs = ints_to_limbs([int(k) % R for k in scalars])
        if len(limbs) != len(arr):
            raise errors.ArgumentError(f"{len(arr)} points but {len(limbs)} scalars")
        return self._from_jac(_c.msm(self.prefix, arr.aff, limbs, threads))


def _fp_from_mont(mont: np.ndarray) -> np.ndarray:
    from zkcore._native import field as _field

    return _field.from_mont(Fp.native_id, np.ascontiguousarray(mont))


class PointArray:
    """A vector of affine points of one group, held as Montgomery limbs for C."""

    __slots__ = ("group", "aff")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, group: Group, aff: np.ndarray) -> None:
        self.group = group
        self.aff = aff  # (n, 2*fl) uint64, C-contiguous; all-zero rows are infinity

    def __len__(self) -> int:
        return len(self.aff)

    def __getitem__(self, index: int | slice) -> PointArray | Point:
        if isinstance(index, slice):
            return PointArray(self.group, np.ascontiguousarray(self.aff[index]))
        return self.group._points(self.aff[[index]])[0]

    def to_points(self) -> list[Point]:
        """The points as canonical tuples (None for infinity)."""
        return self.group._points(self.aff)

    def __add__(self, other: PointArray) -> PointArray:
        if other.group is not self.group or len(other) != len(self):
            raise errors.ArgumentError("point arrays of different groups or lengths")
        g = self.group.prefix
        return PointArray(
            self.group, _c.to_affine(g, _c.add_affine(g, _c.from_affine(g, self.aff), other.aff))
        )

    def __neg__(self) -> PointArray:
        g = self.group.prefix
        return PointArray(self.group, _c.to_affine(g, _c.neg(g, _c.from_affine(g, self.aff))))

    def scale(self, scalars: FieldArray | Sequence[int]) -> PointArray:
        """Element-wise [k_i] P_i."""
        limbs = (
            scalars.canonical_limbs()
            if isinstance(scalars, FieldArray)
            else ints_to_limbs([int(k) % R for k in scalars])
        )
        if len(limbs) != len(self):
            raise errors.ArgumentError(f"{len(self)} points but {len(limbs)} scalars")
        g = self.group.prefix
        return PointArray(
            self.group, _c.to_affine(g, _c.mul(g, _c.from_affine(g, self.aff), limbs))
        )

    def equals(self, other: PointArray) -> bool:
        return other.group is self.group and np.array_equal(self.aff, other.aff)

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, PointArray) and self.equals(other)

    def __repr__(self) -> str:
        return f"{self.group.name}Array(n={len(self)})"


G1 = Group("G1", "g1", 1, (1, 2))
G2 = Group(
    "G2",
    "g2",
    2,
    (
        (
            10857046999023057135944570762232829481370756359578518086990519993285655852781,
            11559732032986387107991004021392285783925812861821192530917403151452391805634,
        ),
        (
            8495653923123431417604973247489272438418190587263600148770280649306958101930,
            4082367875863433681332203403145435568316851327593401208105741076214120093531,
        ),
    ),
)
G1_GENERATOR = G1.generator
G2_GENERATOR = G2.generator


def msm_g1(
    points: PointArray | Sequence[Point], scalars: FieldArray | Sequence[int], threads: int = 0
) -> Point:
    """sum [k_i] P_i over G1."""
    return G1.msm(points, scalars, threads)


def msm_g2(
    points: PointArray | Sequence[Point], scalars: FieldArray | Sequence[int], threads: int = 0
) -> Point:
    """sum [k_i] Q_i over G2."""
    return G2.msm(points, scalars, threads)


def g1_add(a: Point, b: Point) -> Point:
    """a + b in G1."""
    return G1.add(a, b)


def g2_add(a: Point, b: Point) -> Point:
    """a + b in G2."""
    return G2.add(a, b)


def g1_mul(a: Point, k: int) -> Point:
    """[k] a in G1."""
    return G1.mul(a, k)


def g2_mul(a: Point, k: int) -> Point:
    """[k] a in G2."""
    return G2.mul(a, k)


def g1_neg(a: Point) -> Point:
    """-a in G1."""
    return G1.neg(a)


def g2_neg(a: Point) -> Point:
    """-a in G2."""
    return G2.neg(a)


# The generators must be valid points of their subgroups (checked in C at import).
assert G1.is_in_subgroup(G1.generator) and G2.is_in_subgroup(G2.generator)
