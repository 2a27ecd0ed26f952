"""Thin wrapper over decompress.c: compressed G1/G2 encodings -> canonical coordinate ints.

One call does the whole decode in C (flags, x < p, square root, sign choice, on-curve and G2
subgroup checks); this module only converts the result from Montgomery limbs to Python ints.
"""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import FP, check, ffi, lib, u8_ptr, u64_ptr

ENCODED_BYTES = {"g1": 32, "g2": 64}
_COORDS = {"g1": 2, "g2": 4}  # Fp coordinates per affine point
_FUNCS = {"g1": lib.bn254_g1_decompress, "g2": lib.bn254_g2_decompress}

_DETAILS: dict[int, str] = {  # what failed, ahead of check()'s message for the status
    lib.BN254_ERR_ENCODING: "infinity flag with other bits set",
    lib.BN254_ERR_NONCANONICAL: "x is not < p",
    lib.BN254_ERR_NOT_ON_CURVE: "x^3 + b is not a square",
    lib.BN254_ERR_NOT_IN_SUBGROUP: "outside the order-r subgroup",
}


def decompress(group: str, data: bytes) -> list[int] | None:
    """A compressed point -> its canonical coordinates (x then y, flat) or None (infinity)."""
    size = ENCODED_BYTES[group]
    if len(data) != size:
        raise errors.EncodingError(f"compressed {group.upper()}: expected {size} bytes")
    coords = _COORDS[group]
    out = ffi.new("uint64_t[]", 4 * coords)
    status = _FUNCS[group](out, u8_ptr(data), 1, ffi.NULL)
    if status != lib.BN254_OK:
        check(status, f"compressed {group.upper()} ({_DETAILS.get(status, 'decode')})")
    if data[0] & 0x80:  # the only valid encoding with this flag is infinity
        return None
    check(lib.bn254_vec_from_mont(FP, out, out, coords), "from Montgomery")
    raw = ffi.buffer(out)
    return [int.from_bytes(raw[32 * i : 32 * i + 32], "little") for i in range(coords)]


def decompress_array(group: str, data: bytes) -> np.ndarray:
    """Concatenated compressed points -> an (n, 2*fl) affine Montgomery array (curve.py's form)."""
    size = ENCODED_BYTES[group]
    if len(data) % size:
        raise errors.EncodingError(f"compressed {group.upper()} array: not a multiple of {size}")
    n = len(data) // size
    out = np.empty((n, 4 * _COORDS[group]), dtype=np.uint64)
    bad = ffi.new("size_t *")
    status = _FUNCS[group](u64_ptr(out), u8_ptr(data), n, bad)
    if status != lib.BN254_OK:
        check(status, f"compressed {group.upper()} point {bad[0]} ({_DETAILS.get(status, '')})")
    return out
