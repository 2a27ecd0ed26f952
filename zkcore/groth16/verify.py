"""The Groth16 verifier: e(A, B) = e(alpha, beta) e(vk_x, gamma) e(C, delta), checked as

    e(A, B) e(alpha, -beta) e(vk_x, -gamma) e(C, -delta) == 1

with one shared final exponentiation and the key's G2 points prepared once. Inputs are
validated before any group operation: a malformed input raises a typed error from
zkcore.errors; a well-formed proof that does not verify returns False.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zkcore import errors, pairing
from zkcore._native import curve as _cc
from zkcore._native import pairing as _cp
from zkcore.curve import G1, G2, G1Point, PointArray
from zkcore.field import Fr
from zkcore.groth16.checked import CheckedProof, check_proof_points
from zkcore.groth16.keys import Proof, VerifyingKey
from zkcore.groth16.points import as_g1, as_g2

R = Fr.modulus
BATCH_SCALAR_BITS = 128
# vk_x = IC_0 + sum x_i IC_i from a fixed-base table: 8-bit windows (a scalar's bytes), 32 per
# scalar, so a verify sums at most 32 n table points (one C call) instead of an n-point MSM.
# The table takes 32 * 256 affine points (512 KiB) per public input.
IC_WINDOW_BITS = 8
IC_WINDOWS = 256 // IC_WINDOW_BITS
IC_DIGITS = 1 << IC_WINDOW_BITS


def _fixed_base_table(aff: np.ndarray) -> np.ndarray:
    """Rows (i, w, d) = d * 256^w * P_i for affine rows P_i; d = 0 rows are zero (infinity)."""
    n, width = aff.shape
    table = np.zeros((n * IC_WINDOWS, IC_DIGITS, width), dtype=np.uint64)
    if n:
        powers = [pow(IC_DIGITS, w, R) for w in range(IC_WINDOWS)]
        bases = PointArray(G1, np.repeat(aff, IC_WINDOWS, axis=0)).scale(powers * n).aff
        # d * base = (d - 1) * base + base: one vector of mixed additions per digit (exceptional
        # cases such as infinite bases are handled in C), then one batch inversion for all
        jac = np.empty((IC_DIGITS - 1, len(bases), 3 * width // 2), dtype=np.uint64)
        jac[0] = _cc.from_affine("g1", bases)
        for d in range(1, IC_DIGITS - 1):
            jac[d] = _cc.add_affine("g1", jac[d - 1], bases)
        multiples = _cc.to_affine("g1", jac.reshape(-1, jac.shape[2]))
        table[:, 1:, :] = multiples.reshape(IC_DIGITS - 1, len(bases), width).transpose(1, 0, 2)
    return table.reshape(-1, width)


def _table_rows(scalars: list[int]) -> np.ndarray:
    """Indices of the _fixed_base_table rows whose sum is sum scalars[i] P_i (canonical ints)."""
    n = len(scalars)
    # the windows are the scalars' little-endian bytes; to_bytes beats numpy's object arrays
    # at the handful of scalars used here
    digits = np.frombuffer(b"".join(x.to_bytes(32, "little") for x in scalars), np.uint8)
    digits = digits.reshape(n, IC_WINDOWS).astype(np.int64)
    window_rows = (np.arange(n)[:, None] * IC_WINDOWS + np.arange(IC_WINDOWS)) * IC_DIGITS
    return (window_rows + digits)[digits != 0]


def _ones_limbs(k: int) -> np.ndarray:
    """k canonical Fr ones as (k, 4) limbs: scalars of a plain sum done by the C MSM."""
    ones = np.zeros((k, 4), dtype=np.uint64)
    ones[:, 0] = 1
    return ones


# Terms x * IC_{i+1} of public input values that recur across verifies (a server's event,
# scope, tier and Merkle root do; nullifiers do not) are kept as affine words: a value's term is
# cached the second time the value is seen, so one-off values cost only a set entry. Both maps
# are emptied when they reach their bound (simple, and a full refill costs one sum per value).
TERM_CACHE_SIZE = 256
SEEN_SIZE = 4096


@dataclass(eq=False)
class _TermCache:
    """x * IC_{i+1} keyed by (i, x) for canonical inputs x; dict/set operations are atomic
    under the GIL, and two threads computing one term store equal words."""

    terms: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    seen: set[tuple[int, int]] = field(default_factory=set)


@dataclass(frozen=True, eq=False)
class PreparedVerifyingKey:
    """A verifying key with its fixed work done: IC as a C array, -beta/-gamma/-delta
    prepared for Miller loops, and e(alpha, beta) (snarkjs's vk_alphabeta_12)."""

    vk: VerifyingKey
    ic: PointArray
    ic_table: np.ndarray  # _fixed_base_table of IC_1..IC_n
    batch_table: np.ndarray  # _fixed_base_table of (IC_0, alpha): verify_batch's sum rho_j terms
    fixed_lines: np.ndarray  # -beta, -gamma, -delta prepared, stacked for verify_batch
    neg_beta: pairing.PreparedG2
    neg_gamma: pairing.PreparedG2
    neg_delta: pairing.PreparedG2
    alpha_beta: pairing.Fp12
    alpha_beta_mont: np.ndarray  # the same as 48 Montgomery words (fully reduced: unique)
    terms: _TermCache = field(default_factory=_TermCache, repr=False)

    @property
    def n_public(self) -> int:
        return self.vk.n_public


def prepare_verifying_key(vk: VerifyingKey | PreparedVerifyingKey) -> PreparedVerifyingKey:
    """Validate every point of the key and precompute what verification reuses."""
    if isinstance(vk, PreparedVerifyingKey):
        return vk
    if not isinstance(vk, VerifyingKey):
        raise errors.ArgumentError("expected a VerifyingKey")
    if not isinstance(vk.ic, (list, tuple)) or len(vk.ic) < 1:
        raise errors.ArgumentError("a verifying key has at least IC_0")
    G1.validate(vk.alpha_g1)
    ic = G1.array(vk.ic)  # validates curve and subgroup
    alpha = G1.array([vk.alpha_g1])
    neg_beta = pairing.prepare_g2(as_g2(G2.neg(G2.validate(vk.beta_g2))))
    neg_gamma = pairing.prepare_g2(as_g2(G2.neg(G2.validate(vk.gamma_g2))))
    neg_delta = pairing.prepare_g2(as_g2(G2.neg(G2.validate(vk.delta_g2))))
    alpha_beta = pairing.pairing(vk.alpha_g1, vk.beta_g2)
    alpha_beta_mont = alpha_beta.mont()
    alpha_beta_mont.flags.writeable = False
    return PreparedVerifyingKey(
        vk=vk,
        ic=ic,
        ic_table=_fixed_base_table(ic.aff[1:]),
        batch_table=_fixed_base_table(np.concatenate([ic.aff[:1], alpha.aff])),
        fixed_lines=np.stack([neg_beta.lines, neg_gamma.lines, neg_delta.lines]),
        neg_beta=neg_beta,
        neg_gamma=neg_gamma,
        neg_delta=neg_delta,
        alpha_beta=alpha_beta,
        alpha_beta_mont=alpha_beta_mont,
    )


def check_public_inputs(n_public: int, public_inputs: Any) -> list[int]:
    """The public inputs as ints after checking count, type and canonicity (0 <= x < r)."""
    if isinstance(public_inputs, (str, bytes)) or not isinstance(public_inputs, Sequence):
        raise errors.ArgumentError("public inputs must be a sequence of ints")
    if len(public_inputs) != n_public:
        raise errors.ArgumentError(
            f"the key takes {n_public} public inputs, got {len(public_inputs)}"
        )
    out = []
    for i, x in enumerate(public_inputs):
        if not isinstance(x, int) or isinstance(x, bool):
            raise errors.ArgumentError(f"public input {i} is not an int: {x!r}")
        if not 0 <= x < R:
            # x + r would pass a reducing verifier: a malleability hole, so reject it
            raise errors.NonCanonicalError(f"public input {i} is not a canonical Fr element")
        out.append(x)
    return out


def check_proof(proof: Any) -> Proof:
    """The proof after checking its points are on their curves and in the subgroups."""
    if not isinstance(proof, Proof):
        raise errors.ArgumentError("expected a Proof")
    G1.validate(proof.a)
    G2.validate(proof.b)
    G1.validate(proof.c)
    return proof


def _sum_words(rows: np.ndarray) -> np.ndarray:
    """The sum of affine rows as (1, 8) affine words: an MSM whose scalars are all one."""
    return _cc.to_affine("g1", _cc.msm("g1", rows, _ones_canonical(len(rows)), 1))


def _vk_x_words(pvk: PreparedVerifyingKey, inputs: list[int]) -> np.ndarray:
    """IC_0 + sum inputs[i] IC_{i+1} as (1, 8) affine Montgomery words: cached terms of
    recurring values plus the table rows of the other inputs' nonzero bytes, in one sum."""
    if not inputs:
        return pvk.ic.aff[:1]
    cache = pvk.terms
    parts = [pvk.ic.aff[:1]]
    from_table = list(inputs)  # zeroed where a cached term stands in (a zero adds no rows)
    for i, x in enumerate(inputs):
        if x == 0:
            continue  # no term, no rows
        key = (i, x)
        term = cache.terms.get(key)
        if term is None:
            if key not in cache.seen:
                if len(cache.seen) >= SEEN_SIZE:
                    cache.seen.clear()
                cache.seen.add(key)
                continue
            term = _sum_words(pvk.ic_table[_table_rows([0] * i + [x])])
            term.flags.writeable = False
            if len(cache.terms) >= TERM_CACHE_SIZE:
                cache.terms.clear()
            cache.terms[key] = term
        parts.append(term)
        from_table[i] = 0
    parts.append(pvk.ic_table[_table_rows(from_table)])
    return _sum_words(np.concatenate(parts))


def _vk_x(pvk: PreparedVerifyingKey, inputs: list[int]) -> G1Point:
    """_vk_x_words as a point of ints."""
    return as_g1(PointArray(G1, _vk_x_words(pvk, inputs)).to_points()[0])


def _ones_canonical(k: int) -> np.ndarray:
    """k canonical ones as (k, 4) limbs, from a cache grown on demand (read-only)."""
    global _ONES
    if len(_ONES) < k:
        grown = _ones_limbs(max(k, 2 * len(_ONES)))
        grown.flags.writeable = False
        _ONES = grown
    return _ONES[:k]


_ONES: np.ndarray = _ones_limbs(512)
_ONES.flags.writeable = False


@dataclass(frozen=True, eq=False)
class CheckedItem:
    """One (public inputs, proof) after every check verify makes, its points as C words."""

    inputs: list[int]  # canonical Fr elements, as many as the key takes
    ac: np.ndarray  # (2, 8): A and C, validated affine Montgomery words
    b: np.ndarray  # (1, 16): B, validated (curve, subgroup, canonical)


def check_item(
    pvk: PreparedVerifyingKey, public_inputs: Sequence[int], proof: Proof | CheckedProof
) -> CheckedItem:
    """Validate one statement and proof as verify does (typed errors), for verify_checked or
    verify_batch_checked; the server runs it in each request's thread, outside any batch.
    A CheckedProof (e.g. from decompress_proof) was validated when it was made."""
    inputs = check_public_inputs(pvk.n_public, public_inputs)
    checked = check_proof_points(proof)  # canonical, on the curves, B in the subgroup
    return CheckedItem(inputs, checked.ac, checked.b)


def verify_checked(pvk: PreparedVerifyingKey, item: CheckedItem) -> bool:
    """verify() of an already checked item."""
    # e(A, B) e(vk_x, -gamma) e(C, -delta) == e(alpha, beta): three Miller loops (two with
    # prepared lines) and one final exponentiation, compared with the key's e(alpha, beta)
    # in Montgomery words; every point stays in the C layout from check to compare.
    g1s = np.empty((3, 8), dtype=np.uint64)
    g1s[0] = item.ac[0]
    g1s[1] = _vk_x_words(pvk, item.inputs)[0]
    g1s[2] = item.ac[1]
    prepared = np.empty_like(pvk.fixed_lines)
    prepared[0] = _cp.g2_prepare(item.b)[0]
    prepared[1:] = pvk.fixed_lines[1:]  # -gamma, -delta
    f = _cp.final_exponentiation(_cp.miller_loop_prepared(g1s, prepared))
    return bool(np.array_equal(f, pvk.alpha_beta_mont))


def verify(
    vk: VerifyingKey | PreparedVerifyingKey,
    public_inputs: Sequence[int],
    proof: Proof | CheckedProof,
) -> bool:
    """True iff the proof verifies for these public inputs; typed errors for bad input."""
    pvk = prepare_verifying_key(vk)
    return verify_checked(pvk, check_item(pvk, public_inputs, proof))


def verify_batch(
    vk: VerifyingKey | PreparedVerifyingKey,
    items: Sequence[tuple[Sequence[int], Proof]],
    threads: int = 0,
) -> bool:
    """True iff every (public_inputs, proof) verifies (except with probability ~2^-128);
    typed errors if any item is malformed. See verify_batch_checked."""
    pvk = prepare_verifying_key(vk)
    if isinstance(items, (str, bytes)) or not isinstance(items, Sequence) or not items:
        raise errors.ArgumentError("verify_batch takes a non-empty sequence of (inputs, proof)")
    inputs_list: list[list[int]] = []
    proofs: list[Proof] = []
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise errors.ArgumentError("each batch item is (public_inputs, proof)")
        inputs_list.append(check_public_inputs(pvk.n_public, item[0]))
        if not isinstance(item[1], Proof):
            raise errors.ArgumentError("expected a Proof")
        proofs.append(item[1])
    # the points validated as check_item does, but in two C calls for the whole batch
    k = len(proofs)
    ac = G1.array([p.a for p in proofs] + [p.c for p in proofs]).aff
    b = G2.array([p.b for p in proofs]).aff
    checked = [
        CheckedItem(inputs, ac[[j, k + j]], b[j : j + 1]) for j, inputs in enumerate(inputs_list)
    ]
    return verify_batch_checked(pvk, checked, threads)


def verify_batch_checked(
    pvk: PreparedVerifyingKey, items: Sequence[CheckedItem], threads: int = 0
) -> bool:
    """True iff every checked item verifies (except with probability ~2^-128).

    Random nonzero 128-bit rho_j (from `secrets`) combine the K checks: prod_j e(rho_j A_j, B_j)
    * e(S alpha, -beta) e(S IC_0 + sum_i s_i IC_i, -gamma) e(sum rho_j C_j, -delta) == 1 with
    S = sum rho_j and s_i = sum_j rho_j x_ji: K + 3 Miller loops and one final exponentiation.
    One item is exactly verify_checked(). threads=1 runs everything on the calling thread.
    """
    k = len(items)
    if k == 0:
        raise errors.ArgumentError("an empty batch")
    if k == 1:
        # four Miller loops and the random-scalar work would cost more than verify's three
        return verify_checked(pvk, items[0])
    rho = [secrets.randbits(BATCH_SCALAR_BITS) | 1 for _ in items]  # nonzero
    s_total = sum(rho) % R
    s_inputs = [
        sum(rj * it.inputs[i] for rj, it in zip(rho, items, strict=True)) % R
        for i in range(pvk.n_public)
    ]
    # the fixed-base terms S alpha and S IC_0 + sum s_i IC_i are sums of precomputed table
    # rows (a few hundred mixed additions), cheaper than a scalar mul and an (n+1)-point MSM
    base_rows = _table_rows([s_total, s_total])
    is_ic0 = base_rows < IC_WINDOWS * IC_DIGITS  # the table's first point is IC_0, then alpha
    alpha_rows = pvk.batch_table[base_rows[~is_ic0]]
    vk_x_rows = pvk.batch_table[base_rows[is_ic0]]
    if pvk.n_public:
        vk_x_rows = np.concatenate([vk_x_rows, pvk.ic_table[_table_rows(s_inputs)]])
    rho_limbs = np.frombuffer(b"".join(r.to_bytes(32, "little") for r in rho), np.uint64)
    rho_limbs = rho_limbs.reshape(k, 4)
    a_aff = np.stack([it.ac[0] for it in items])
    c_aff = np.stack([it.ac[1] for it in items])
    # Jacobian results go to affine in one C call (one batch inversion) and straight to the
    # pairing as words, without a round trip through Python ints
    jac = np.concatenate(
        [
            _cc.mul("g1", _cc.from_affine("g1", a_aff), rho_limbs),
            _cc.msm("g1", alpha_rows, _ones_limbs(len(alpha_rows)), 1),
            _cc.msm("g1", np.ascontiguousarray(vk_x_rows), _ones_limbs(len(vk_x_rows)), 1),
            _cc.msm("g1", c_aff, rho_limbs, threads),
        ]
    )
    g1s = _cc.to_affine("g1", jac)
    b_aff = np.concatenate([it.b for it in items])
    prepared = np.concatenate([_cp.g2_prepare(b_aff), pvk.fixed_lines])
    return _cp.pairing_check_prepared(g1s, prepared, threads)
