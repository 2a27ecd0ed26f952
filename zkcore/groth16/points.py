"""Typed views of zkcore.curve's single-point results (Group methods return the G1/G2 union)."""

from __future__ import annotations

from typing import cast

from zkcore.curve import G1, G2, G1Point, G2Point, Point


def as_g1(point: Point) -> G1Point:
    """A result of a G1 operation, typed as a G1 point."""
    return cast(G1Point, point)


def as_g2(point: Point) -> G2Point:
    """A result of a G2 operation, typed as a G2 point."""
    return cast(G2Point, point)


def g1_add(a: G1Point, b: G1Point) -> G1Point:
    """a + b in G1."""
    return as_g1(G1.add(a, b))


def g1_mul(a: G1Point, k: int) -> G1Point:
    """[k] a in G1."""
    return as_g1(G1.mul(a, k))


def g2_add(a: G2Point, b: G2Point) -> G2Point:
    """a + b in G2."""
    return as_g2(G2.add(a, b))


def g2_mul(a: G2Point, k: int) -> G2Point:
    """[k] a in G2."""
    return as_g2(G2.mul(a, k))
