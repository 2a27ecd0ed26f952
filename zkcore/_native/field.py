"""Thin wrappers over field.c: numpy (n, 4) uint64 limb arrays in, limb arrays out."""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import as_limbs, check, ffi, lib, limb_array, u8_ptr, u64_ptr


def modulus(field: int) -> int:
    """The field's modulus as a Python int."""
    out = limb_array(1)
    check(lib.bn254_field_modulus(field, u64_ptr(out)), "modulus")
    return sum(int(out[0, i]) << (64 * i) for i in range(4))


def to_mont(field: int, canonical: np.ndarray, strict: bool = True) -> np.ndarray:
    """Canonical limbs -> Montgomery limbs; strict rejects values >= modulus."""
    canonical = as_limbs(canonical)
    out = limb_array(len(canonical))
    check(
        lib.bn254_vec_to_mont(field, u64_ptr(out), u64_ptr(canonical), len(out), int(strict)),
        "to field element",
    )
    return out


def from_mont(field: int, mont: np.ndarray) -> np.ndarray:
    """Montgomery limbs -> canonical limbs."""
    mont = as_limbs(mont)
    out = limb_array(len(mont))
    check(lib.bn254_vec_from_mont(field, u64_ptr(out), u64_ptr(mont), len(out)), "from mont")
    return out


def from_bytes(field: int, data: bytes, big_endian: bool, strict: bool) -> np.ndarray:
    """32-byte encodings of canonical values -> Montgomery limbs."""
    if len(data) % 32:
        raise errors.EncodingError(f"expected a multiple of 32 bytes, got {len(data)}")
    n = len(data) // 32
    out = limb_array(n)
    check(
        lib.bn254_vec_from_bytes(
            field, u64_ptr(out), u8_ptr(data), n, int(big_endian), int(strict)
        ),
        "from bytes",
    )
    return out


def to_bytes(field: int, mont: np.ndarray, big_endian: bool) -> bytes:
    """Montgomery limbs -> 32-byte encodings of their canonical values."""
    mont = as_limbs(mont)
    buf = bytearray(32 * len(mont))
    check(
        lib.bn254_vec_to_bytes(
            field, ffi.from_buffer("uint8_t[]", buf), u64_ptr(mont), len(mont), int(big_endian)
        ),
        "to bytes",
    )
    return bytes(buf)


def is_canonical(field: int, canonical: np.ndarray) -> bool:
    """True if every canonical limb value is < modulus."""
    canonical = as_limbs(canonical)
    return bool(lib.bn254_vec_is_canonical(field, u64_ptr(canonical), len(canonical)))


def _binary(name: str, field: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = as_limbs(a)
    b = as_limbs(b, len(a))
    out = limb_array(len(a))
    check(getattr(lib, name)(field, u64_ptr(out), u64_ptr(a), u64_ptr(b), len(a)), name)
    return out


def _unary(name: str, field: int, a: np.ndarray) -> np.ndarray:
    a = as_limbs(a)
    out = limb_array(len(a))
    check(getattr(lib, name)(field, u64_ptr(out), u64_ptr(a), len(a)), name)
    return out


def add(field: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _binary("bn254_vec_add", field, a, b)


def sub(field: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _binary("bn254_vec_sub", field, a, b)


def mul(field: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _binary("bn254_vec_mul", field, a, b)


def neg(field: int, a: np.ndarray) -> np.ndarray:
    return _unary("bn254_vec_neg", field, a)


def square(field: int, a: np.ndarray) -> np.ndarray:
    return _unary("bn254_vec_square", field, a)


def scale(field: int, a: np.ndarray, scalar_mont: np.ndarray) -> np.ndarray:
    """a[i] * s for one Montgomery scalar s (shape (1, 4))."""
    a = as_limbs(a)
    s = as_limbs(scalar_mont, 1)
    out = limb_array(len(a))
    check(lib.bn254_vec_scale(field, u64_ptr(out), u64_ptr(a), u64_ptr(s), len(a)), "scale")
    return out


def pow_(field: int, a: np.ndarray, exponent: int) -> np.ndarray:
    """a[i] ** exponent for a non-negative Python int exponent."""
    if exponent < 0:
        raise errors.ArgumentError("negative exponent: invert first")
    a = as_limbs(a)
    n_limbs = max(1, (exponent.bit_length() + 63) // 64)
    e = np.frombuffer(exponent.to_bytes(8 * n_limbs, "little"), dtype=np.uint64).copy()
    out = limb_array(len(a))
    check(lib.bn254_vec_pow(field, u64_ptr(out), u64_ptr(a), u64_ptr(e), n_limbs, len(a)), "pow")
    return out


def inverse(field: int, a: np.ndarray) -> np.ndarray:
    """Batch inverse; raises ZeroInverseError if any element is zero."""
    a = as_limbs(a)
    out = limb_array(len(a))
    scratch = limb_array(len(a))
    check(
        lib.bn254_vec_inverse(field, u64_ptr(out), u64_ptr(a), u64_ptr(scratch), len(a)),
        "inverse",
    )
    return out


def inner_product(field: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum a[i] * b[i] as a (1, 4) Montgomery array."""
    a = as_limbs(a)
    b = as_limbs(b, len(a))
    out = limb_array(1)
    check(
        lib.bn254_vec_inner_product(field, u64_ptr(out), u64_ptr(a), u64_ptr(b), len(a)),
        "inner product",
    )
    return out


def sum_(field: int, a: np.ndarray) -> np.ndarray:
    """sum a[i] as a (1, 4) Montgomery array."""
    a = as_limbs(a)
    out = limb_array(1)
    check(lib.bn254_vec_sum(field, u64_ptr(out), u64_ptr(a), len(a)), "sum")
    return out


def equal(field: int, a: np.ndarray, b: np.ndarray) -> bool:
    """True if the two vectors are element-wise equal."""
    a = as_limbs(a)
    b = as_limbs(b)
    return len(a) == len(b) and bool(lib.bn254_vec_equal(field, u64_ptr(a), u64_ptr(b), len(a)))
