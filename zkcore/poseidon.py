"""Poseidon over BN254's Fr, bit for bit circomlib's `Poseidon(n)` (what circomlibjs computes).

Widths t = 2..17 (arities 1..16), x^5 S-box, 8 full rounds, R_P partial rounds per width,
round constants and MDS matrices from the Poseidon reference procedure
(zkcore/poseidon_constants_gen.py, cached in zkcore/poseidon_constants.py). The state is
[0, in_1, ..., in_k] (circomlib's initialState = 0 first) and the hash is state[0] after the
permutation.

  * `poseidon(values)`: one hash, in C;
  * `poseidon_many(inputs)`: many rows of one arity in one multi-threaded C call;
  * `poseidon_reference(values)`: the plain permutation on Python ints, the slow obvious twin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from zkcore import errors
from zkcore import poseidon_constants as _constants
from zkcore._native import poseidon as _c
from zkcore.field import FieldArray, Fr
from zkcore.poseidon_constants_gen import identity, inverse, mat_mul, mat_vec

R = Fr.modulus
FULL_ROUNDS = _constants.FULL_ROUNDS
PARTIAL_ROUNDS = _constants.PARTIAL_ROUNDS
MAX_ARITY = len(PARTIAL_ROUNDS)

Matrix = list[list[int]]


def _check_arity(arity: int) -> int:
    if not 1 <= arity <= MAX_ARITY:
        raise errors.ArgumentError(f"Poseidon takes 1 to {MAX_ARITY} inputs, got {arity}")
    return arity


def _check_values(values: Sequence[int]) -> list[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise errors.ArgumentError("Poseidon inputs must be a sequence of ints")
    _check_arity(len(values))
    return [Fr.canonical(v) for v in values]


def round_constants(t: int) -> list[list[int]]:
    """The (R_F + R_P) round-constant vectors of width t, as circomlib orders them."""
    flat = _constants.ROUND_CONSTANTS[t]
    return [list(flat[i : i + t]) for i in range(0, len(flat), t)]


def mds(t: int) -> Matrix:
    """The t x t MDS matrix of width t (new_state[i] = sum_j M[i][j] * state[j])."""
    return [list(row) for row in _constants.MDS[t]]


def poseidon_reference(values: Sequence[int]) -> int:
    """Poseidon of 1..16 canonical Fr elements, the plain permutation on Python ints."""
    inputs = _check_values(values)
    t = len(inputs) + 1
    rounds_f, rounds_p = FULL_ROUNDS, PARTIAL_ROUNDS[t - 2]
    m = mds(t)
    state = [0, *inputs]
    for r, constants in enumerate(round_constants(t)):
        state = [(s + c) % R for s, c in zip(state, constants, strict=True)]
        if r < rounds_f // 2 or r >= rounds_f // 2 + rounds_p:
            state = [pow(s, 5, R) for s in state]  # full round: S-box on every element
        else:
            state[0] = pow(state[0], 5, R)  # partial round: S-box on the first only
        state = [sum(a * s for a, s in zip(row, state, strict=True)) % R for row in m]
    return state[0]


@dataclass(frozen=True)
class Schedule:
    """Width t's constants in the optimised round schedule that poseidon.c runs."""

    full_c: list[list[int]]  # R_F vectors of t constants
    partial_c: list[int]  # R_P constants, added to s_0 only
    mds: Matrix  # M, for the full rounds
    pre: Matrix  # P, the last first-half full round's matrix
    sparse: list[list[int]]  # R_P rows [A_0 .. A_{t-1}, W_1 .. W_{t-1}]


def optimised_schedule(t: int) -> Schedule:
    """The same permutation rearranged as poseidon.c runs it (see its header comment)."""
    rounds_f, rounds_p = FULL_ROUNDS, PARTIAL_ROUNDS[t - 2]
    half = rounds_f // 2
    c, m = round_constants(t), mds(t)
    # Constants of s_1.. in a partial round are linear: push them through M to the next round.
    partial_c, carry = [], [0] * t
    for k in range(rounds_p):
        d = [(a + b) % R for a, b in zip(c[half + k], carry, strict=True)]
        partial_c.append(d[0])
        carry = mat_vec(m, [0, *d[1:]])
    second = [list(v) for v in c[half + rounds_p :]]
    second[0] = [(a + b) % R for a, b in zip(second[0], carry, strict=True)]
    full_c = c[:half] + second
    # Factor each partial round's layer L = [[a, v], [w, Y]] as L'' * diag(1, Y) with
    # L'' = [[a, v Y^-1], [w, I]] sparse; diag(1, Y) commutes with the S-box on s_0 and moves
    # into the previous round's layer, from the last partial round back to the full round.
    sparse: list[list[int]] = [[] for _ in range(rounds_p)]
    layer = m
    for k in reversed(range(rounds_p)):
        a, v = layer[0][0], layer[0][1:]
        w = [row[0] for row in layer[1:]]
        y = [row[1:] for row in layer[1:]]
        u = mat_vec([list(col) for col in zip(*inverse(y), strict=True)], v)  # v^T Y^-1
        sparse[k] = [a, *u, *w]
        block = identity(t)
        for i in range(1, t):
            block[i][1:] = y[i - 1]
        layer = mat_mul(block, m)
    return Schedule(full_c, partial_c, m, layer, sparse)


def _poseidon_optimised(values: Sequence[int]) -> int:
    """The optimised schedule on Python ints (what poseidon.c computes), for tests."""
    inputs = _check_values(values)
    t = len(inputs) + 1
    sch = optimised_schedule(t)
    half = FULL_ROUNDS // 2
    s = [0, *inputs]

    def full(r: int, matrix: Matrix) -> list[int]:
        x = [pow((a + b) % R, 5, R) for a, b in zip(s, sch.full_c[r], strict=True)]
        return mat_vec(matrix, x)

    for r in range(half):
        s = full(r, sch.pre if r == half - 1 else sch.mds)
    for k, row in enumerate(sch.sparse):
        s0 = pow((s[0] + sch.partial_c[k]) % R, 5, R)
        s = [s0, *s[1:]]
        new0 = sum(a * b for a, b in zip(row[:t], s, strict=True)) % R
        s = [new0] + [(s[j] + row[t + j - 1] * s0) % R for j in range(1, t)]
    for r in range(half, FULL_ROUNDS):
        s = full(r, sch.mds)
    return s[0]


@cache
def _native_params(t: int) -> _c.NativeParams:
    """Width t's schedule as Montgomery limbs, built once per process and kept loaded."""
    sch = optimised_schedule(t)
    flat: list[int] = [x for v in sch.full_c for x in v]
    flat += sch.partial_c
    flat += [x for row in sch.mds for x in row]
    flat += [x for row in sch.pre for x in row]
    flat += [x for row in sch.sparse for x in row]
    # the IFMA path's form: x * 2^260 mod r in five 52-bit limbs
    mask = (1 << 52) - 1
    limbs52 = [((x << 260) % R >> (52 * k)) & mask for x in flat for k in range(5)]
    return _c.load_params(
        t,
        FULL_ROUNDS,
        PARTIAL_ROUNDS[t - 2],
        Fr.array(flat).mont,
        np.array(limbs52, dtype=np.uint64),
    )


def poseidon(values: Sequence[int]) -> int:
    """Poseidon of 1..16 canonical Fr elements (circomlib's Poseidon(len(values))), in C."""
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise errors.ArgumentError("Poseidon inputs must be a sequence of ints")
    _check_arity(len(values))
    if any(type(v) is not int for v in values):  # numpy ints are welcome, bools are not
        values = [int(v) if isinstance(v, np.integer) else v for v in values]
    for v in values:
        # one cheap test per value; Fr.canonical gives the typed error on a miss
        if type(v) is not int or not 0 <= v < R:
            Fr.canonical(v)
    data = b"".join(v.to_bytes(32, "little") for v in values)
    return int.from_bytes(_c.hash_bytes(_native_params(len(values) + 1), data), "little")


def _rows_from_ints(inputs: object) -> np.ndarray:
    try:
        obj = np.array(inputs, dtype=object)
    except ValueError as exc:  # ragged rows
        raise errors.ArgumentError(f"Poseidon rows must all have one arity: {exc}") from None
    if obj.ndim != 2:
        raise errors.ArgumentError(f"expected an (n, arity) array of ints, got shape {obj.shape}")
    flat = obj.reshape(-1)
    kinds = set(map(type, flat))  # one pass in C, then the rare non-int case in Python
    if kinds - {int}:
        for kind in kinds - {int}:
            if kind is bool or not issubclass(kind, (int, np.integer)):
                raise errors.ArgumentError(f"Poseidon inputs must be ints, got {kind.__name__}")
        flat = np.array([int(v) for v in flat], dtype=object)
    if len(flat) and ((flat < 0).any() or (flat >= R).any()):
        raise errors.NonCanonicalError("a Poseidon input is not a canonical Fr element")
    mont = Fr.array(flat).mont if len(flat) else np.zeros((0, 4), dtype=np.uint64)
    return mont.reshape(obj.shape[0], obj.shape[1], 4)


def poseidon_many(inputs: object, threads: int = 0) -> FieldArray:
    """Hash n rows of one arity in one C call (threads: 0 = all cores).

    `inputs` is either a sequence of `arity` FieldArrays of Fr (column i holds every row's
    i-th input; e.g. [left, right] for a Merkle level), or an (n, arity) list or numpy array
    of canonical ints. Returns the n hashes as a FieldArray.
    """
    if isinstance(inputs, FieldArray):
        raise errors.ArgumentError("pass a list of FieldArrays (one per input position)")
    if isinstance(inputs, (list, tuple)) and not inputs:
        return Fr.zeros(0)
    if (
        isinstance(inputs, (list, tuple))
        and inputs
        and all(isinstance(c, FieldArray) for c in inputs)
    ):
        columns: Sequence[FieldArray] = inputs
        _check_arity(len(columns))
        n = len(columns[0])
        for col in columns:
            if col.field is not Fr:
                raise errors.ArgumentError("Poseidon inputs must be Fr elements")
            if len(col) != n:
                raise errors.ArgumentError("Poseidon input columns differ in length")
        rows = np.stack([col.mont for col in columns], axis=1)
    else:
        rows = _rows_from_ints(inputs)
        if rows.shape[0] == 0:
            return Fr.zeros(0)
        _check_arity(rows.shape[1])
    if rows.shape[0] == 0:
        return Fr.zeros(0)
    return FieldArray(Fr, _c.many(_native_params(rows.shape[1] + 1), rows, threads))


__all__ = [
    "FULL_ROUNDS",
    "MAX_ARITY",
    "PARTIAL_ROUNDS",
    "Schedule",
    "mds",
    "optimised_schedule",
    "poseidon",
    "poseidon_many",
    "poseidon_reference",
    "round_constants",
]
