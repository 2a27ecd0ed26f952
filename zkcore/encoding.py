"""Byte and JSON encodings of G1/G2 points (see docs/encodings.md for the exact layouts).

  * snarkjs JSON: decimal strings, projective triples with z = "1" ("0" for infinity);
  * Ethereum precompile layout: G1 64 bytes x || y, G2 128 bytes x.c1 || x.c0 || y.c1 || y.c0,
    every coordinate 32 bytes big-endian, infinity all zero;
  * compressed (tokens): G1 32 bytes, G2 64 bytes: x as above with flags in the two spare top
    bits of the first byte: 0x80 infinity, 0x40 "y is the larger of y and -y".

Every decoder validates: lengths and shapes, coordinates < p, flags consistent, the point on
the curve and, for G2, in the order-r subgroup. Bad input raises EncodingError,
NonCanonicalError, NotOnCurveError or NotInSubgroupError, never returns a wrong point.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from zkcore import errors
from zkcore._native import decompress as _decompress
from zkcore._native import field as _field
from zkcore.curve import G1, G2, Fp2, G1Point, G2Point, Group, P, Point, PointArray
from zkcore.field import Fp

FLAG_INFINITY = 0x80
FLAG_LARGEST = 0x40
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,77}")
_HALF = (P - 1) // 2
_B2 = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)


# ---- Fp and Fp2 helpers on Python ints (the decoders run in C, native/decompress.c; these
# serve compression's sign flag and the tests that build points off the subgroup) ----


def _fp2_mul(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def fp_sqrt(a: int) -> int | None:
    """A square root of a in Fp (p = 3 mod 4: a^((p+1)/4)), or None if a is not a square."""
    y = pow(a, (P + 1) // 4, P)
    return y if y * y % P == a % P else None


def fp2_sqrt(a: Fp2) -> Fp2 | None:
    """A square root of a0 + a1*u in Fp2 via the norm a0^2 + a1^2, or None if none exists."""
    a0, a1 = a[0] % P, a[1] % P
    if a1 == 0:
        r = fp_sqrt(a0)
        if r is not None:
            return (r, 0)
        r = fp_sqrt(-a0 % P)  # (r u)^2 = -r^2
        return None if r is None else (0, r)
    s = fp_sqrt((a0 * a0 + a1 * a1) % P)
    if s is None:
        return None
    inv2 = (P + 1) // 2
    for t in ((a0 + s) * inv2 % P, (a0 - s) * inv2 % P):
        x0 = fp_sqrt(t)
        if x0:  # x0 != 0 since x1 = a1 / (2 x0) must exist
            x1 = a1 * pow(2 * x0, -1, P) % P
            if _fp2_mul((x0, x1), (x0, x1)) == (a0, a1):
                return (x0, x1)
    return None


def _fp_largest(y: int) -> bool:
    return y > _HALF


def _fp2_largest(y: Fp2) -> bool:
    """Lexicographic order with c1 more significant: c1 decides unless it is zero."""
    return y[1] > _HALF if y[1] else y[0] > _HALF


# ---- raw 32-byte coordinates ----


def _be(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _coord(data: bytes, what: str) -> int:
    value = int.from_bytes(data, "big")
    if value >= P:
        raise errors.NonCanonicalError(f"{what}: coordinate {value} is not < p")
    return value


def _bytes(data: Any, length: int, what: str) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise errors.EncodingError(f"{what}: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) != length:
        raise errors.EncodingError(f"{what}: expected {length} bytes, got {len(data)}")
    return data


def _checked(group: Group, point: Point) -> Point:
    """Validate a decoded finite point in C: on the curve and (G2) in the subgroup."""
    return group.validate(point)


# ---- Ethereum precompile layout ----


def g1_to_eth(point: G1Point) -> bytes:
    """G1 -> 64 bytes x || y big-endian (EIP-196); infinity is 64 zero bytes."""
    if point is None:
        return bytes(64)
    G1.validate(point)
    return _be(point[0]) + _be(point[1])


def g1_from_eth(data: bytes) -> G1Point:
    """64 bytes (EIP-196 layout) -> a validated G1 point."""
    data = _bytes(data, 64, "G1 (64-byte)")
    if not any(data):
        return None
    point = (_coord(data[:32], "G1 x"), _coord(data[32:], "G1 y"))
    return _checked(G1, point)  # type: ignore[return-value]


def g2_to_eth(point: G2Point) -> bytes:
    """G2 -> 128 bytes x.c1 || x.c0 || y.c1 || y.c0 big-endian (EIP-197); infinity all zero."""
    if point is None:
        return bytes(128)
    G2.validate(point)
    (x0, x1), (y0, y1) = point
    return _be(x1) + _be(x0) + _be(y1) + _be(y0)


def g2_from_eth(data: bytes) -> G2Point:
    """128 bytes (EIP-197 layout) -> a validated G2 point in the order-r subgroup."""
    data = _bytes(data, 128, "G2 (128-byte)")
    if not any(data):
        return None
    x1, x0, y1, y0 = (_coord(data[i : i + 32], "G2") for i in range(0, 128, 32))
    return _checked(G2, ((x0, x1), (y0, y1)))  # type: ignore[return-value]


# ---- Ethereum layout, whole vectors in C ----

_ETH_ORDER = {"G1": [0, 1], "G2": [1, 0, 3, 2]}  # coordinate order on the wire vs in limbs


def array_from_eth(group: Group, data: bytes, *, validate: bool = True) -> PointArray:
    """Concatenated EIP-196/197 encodings -> a PointArray (validated in C, threaded)."""
    size = 64 * group.degree
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) % size:
        raise errors.EncodingError(f"{group.name} array: expected a multiple of {size} bytes")
    coords = 2 * group.degree
    mont = _field.from_bytes(Fp.native_id, bytes(data), big_endian=True, strict=True)
    aff = mont.reshape(-1, coords, 4)[:, _ETH_ORDER[group.name], :]
    return group.from_affine_limbs(
        np.ascontiguousarray(aff.reshape(-1, 4 * coords)), validate=validate
    )


def array_to_eth(points: PointArray) -> bytes:
    """A PointArray -> concatenated EIP-196/197 encodings (infinity is all zero)."""
    group = points.group
    coords = 2 * group.degree
    aff = points.aff.reshape(-1, coords, 4)[:, _ETH_ORDER[group.name], :]
    return _field.to_bytes(Fp.native_id, np.ascontiguousarray(aff.reshape(-1, 4)), big_endian=True)


# ---- compressed ----


def g1_compress(point: G1Point) -> bytes:
    """G1 -> 32 bytes: x big-endian, 0x80 = infinity, 0x40 = y is the larger root."""
    if point is None:
        return bytes([FLAG_INFINITY]) + bytes(31)
    G1.validate(point)
    out = bytearray(_be(point[0]))
    if _fp_largest(point[1]):
        out[0] |= FLAG_LARGEST
    return bytes(out)


def g1_decompress(data: bytes) -> G1Point:
    """32 bytes (see g1_compress) -> a validated G1 point (decoded and checked in C)."""
    data = _bytes(data, 32, "compressed G1")
    flat = _decompress.decompress("g1", data)
    return None if flat is None else (flat[0], flat[1])


def g2_compress(point: G2Point) -> bytes:
    """G2 -> 64 bytes: x.c1 || x.c0 big-endian, flags in the top bits of the first byte."""
    if point is None:
        return bytes([FLAG_INFINITY]) + bytes(63)
    G2.validate(point)
    (x0, x1), y = point
    out = bytearray(_be(x1) + _be(x0))
    if _fp2_largest(y):
        out[0] |= FLAG_LARGEST
    return bytes(out)


def g2_decompress(data: bytes) -> G2Point:
    """64 bytes (see g2_compress) -> a validated G2 point in the order-r subgroup (in C)."""
    data = _bytes(data, 64, "compressed G2")
    flat = _decompress.decompress("g2", data)
    return None if flat is None else ((flat[0], flat[1]), (flat[2], flat[3]))


# ---- snarkjs JSON ----


def decimal_below(value: Any, bound: int, what: str) -> int:
    """A canonical decimal string (snarkjs's JSON numbers) as an int < bound, or a typed error."""
    if not isinstance(value, str) or not _DECIMAL.fullmatch(value):
        raise errors.EncodingError(f"{what}: expected a canonical decimal string, got {value!r}")
    number = int(value)
    if number >= bound:
        raise errors.NonCanonicalError(f"{what}: {number} is out of range (>= {bound})")
    return number


def _decimal(value: Any, what: str) -> int:
    return decimal_below(value, P, what)


def _list(value: Any, length: int, what: str) -> list[Any]:
    if not isinstance(value, list) or len(value) != length:
        raise errors.EncodingError(f"{what}: expected a list of {length}, got {value!r}")
    return value


def g1_to_json(point: G1Point) -> list[str]:
    """G1 -> snarkjs's ["x", "y", "1"]; infinity is ["0", "1", "0"]."""
    if point is None:
        return ["0", "1", "0"]
    G1.validate(point)
    return [str(point[0]), str(point[1]), "1"]


def g1_from_json(obj: Any) -> G1Point:
    """snarkjs ["x", "y", "z"] (z = "1", or ["0", "1", "0"] for infinity) -> G1 point."""
    x, y, z = (_decimal(v, "G1 JSON") for v in _list(obj, 3, "G1 JSON"))
    if z == 0:
        if (x, y) != (0, 1):
            raise errors.EncodingError('G1 JSON: infinity must be ["0", "1", "0"]')
        return None
    if z != 1:
        raise errors.EncodingError('G1 JSON: z must be "1" (affine) or "0" (infinity)')
    return _checked(G1, (x, y))  # type: ignore[return-value]


def g2_to_json(point: G2Point) -> list[list[str]]:
    """G2 -> snarkjs's [[x0, x1], [y0, y1], ["1", "0"]]; infinity [[0, 0], [1, 0], [0, 0]]."""
    if point is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    G2.validate(point)
    (x0, x1), (y0, y1) = point
    return [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


def g2_from_json(obj: Any) -> G2Point:
    """snarkjs [[x0, x1], [y0, y1], [z0, z1]] (z = 1 or infinity) -> validated G2 point."""
    x, y, z = (
        tuple(_decimal(v, "G2 JSON") for v in _list(c, 2, "G2 JSON coordinate"))
        for c in _list(obj, 3, "G2 JSON")
    )
    if z == (0, 0):
        if (x, y) != ((0, 0), (1, 0)):
            raise errors.EncodingError("G2 JSON: infinity must be [[0,0],[1,0],[0,0]]")
        return None
    if z != (1, 0):
        raise errors.EncodingError('G2 JSON: z must be ["1", "0"] or infinity')
    return _checked(G2, (x, y))  # type: ignore[return-value,arg-type]
