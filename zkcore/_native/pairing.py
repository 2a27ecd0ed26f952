"""Thin wrappers over pairing.c: flat uint64 Montgomery arrays in, arrays or flags out.

Shapes: G1 points (n, 8), G2 points (n, 16), prepared G2 points (n, BN254_G2_PREPARED_WORDS),
Fp12 values (48,), Fp6 values (24,); all C-contiguous uint64, Montgomery Fp limbs.
"""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import check, ffi, lib, u64_ptr

FP12_WORDS = 48
FP6_WORDS = 24
G1_WORDS = 8
G2_WORDS = 16
PREPARED_WORDS = int(lib.BN254_G2_PREPARED_WORDS)


def _words(array: np.ndarray, width: int, what: str) -> np.ndarray:
    """Validate a C-contiguous uint64 array whose last axis is `width` words."""
    if array.dtype != np.uint64 or not array.flags.c_contiguous:
        raise errors.ArgumentError(f"{what}: expected a C-contiguous uint64 array")
    if array.shape[-1:] != (width,) or array.ndim > 2:
        raise errors.ArgumentError(f"{what}: expected shape (n, {width}), got {array.shape}")
    return array


def _pairs(g1s: np.ndarray, g2s: np.ndarray, g2_width: int) -> int:
    _words(g1s, G1_WORDS, "G1 points")
    _words(g2s, g2_width, "G2 points")
    if g1s.ndim != 2 or g2s.ndim != 2 or len(g1s) != len(g2s):
        raise errors.ArgumentError(f"expected as many G1 as G2 points: {g1s.shape}, {g2s.shape}")
    return len(g1s)


def pairing(g1: np.ndarray, g2: np.ndarray) -> np.ndarray:
    """e(P, Q) for one G1 point (8 words) and one G2 point (16 words)."""
    g1 = _words(g1.reshape(-1), G1_WORDS, "G1 point")
    g2 = _words(g2.reshape(-1), G2_WORDS, "G2 point")
    out = np.empty(FP12_WORDS, dtype=np.uint64)
    check(lib.bn254_pairing(u64_ptr(out), u64_ptr(g1), u64_ptr(g2)), "pairing")
    return out


def _threads(threads: int) -> int:
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise errors.ArgumentError(f"threads must be an int >= 0, got {threads!r}")
    return threads


def pairing_check(g1s: np.ndarray, g2s: np.ndarray, threads: int = 1) -> bool:
    """True if prod e(g1s[i], g2s[i]) == 1 (Miller loops on `threads`, one final exp)."""
    n = _pairs(g1s, g2s, G2_WORDS)
    res = ffi.new("int *")
    check(
        lib.bn254_pairing_check_threads(u64_ptr(g1s), u64_ptr(g2s), n, _threads(threads), res),
        "pairing check",
    )
    return bool(res[0])


def miller_loop(g1s: np.ndarray, g2s: np.ndarray) -> np.ndarray:
    """prod f_{6u+2,Q_i}(P_i) with the Frobenius lines, before final exponentiation."""
    n = _pairs(g1s, g2s, G2_WORDS)
    out = np.empty(FP12_WORDS, dtype=np.uint64)
    check(lib.bn254_miller_loop(u64_ptr(out), u64_ptr(g1s), u64_ptr(g2s), n), "miller loop")
    return out


def final_exponentiation(f: np.ndarray) -> np.ndarray:
    """f^((p^12 - 1) / r)."""
    f = _words(f, FP12_WORDS, "Fp12 value")
    out = np.empty(FP12_WORDS, dtype=np.uint64)
    check(lib.bn254_final_exponentiation(u64_ptr(out), u64_ptr(f)), "final exponentiation")
    return out


def g2_prepare(g2s: np.ndarray) -> np.ndarray:
    """Precomputed Miller-loop lines of n G2 points, shape (n, PREPARED_WORDS)."""
    _words(g2s, G2_WORDS, "G2 points")
    g2s = g2s.reshape(-1, G2_WORDS)
    out = np.empty((len(g2s), PREPARED_WORDS), dtype=np.uint64)
    check(lib.bn254_g2_prepare(u64_ptr(out), u64_ptr(g2s), len(g2s)), "prepare G2")
    return out


def pairing_check_prepared(g1s: np.ndarray, prepared: np.ndarray, threads: int = 1) -> bool:
    """pairing_check with the G2 side given as prepared points."""
    n = _pairs(g1s, prepared, PREPARED_WORDS)
    res = ffi.new("int *")
    check(
        lib.bn254_pairing_check_prepared_threads(
            u64_ptr(g1s), u64_ptr(prepared), n, _threads(threads), res
        ),
        "pairing check",
    )
    return bool(res[0])


def miller_loop_prepared(g1s: np.ndarray, prepared: np.ndarray) -> np.ndarray:
    """miller_loop with the G2 side given as prepared points."""
    n = _pairs(g1s, prepared, PREPARED_WORDS)
    out = np.empty(FP12_WORDS, dtype=np.uint64)
    check(
        lib.bn254_miller_loop_prepared(u64_ptr(out), u64_ptr(g1s), u64_ptr(prepared), n),
        "miller loop",
    )
    return out


def _unary(name: str, words: int, a: np.ndarray, *extra: int) -> np.ndarray:
    a = _words(a, words, name)
    out = np.empty(words, dtype=np.uint64)
    check(getattr(lib, name)(u64_ptr(out), u64_ptr(a), *extra), name)
    return out


def _binary(name: str, words: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = _words(a, words, name)
    b = _words(b, words, name)
    out = np.empty(words, dtype=np.uint64)
    check(getattr(lib, name)(u64_ptr(out), u64_ptr(a), u64_ptr(b)), name)
    return out


def fp12_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _binary("bn254_fp12_mul", FP12_WORDS, a, b)


def fp12_square(a: np.ndarray) -> np.ndarray:
    return _unary("bn254_fp12_square", FP12_WORDS, a)


def fp12_cyclotomic_square(a: np.ndarray) -> np.ndarray:
    """Granger-Scott squaring; only valid for elements of the cyclotomic subgroup."""
    return _unary("bn254_fp12_cyclotomic_square", FP12_WORDS, a)


def fp12_inverse(a: np.ndarray) -> np.ndarray:
    return _unary("bn254_fp12_inverse", FP12_WORDS, a)


def fp12_frobenius(a: np.ndarray, power: int) -> np.ndarray:
    """a^(p^power) for power in 1..3."""
    return _unary("bn254_fp12_frobenius", FP12_WORDS, a, power)


def fp12_mul_by_line(a: np.ndarray, l0: np.ndarray, l1: np.ndarray, l3: np.ndarray) -> np.ndarray:
    """a * (l0 + l1 w + l3 w^3) for Fp2 values l0, l1, l3 (8 words each)."""
    a = _words(a, FP12_WORDS, "Fp12 value")
    ls = [_words(x, 8, "Fp2 value") for x in (l0, l1, l3)]
    out = np.empty(FP12_WORDS, dtype=np.uint64)
    check(
        lib.bn254_fp12_mul_by_line(u64_ptr(out), u64_ptr(a), *(u64_ptr(x) for x in ls)),
        "mul by line",
    )
    return out


def fp12_pow(a: np.ndarray, exponent: int) -> np.ndarray:
    """a^exponent for a non-negative Python int exponent."""
    if exponent < 0:
        raise errors.ArgumentError("negative exponent: invert first")
    a = _words(a, FP12_WORDS, "Fp12 value")
    n_limbs = max(1, (exponent.bit_length() + 63) // 64)
    e = np.frombuffer(exponent.to_bytes(8 * n_limbs, "little"), dtype=np.uint64).copy()
    out = np.empty(FP12_WORDS, dtype=np.uint64)
    check(lib.bn254_fp12_pow(u64_ptr(out), u64_ptr(a), u64_ptr(e), n_limbs), "fp12 pow")
    return out


def fp6_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _binary("bn254_fp6_mul", FP6_WORDS, a, b)


def fp6_square(a: np.ndarray) -> np.ndarray:
    return _unary("bn254_fp6_square", FP6_WORDS, a)


def fp6_inverse(a: np.ndarray) -> np.ndarray:
    return _unary("bn254_fp6_inverse", FP6_WORDS, a)
