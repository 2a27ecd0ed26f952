"""Thin wrappers over curve.c and msm.c: numpy uint64 point arrays in, point arrays out.

A group is named by its prefix ("g1" or "g2"). Affine arrays have shape (n, 2*fl) and
Jacobian arrays (n, 3*fl), with fl = 4 limbs per coordinate for G1 and 8 for G2; coordinates
are Montgomery Fp limbs and the all-zero affine row (Z = 0 in Jacobian) is infinity.
"""

from __future__ import annotations

import numpy as np

from zkcore import errors
from zkcore._native import check, ffi, lib, u64_ptr

COORD_LIMBS = {"g1": 4, "g2": 8}


def _fn(group: str, name: str):  # type: ignore[no-untyped-def]
    return getattr(lib, f"bn254_{group}_{name}")


def _points(array: np.ndarray, group: str, kind: str) -> np.ndarray:
    """Validate shape/dtype/layout of an affine ("aff") or Jacobian ("jac") point array."""
    width = COORD_LIMBS[group] * (2 if kind == "aff" else 3)
    if array.dtype != np.uint64 or array.ndim != 2 or array.shape[1] != width:
        raise errors.ArgumentError(
            f"expected a uint64 {group} {kind} array of shape (n, {width}), got {array.shape}"
        )
    if not array.flags.c_contiguous:
        raise errors.ArgumentError("expected a C-contiguous point array")
    return array


def _jac_empty(group: str, n: int) -> np.ndarray:
    return np.empty((n, 3 * COORD_LIMBS[group]), dtype=np.uint64)


def from_affine(group: str, aff: np.ndarray) -> np.ndarray:
    """Affine -> Jacobian (Z = 1; infinity -> Z = 0)."""
    aff = _points(aff, group, "aff")
    out = _jac_empty(group, len(aff))
    check(_fn(group, "from_affine")(u64_ptr(out), u64_ptr(aff), len(aff)), "from affine")
    return out


def to_affine(group: str, jac: np.ndarray) -> np.ndarray:
    """Jacobian -> affine with one batch inversion."""
    jac = _points(jac, group, "jac")
    fl = COORD_LIMBS[group]
    out = np.empty((len(jac), 2 * fl), dtype=np.uint64)
    scratch = np.empty(max(1, len(jac)) * fl, dtype=np.uint64)
    check(
        _fn(group, "to_affine")(u64_ptr(out), u64_ptr(jac), len(jac), u64_ptr(scratch)), "to affine"
    )
    return out


def add(group: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise Jacobian a + b."""
    a = _points(a, group, "jac")
    b = _points(b, group, "jac")
    if len(a) != len(b):
        raise errors.ArgumentError(f"length mismatch: {len(a)} vs {len(b)}")
    out = _jac_empty(group, len(a))
    check(_fn(group, "add")(u64_ptr(out), u64_ptr(a), u64_ptr(b), len(a)), "point add")
    return out


def add_affine(group: str, a: np.ndarray, b_aff: np.ndarray) -> np.ndarray:
    """Element-wise Jacobian a + affine b (mixed addition)."""
    a = _points(a, group, "jac")
    b_aff = _points(b_aff, group, "aff")
    if len(a) != len(b_aff):
        raise errors.ArgumentError(f"length mismatch: {len(a)} vs {len(b_aff)}")
    out = _jac_empty(group, len(a))
    check(_fn(group, "add_affine")(u64_ptr(out), u64_ptr(a), u64_ptr(b_aff), len(a)), "mixed add")
    return out


def double(group: str, a: np.ndarray) -> np.ndarray:
    """Element-wise 2a."""
    a = _points(a, group, "jac")
    out = _jac_empty(group, len(a))
    check(_fn(group, "double")(u64_ptr(out), u64_ptr(a), len(a)), "point double")
    return out


def neg(group: str, a: np.ndarray) -> np.ndarray:
    """Element-wise -a."""
    a = _points(a, group, "jac")
    out = _jac_empty(group, len(a))
    check(_fn(group, "neg")(u64_ptr(out), u64_ptr(a), len(a)), "point neg")
    return out


def equal(group: str, a: np.ndarray, b: np.ndarray) -> bool:
    """True if a[i] == b[i] as points for every i."""
    a = _points(a, group, "jac")
    b = _points(b, group, "jac")
    return len(a) == len(b) and bool(_fn(group, "equal")(u64_ptr(a), u64_ptr(b), len(a)))


def mul(group: str, a: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """Element-wise [k_i] a_i; scalars is an (n, L) array of canonical little-endian limbs."""
    a = _points(a, group, "jac")
    if scalars.dtype != np.uint64 or scalars.ndim != 2 or len(scalars) != len(a):
        raise errors.ArgumentError("expected an (n, L) uint64 scalar limb array")
    scalars = np.ascontiguousarray(scalars)
    out = _jac_empty(group, len(a))
    check(
        _fn(group, "mul")(u64_ptr(out), u64_ptr(a), u64_ptr(scalars), scalars.shape[1], len(a)),
        "scalar mul",
    )
    return out


def psi(a: np.ndarray) -> np.ndarray:
    """The G2 endomorphism psi on Jacobian points."""
    a = _points(a, "g2", "jac")
    out = _jac_empty("g2", len(a))
    check(lib.bn254_g2_psi(u64_ptr(out), u64_ptr(a), len(a)), "psi")
    return out


def validate(group: str, aff: np.ndarray, subgroup: bool = True, threads: int = 0) -> None:
    """Raise NonCanonical/NotOnCurve/NotInSubgroupError for the first bad affine point."""
    aff = _points(aff, group, "aff")
    bad = ffi.new("size_t *")
    status = _fn(group, "validate")(u64_ptr(aff), len(aff), int(subgroup), bad, threads)
    if status != lib.BN254_OK:
        check(status, f"{group.upper()} point {bad[0]}")


def msm(group: str, aff: np.ndarray, scalars: np.ndarray, threads: int = 0) -> np.ndarray:
    """sum [k_i] P_i as a (1, jac) array; scalars are (n, 4) canonical Fr limbs (< r)."""
    aff = _points(aff, group, "aff")
    if scalars.dtype != np.uint64 or scalars.shape != (len(aff), 4):
        raise errors.ArgumentError(
            f"expected ({len(aff)}, 4) uint64 scalar limbs, got {scalars.shape}"
        )
    scalars = np.ascontiguousarray(scalars)
    words = ffi.new("size_t *")
    check(_fn(group, "msm_scratch_words")(len(aff), threads, words), "msm scratch")
    scratch = np.empty(max(1, words[0]), dtype=np.uint64)
    out = _jac_empty(group, 1)
    check(
        _fn(group, "msm")(
            u64_ptr(out),
            u64_ptr(aff),
            u64_ptr(scalars),
            len(aff),
            u64_ptr(scratch),
            words[0],
            threads,
        ),
        f"{group} msm",
    )
    return out
