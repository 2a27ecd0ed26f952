"""Thin wrappers over ntt.c: Fr elements as (n, 4) Montgomery limb arrays in and out."""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import as_limbs, check, lib, limb_array, u64_ptr

MAX_LOG = int(lib.BN254_NTT_MAX_LOG)
TWO_ADICITY = int(lib.BN254_FR_TWO_ADICITY)


def _log_n(n: int) -> int:
    """log2(n) for a supported transform size, else ArgumentError."""
    if n < 1 or n & (n - 1) or n > 1 << MAX_LOG:
        raise errors.ArgumentError(
            f"NTT size must be a power of two from 1 to 2^{MAX_LOG}, got {n}"
        )
    return n.bit_length() - 1


def root_of_unity(log_n: int) -> np.ndarray:
    """A primitive 2^log_n-th root of unity of Fr as a (1, 4) Montgomery array."""
    if not 0 <= log_n <= TWO_ADICITY:
        raise errors.ArgumentError(f"Fr has roots of unity of order up to 2^{TWO_ADICITY}")
    out = limb_array(1)
    check(lib.bn254_fr_root_of_unity(log_n, u64_ptr(out)), "root of unity")
    return out


def twiddles(log_n: int, threads: int = 0) -> np.ndarray:
    """The domain's twiddle table: per stage m = 1, 2, .., n/2, the run w_2m^j (n - 1 rows)."""
    if not 0 <= log_n <= MAX_LOG:
        raise errors.ArgumentError(f"NTT size must be 2^0 .. 2^{MAX_LOG}, got 2^{log_n}")
    out = limb_array(max(1, (1 << log_n) - 1))
    check(lib.bn254_ntt_twiddles(log_n, u64_ptr(out), len(out), threads), "ntt twiddles")
    return out


def ntt(a: np.ndarray, tw: np.ndarray, inverse: bool, threads: int) -> np.ndarray:
    """Forward or inverse transform of a copy of a."""
    out = as_limbs(a).copy()
    log_n = _log_n(len(out))
    check(lib.bn254_ntt(u64_ptr(out), log_n, u64_ptr(tw), len(tw), int(inverse), threads), "ntt")
    return out


def coset_ntt(
    a: np.ndarray, tw: np.ndarray, shift: np.ndarray, inverse: bool, threads: int
) -> np.ndarray:
    """Forward or inverse transform on the coset shift * <w>, of a copy of a."""
    out = as_limbs(a).copy()
    log_n = _log_n(len(out))
    s = as_limbs(shift, 1)
    check(
        lib.bn254_ntt_coset(
            u64_ptr(out), log_n, u64_ptr(tw), len(tw), u64_ptr(s), int(inverse), threads
        ),
        "coset ntt",
    )
    return out


def coset_quotient(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    tw: np.ndarray,
    shift: np.ndarray,
    divide: bool,
    threads: int,
) -> np.ndarray:
    """(A*B - C)(g w^k), divided by Z(g w^k) if asked, from domain evaluations of A, B, C."""
    n = len(as_limbs(a))
    log_n = _log_n(n)
    # The C routine uses its three inputs as work space: hand it copies.
    wa, wb, wc = a.copy(), as_limbs(b, n).copy(), as_limbs(c, n).copy()
    s = as_limbs(shift, 1)
    check(
        lib.bn254_ntt_coset_quotient(
            u64_ptr(wa),
            u64_ptr(wb),
            u64_ptr(wc),
            log_n,
            u64_ptr(tw),
            len(tw),
            u64_ptr(s),
            int(divide),
            threads,
        ),
        "coset quotient",
    )
    return wa


def scale_powers(a: np.ndarray, first: np.ndarray, ratio: np.ndarray, threads: int) -> np.ndarray:
    """a[i] * first * ratio^i."""
    a = as_limbs(a)
    out = limb_array(len(a))
    check(
        lib.bn254_poly_scale_powers(
            u64_ptr(out),
            u64_ptr(a),
            len(a),
            u64_ptr(as_limbs(first, 1)),
            u64_ptr(as_limbs(ratio, 1)),
            threads,
        ),
        "scale powers",
    )
    return out


def evaluate(coeffs: np.ndarray, x: np.ndarray, threads: int) -> np.ndarray:
    """sum coeffs[i] x^i as a (1, 4) Montgomery array."""
    coeffs = as_limbs(coeffs)
    out = limb_array(1)
    check(
        lib.bn254_poly_eval(
            u64_ptr(out), u64_ptr(coeffs), len(coeffs), u64_ptr(as_limbs(x, 1)), threads
        ),
        "evaluate",
    )
    return out
