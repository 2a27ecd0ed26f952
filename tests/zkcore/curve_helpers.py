"""Shared helpers for the curve, MSM and encoding tests: py_ecc conversions and off-subgroup
G2 points."""

from __future__ import annotations

import hashlib

from py_ecc import optimized_bn128 as ecc

from zkcore.curve import G1, G2, Group, Point
from zkcore.encoding import fp2_sqrt
from zkcore.field import Fp

P = Fp.modulus
B2 = ecc.b2  # 3 / (9 + u)

GROUPS = {"G1": (G1, ecc.G1), "G2": (G2, ecc.G2)}


def to_ecc(group: Group, point: Point):  # type: ignore[no-untyped-def]
    """A canonical tuple -> py_ecc's projective point."""
    if point is None:
        return ecc.Z1 if group is G1 else ecc.Z2
    if group is G1:
        x, y = point  # type: ignore[misc]
        return (ecc.FQ(x), ecc.FQ(y), ecc.FQ(1))
    (x0, x1), (y0, y1) = point  # type: ignore[misc]
    return (ecc.FQ2([x0, x1]), ecc.FQ2([y0, y1]), ecc.FQ2([1, 0]))


def from_ecc(group: Group, point) -> Point:  # type: ignore[no-untyped-def]
    """py_ecc's projective point -> a canonical tuple."""
    if ecc.is_inf(point):
        return None
    x, y = ecc.normalize(point)
    if group is G1:
        return (int(x), int(y))
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


def twist_point_off_subgroup(seed: int) -> Point:
    """A point of the full twist E'(Fp2) found by hashing to x until x^3 + b' is a square,
    without clearing the cofactor: almost surely outside the order-r subgroup."""
    counter = 0
    while True:
        h = hashlib.sha256(f"twist-{seed}-{counter}".encode()).digest()
        x = (int.from_bytes(h[:16], "big") % P, int.from_bytes(h[16:], "big") % P)
        fx = ecc.FQ2([x[0], x[1]]) ** 3 + B2
        y = fp2_sqrt((int(fx.coeffs[0]), int(fx.coeffs[1])))
        if y is not None:
            return (x, y)
        counter += 1
