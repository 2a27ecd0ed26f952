"""Poseidon as a circuit gadget, bit for bit circomlib's `Poseidon(nInputs)` (poseidon.circom).

The permutation is zkcore.poseidon's (width t = arity + 1, x^5 S-box, 8 full rounds, R_P
partial rounds, state [0, in_1, ..., in_k], hash = state[0] at the end), laid out in the
optimised round schedule that circomlib's template and native/poseidon.c also use
(`zkcore.poseidon.optimised_schedule`): a partial round adds one constant, to s_0, and its
linear layer is a sparse matrix (first row, first column, identity).

Cost: only S-boxes cost constraints, 3 each (x^2, x^4, x^5), as circomlib's Sigma; round
constants and matrices are free linear combinations. Full rounds apply the S-box to all t
elements, partial rounds to s_0 only: 3 * (8t + R_P) constraints, minus 3 because the first
S-box acts on the constant 0 + c (folded at compile time, as circom --O2 folds it). That is
exactly circomlib's count under circom2 --O2.

Wire layout: each S-box makes wires x^2 and x^4; in full rounds and the last partial round the
third constraint makes x^5 a wire, while in the other partial rounds the NEXT S-box's input is
the (hinted) wire and x^5 the linear combination it determines (see the loop), which keeps the
partial rounds' long combinations out of A and B: about half the R1CS terms, as circom --O2.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from circuits.dsl import API, LC, CircuitError, Value, gadget
from zkcore.field import Fr
from zkcore.poseidon import FULL_ROUNDS, MAX_ARITY, PARTIAL_ROUNDS, Schedule, optimised_schedule

R = Fr.modulus


@cache
def _schedule(t: int) -> Schedule:
    return optimised_schedule(t)


def _sbox(x: LC) -> LC:
    """x^5 in 3 constraints (x * x, x2 * x2, x4 * x), free if x is a constant."""
    x2 = x * x
    x4 = x2 * x2
    return x4 * x


def _mat(api: API, matrix: Sequence[Sequence[int]], state: list[LC]) -> list[LC]:
    return [api.combine(zip(state, row, strict=True)) for row in matrix]


def permutation_rounds(t: int) -> tuple[int, int]:
    """(R_F, R_P) for width t (2..17)."""
    if not 2 <= t <= MAX_ARITY + 1:
        raise CircuitError(f"poseidon: width t must be in [2, {MAX_ARITY + 1}], got {t}")
    return FULL_ROUNDS, PARTIAL_ROUNDS[t - 2]


def constraint_count(arity: int) -> int:
    """Constraints of poseidon(api, inputs) with `arity` non-constant inputs."""
    rounds_f, rounds_p = permutation_rounds(arity + 1)
    return 3 * (rounds_f * (arity + 1) + rounds_p) - 3


@gadget
def poseidon(api: API, inputs: Sequence[Value]) -> LC:
    """Poseidon of 1..16 field elements (circomlib's Poseidon(len(inputs))), as an LC.

    The result is a linear combination of the last round's S-box outputs (no output wire):
    assert it equal to something, or feed it on.
    """
    if isinstance(inputs, LC) or not isinstance(inputs, Sequence):
        raise CircuitError("poseidon takes a sequence of 1..16 values")
    if not 1 <= len(inputs) <= MAX_ARITY:
        raise CircuitError(f"poseidon takes 1 to {MAX_ARITY} inputs, got {len(inputs)}")
    t = len(inputs) + 1
    rounds_f, _ = permutation_rounds(t)
    half = rounds_f // 2
    sch = _schedule(t)
    state = [api.constant(0), *(api.lc(v) for v in inputs)]

    def full_round(r: int, matrix: Sequence[Sequence[int]]) -> list[LC]:
        boxed = [_sbox(s + c) for s, c in zip(state, sch.full_c[r], strict=True)]
        return _mat(api, matrix, boxed)

    for r in range(half):
        state = full_round(r, sch.pre if r == half - 1 else sch.mds)
    rounds_p = len(sch.sparse)
    x = state[0] + sch.partial_c[0]  # the first partial S-box's input
    for k, row in enumerate(sch.sparse):
        rest = state[1:]
        x2 = x * x
        x4 = x2 * x2
        if k + 1 < rounds_p and row[0] != 0 and not x.is_constant():
            # Keep the next S-box input as a wire and let this S-box's output be the LC that
            # the next input determines: (x_next - c - sum_{j>0} row_j s_j) / row_0. The
            # constraint x4 * x = that LC pins x_next (row_0 != 0), and x, x_next appear
            # once per constraint instead of as growing LCs in three places (circom --O2
            # substitutes the same way): same count, about half the R1CS terms.
            c_next = sch.partial_c[k + 1]
            linear = api.combine(zip(rest, row[1:t], strict=True))
            (x_next,) = api.hint(
                lambda a, b, lin, a0=row[0], c=c_next: (a0 * a * b + lin + c) % R, x4, x, linear
            )
            s0 = (x_next - c_next - linear).scale(Fr.inv(row[0]))
            api.assert_product(x4, x, s0)
            new0 = x_next - c_next
        else:
            s0 = x4 * x
            new0 = api.combine(zip([s0, *rest], row[:t], strict=True))
        # s_j += w_j * s0: the sparse matrix's first column, identity elsewhere
        state = [new0] + [
            api.combine(((s, 1), (s0, w))) for s, w in zip(rest, row[t:], strict=True)
        ]
        if k + 1 < rounds_p:
            x = state[0] + sch.partial_c[k + 1]
    for r in range(half, rounds_f):
        if r == rounds_f - 1:
            # Only state[0] of the last matrix product is the hash: skip the other rows.
            boxed = [_sbox(s + c) for s, c in zip(state, sch.full_c[r], strict=True)]
            return api.combine(zip(boxed, sch.mds[0], strict=True))
        state = full_round(r, sch.mds)
    raise AssertionError("unreachable")  # pragma: no cover


def hash2(api: API, left: Value, right: Value) -> LC:
    """Poseidon(left, right): the 2-to-1 hash of the Merkle trees (a `Hash2`)."""
    return poseidon(api, [left, right])


__all__ = ["constraint_count", "hash2", "permutation_rounds", "poseidon"]
