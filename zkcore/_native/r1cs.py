"""Thin wrappers over r1cs.c: CSR sparse products over Fr and the first failing constraint."""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import as_limbs, check, ffi, lib, limb_array, u64_ptr


def _index_array(array: np.ndarray, what: str) -> np.ndarray:
    if array.dtype != np.uint64 or array.ndim != 1 or not array.flags.c_contiguous:
        raise errors.ArgumentError(f"{what} must be a C-contiguous 1-d uint64 array")
    return array


def matvec(
    row_start: np.ndarray,
    cols: np.ndarray,
    coeffs: np.ndarray,
    witness: np.ndarray,
    threads: int = 0,
) -> np.ndarray:
    """CSR matrix (Montgomery coefficients) times a Montgomery witness vector, over Fr."""
    row_start = _index_array(row_start, "row_start")
    cols = _index_array(cols, "cols")
    coeffs = as_limbs(coeffs, len(cols))
    witness = as_limbs(witness)
    if len(row_start) < 1:
        raise errors.ArgumentError("row_start needs n_rows + 1 entries")
    n_rows = len(row_start) - 1
    if int(row_start[-1]) != len(cols):
        raise errors.ArgumentError("row_start[-1] must equal the number of terms")
    out = limb_array(n_rows)
    empty = np.zeros((1, 4), dtype=np.uint64)  # cffi wants a real buffer even for n = 0
    check(
        lib.bn254_r1cs_matvec(
            u64_ptr(out) if n_rows else u64_ptr(empty),
            u64_ptr(row_start),
            u64_ptr(cols) if len(cols) else u64_ptr(empty[0]),
            u64_ptr(coeffs) if len(cols) else u64_ptr(empty),
            n_rows,
            u64_ptr(witness) if len(witness) else u64_ptr(empty),
            len(witness),
            threads,
        ),
        "sparse matrix-vector product",
    )
    return out


def first_unsatisfied(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> int:
    """The least i with a[i] * b[i] != c[i], or len(a) if every row holds."""
    a = as_limbs(a)
    b = as_limbs(b, len(a))
    c = as_limbs(c, len(a))
    first = ffi.new("size_t *")
    if len(a) == 0:
        return 0
    check(
        lib.bn254_r1cs_first_unsatisfied(first, u64_ptr(a), u64_ptr(b), u64_ptr(c), len(a)),
        "satisfaction check",
    )
    return int(first[0])
