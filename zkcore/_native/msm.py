"""Thin wrapper over msm.c's GLV split (the MSM itself is zkcore._native.curve.msm)."""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import check, ffi, lib, u64_ptr

# The cube root of unity mod r that the MSM's endomorphism phi(x, y) = (beta x, y) acts as.
GLV_LAMBDA = 0xB3C4D79D41A917585BFC41088D8DAAA78B17EA66B99C90DD


def glv_split(scalars: np.ndarray) -> list[tuple[int, int]]:
    """(k1, k2) with k1 + k2 * GLV_LAMBDA = k mod r, |k1|, |k2| < 2^127, for (n, 4) canonical
    Fr limbs (NonCanonicalError for a scalar >= r)."""
    if scalars.dtype != np.uint64 or scalars.ndim != 2 or scalars.shape[1] != 4:
        raise errors.ArgumentError(f"expected (n, 4) uint64 scalar limbs, got {scalars.shape}")
    scalars = np.ascontiguousarray(scalars)
    words = np.empty((max(1, len(scalars)), 4), dtype=np.uint64)
    out = ffi.cast("int64_t *", u64_ptr(words))
    check(lib.bn254_msm_glv_split(out, u64_ptr(scalars), len(scalars)), "glv split")
    pairs = []
    for i in range(len(scalars)):
        k1, k2 = (int(words[i, h]) | (int(words[i, h + 1]) << 64) for h in (0, 2))
        # two's complement 128-bit values
        pairs.append((k1 - (k1 >> 127 << 128), k2 - (k2 >> 127 << 128)))
    return pairs


def simd(mode: int = -1) -> bool:
    """Whether MSM batch additions run 8-wide with AVX-512 IFMA; mode 0/1 switches it off/on
    (on only if the CPU has it), -1 only asks."""
    active = ffi.new("int *")
    check(lib.bn254_msm_simd(mode, active), f"simd mode {mode} (expected -1, 0 or 1)")
    return bool(active[0])
