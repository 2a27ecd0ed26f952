"""The thin layer over the compiled C core: the only package that touches cffi's ffi/lib.

It checks shapes and dtypes, passes numpy buffers to C without copying, turns status codes
into typed exceptions, and hands back numpy arrays or Python ints. Raw cffi objects never
leave this package.
"""

from __future__ import annotations

import os

import numpy as np

from zkcore import errors

try:
    from zkcore import _bn254 as _portable  # type: ignore[attr-defined]
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "zkcore's C core is not built: run `pip install -e .` in the repository"
    ) from exc


def _select_variant():  # type: ignore[no-untyped-def]
    """The ADX build where the CPU runs it, unless TICKETKING_NATIVE_VARIANT=portable."""
    wanted = os.environ.get("TICKETKING_NATIVE_VARIANT", "auto").strip().lower()
    if wanted not in {"auto", "portable", "adx"}:
        raise ImportError(f"TICKETKING_NATIVE_VARIANT={wanted!r}: use auto, portable or adx")
    if wanted == "portable" or not _portable.lib.bn254_cpu_has_bmi2_adx():
        if wanted == "adx":
            raise ImportError("TICKETKING_NATIVE_VARIANT=adx but this CPU lacks BMI2/ADX")
        return _portable, "portable"
    try:
        from zkcore import _bn254_adx
    except ImportError:  # built by an older setup without the ADX variant
        if wanted == "adx":
            raise
        return _portable, "portable"
    return _bn254_adx, "adx"


_module, VARIANT = _select_variant()
ffi, lib = _module.ffi, _module.lib

LIMBS = 4
FP = lib.BN254_FP
FR = lib.BN254_FR

_ERRORS: dict[int, type[errors.ZKCoreError]] = {
    lib.BN254_ERR_ARGUMENT: errors.ArgumentError,
    lib.BN254_ERR_NONCANONICAL: errors.NonCanonicalError,
    lib.BN254_ERR_ZERO_INVERSE: errors.ZeroInverseError,
    lib.BN254_ERR_NOT_ON_CURVE: errors.NotOnCurveError,
    lib.BN254_ERR_NOT_IN_SUBGROUP: errors.NotInSubgroupError,
    lib.BN254_ERR_NO_MEMORY: errors.ZKCoreError,
    lib.BN254_ERR_ENCODING: errors.EncodingError,
}

_MESSAGES: dict[int, str] = {
    lib.BN254_ERR_ARGUMENT: "bad argument",
    lib.BN254_ERR_NONCANONICAL: "value is not a canonical field element (>= modulus)",
    lib.BN254_ERR_ZERO_INVERSE: "inverse of zero",
    lib.BN254_ERR_NOT_ON_CURVE: "point is not on the curve",
    lib.BN254_ERR_NOT_IN_SUBGROUP: "point is not in the prime-order subgroup",
    lib.BN254_ERR_NO_MEMORY: "out of memory",
    lib.BN254_ERR_ENCODING: "malformed encoding",
}


def check(status: int, what: str) -> None:
    """Raise the typed error for a C status code; `what` names the operation."""
    if status != lib.BN254_OK:
        cls = _ERRORS.get(status, errors.ZKCoreError)
        raise cls(f"{what}: {_MESSAGES.get(status, f'status {status}')}")


def u64_ptr(array: np.ndarray):  # type: ignore[no-untyped-def]
    """A uint64_t* into a C-contiguous uint64 array, without copying."""
    if array.dtype != np.uint64 or not array.flags.c_contiguous:
        raise errors.ArgumentError("expected a C-contiguous uint64 array")
    return ffi.cast("uint64_t *", ffi.from_buffer(array, require_writable=False))


def u8_ptr(data: bytes | bytearray | memoryview | np.ndarray):  # type: ignore[no-untyped-def]
    """A uint8_t* into a bytes-like buffer, without copying."""
    return ffi.cast("uint8_t *", ffi.from_buffer(data, require_writable=False))


def limb_array(n: int) -> np.ndarray:
    """A fresh, uninitialised (n, 4) uint64 array for C to fill."""
    return np.empty((n, LIMBS), dtype=np.uint64)


def as_limbs(array: np.ndarray, n: int | None = None) -> np.ndarray:
    """Validate an (n, 4) C-contiguous uint64 array (no copy) and return it."""
    if array.dtype != np.uint64 or array.ndim != 2 or array.shape[1] != LIMBS:
        raise errors.ArgumentError(f"expected a uint64 array of shape (n, 4), got {array.shape}")
    if not array.flags.c_contiguous:
        raise errors.ArgumentError("expected a C-contiguous limb array")
    if n is not None and array.shape[0] != n:
        raise errors.ArgumentError(f"expected {n} elements, got {array.shape[0]}")
    return array
