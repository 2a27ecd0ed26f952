"""Thin wrappers over poseidon.c: constants loaded once per width, then hashes in C."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from zkcore import errors
from zkcore._native import check, ffi, lib, limb_array, u64_ptr


@dataclass(frozen=True)
class NativeParams:
    """One width's constants as Montgomery limbs, with the C pointer kept alive beside them."""

    t: int
    rounds_f: int
    rounds_p: int
    limbs: np.ndarray  # flat uint64, the layout of poseidon.c
    ptr: Any  # uint64_t * into limbs
    limbs52: np.ndarray  # the same elements as 5 x 52-bit limbs, Montgomery with R = 2^260
    ptr52: Any


def params_len(t: int, rounds_f: int, rounds_p: int) -> int:
    """How many uint64 limbs poseidon.c expects for width t."""
    out = ffi.new("size_t *")
    check(lib.bn254_poseidon_params_len(t, rounds_f, rounds_p, out), "poseidon params")
    return int(out[0])


def load_params(
    t: int, rounds_f: int, rounds_p: int, mont: np.ndarray, limbs52: np.ndarray
) -> NativeParams:
    """Wrap width t's constants in poseidon.c's layout: (k, 4) Montgomery limbs, and the same
    k elements as (k, 5) 52-bit limbs for the AVX-512 IFMA path."""
    flat = np.ascontiguousarray(mont, dtype=np.uint64).reshape(-1)
    flat52 = np.ascontiguousarray(limbs52, dtype=np.uint64).reshape(-1)
    if len(flat) != params_len(t, rounds_f, rounds_p) or len(flat52) != len(flat) // 4 * 5:
        raise errors.ArgumentError(f"poseidon params for t={t}: wrong length {len(flat)}")
    return NativeParams(t, rounds_f, rounds_p, flat, u64_ptr(flat), flat52, u64_ptr(flat52))


def hash_bytes(params: NativeParams, data: bytes) -> bytes:
    """One hash of t - 1 canonical little-endian 32-byte values; 32 bytes out."""
    arity = params.t - 1
    if len(data) != 32 * arity:
        raise errors.ArgumentError(f"expected {32 * arity} bytes, got {len(data)}")
    out = ffi.new("uint8_t[32]")
    check(
        lib.bn254_poseidon_hash_bytes(
            out,
            ffi.from_buffer("uint8_t[]", data),
            arity,
            params.rounds_f,
            params.rounds_p,
            params.ptr,
            len(params.limbs),
        ),
        "poseidon",
    )
    return ffi.buffer(out)[:]


def many(params: NativeParams, rows: np.ndarray, threads: int = 0, simd: bool = True) -> np.ndarray:
    """Hash n rows: rows is (n, t - 1, 4) Montgomery limbs; returns (n, 4) Montgomery limbs.

    simd=False keeps to the portable C path (tests compare both)."""
    if rows.dtype != np.uint64 or rows.ndim != 3 or rows.shape[1:] != (params.t - 1, 4):
        raise errors.ArgumentError(
            f"expected a uint64 array of shape (n, {params.t - 1}, 4), got {rows.shape}"
        )
    rows = np.ascontiguousarray(rows)
    n = rows.shape[0]
    out = limb_array(n)
    if n == 0:
        return out
    check(
        lib.bn254_poseidon_many(
            u64_ptr(out),
            u64_ptr(rows),
            n,
            params.t,
            params.rounds_f,
            params.rounds_p,
            params.ptr,
            len(params.limbs),
            params.ptr52 if simd else ffi.NULL,
            int(threads),
        ),
        "poseidon_many",
    )
    return out
