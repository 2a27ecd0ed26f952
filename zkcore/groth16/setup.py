"""Groth16 circuit-specific setup in snarkjs's layout (a single-party "trusted" setup).

`setup` draws the toxic waste (tau, alpha, beta, gamma, delta) from `secrets` and lets it go
out of scope when it returns: it is never stored, logged or returned. The key points are
fixed-base multiples of the generators, computed in C on whole vectors.

The H query follows snarkjs (`zkey_new.js`, `writeHs`): point i is L_{2n, 2i+1}(tau) / delta,
the odd-indexed Lagrange basis of the 2n-point domain at tau. The prover pairs it with
(A*B - C) on the odd coset (zkcore.ntt.numerator_on_coset); see docs/groth16.md.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
from collections.abc import Callable

import numpy as np

from zkcore import errors, ntt
from zkcore.curve import G1, G2, Group, PointArray
from zkcore.field import FieldArray, Fr
from zkcore.groth16 import qap
from zkcore.groth16.keys import ProvingKey, VerifyingKey
from zkcore.groth16.points import as_g1, as_g2
from zkcore.r1cs import R1CS

R = Fr.modulus
_CHUNK = 2048  # points per fixed-base batch (the progress bar's step)


class ToxicWaste:
    """The five secret scalars of a setup; lives only inside `setup` (no repr, no pickling)."""

    __slots__ = ("tau", "alpha", "beta", "gamma", "delta")

    def __init__(self, tau: int, alpha: int, beta: int, gamma: int, delta: int) -> None:
        self.tau, self.alpha, self.beta, self.gamma, self.delta = tau, alpha, beta, gamma, delta

    def __repr__(self) -> str:
        return "ToxicWaste(<redacted>)"

    def __reduce__(self) -> str:
        raise TypeError("toxic waste must not be serialised")


def lagrange_at(points: FieldArray, size: int, x: int) -> FieldArray:
    """L_j(x) for the Lagrange basis of the size-`size` subgroup, at the given subgroup points.

    L_j(x) = (x^size - 1) / size * w_j / (x - w_j): one batch inversion for all j.
    """
    z = (pow(x, size, R) - 1) * pow(size, -1, R) % R
    return (-points + x).inverse() * points * z


def _scalar_multiples(group: Group, values: FieldArray, label: str, bar: Callable) -> PointArray:
    """[v_i] G for the group's generator G, in chunks (one progress-bar step each)."""
    base = group.array([group.generator], validate=False).aff
    parts = []
    with bar(total=len(values), desc=f"setup {label}", unit="pt", leave=False) as progress:
        for start in range(0, len(values), _CHUNK):
            chunk = FieldArray(values.field, values.mont[start : start + _CHUNK])
            reps = PointArray(group, np.ascontiguousarray(np.repeat(base, len(chunk), axis=0)))
            parts.append(reps.scale(chunk).aff)  # type: ignore[arg-type]
            progress.update(len(chunk))
    width = 2 * group.coord_limbs
    aff = np.concatenate(parts) if parts else np.empty((0, width), dtype=np.uint64)
    return PointArray(group, np.ascontiguousarray(aff))


def _bar(progress: bool) -> Callable:
    from tqdm import tqdm

    def make(**kwargs: object) -> object:
        return tqdm(disable=not progress, **kwargs)

    return make


def _keys(r1cs: R1CS, toxic: ToxicWaste, progress: bool) -> tuple[ProvingKey, VerifyingKey]:
    n = qap.domain_size(r1cs)
    dom = ntt.domain(n.bit_length() - 1)
    elems = dom.elements()
    t = toxic
    lag = lagrange_at(elems, n, t.tau)
    a_t, b_t, c_t = qap.polynomials_at(r1cs, lag)
    k = r1cs.n_public + 1
    # (beta A_i + alpha B_i + C_i)(tau): over gamma for public wires, over delta for the rest
    mixed = a_t * t.beta + b_t * t.alpha + c_t
    ic_vals = FieldArray(Fr, mixed.mont[:k]) * pow(t.gamma, -1, R)
    c_vals = FieldArray(Fr, mixed.mont[k:]) * pow(t.delta, -1, R)
    # H: the odd points g w^i (g a primitive 2n-th root) of the 2n-point domain, over delta
    odd = elems * dom.coset_shift
    h_vals = lagrange_at(odd, 2 * n, t.tau) * pow(t.delta, -1, R)

    bar = _bar(progress)
    g1_vals = FieldArray.concat([a_t, b_t, ic_vals, c_vals, h_vals])  # type: ignore[list-item]
    g1_pts = _scalar_multiples(G1, g1_vals, "G1", bar)
    b_g2 = _scalar_multiples(G2, b_t, "G2", bar)
    nv = r1cs.n_wires
    cuts = np.cumsum([nv, nv, k, nv - k])
    a_q, b_q, ic_q, c_q, h_q = (
        PointArray(G1, np.ascontiguousarray(part)) for part in np.split(g1_pts.aff, cuts)
    )
    vk = VerifyingKey(
        alpha_g1=as_g1(G1.mul(G1.generator, t.alpha)),
        beta_g2=as_g2(G2.mul(G2.generator, t.beta)),
        gamma_g2=as_g2(G2.mul(G2.generator, t.gamma)),
        delta_g2=as_g2(G2.mul(G2.generator, t.delta)),
        ic=[as_g1(p) for p in ic_q.to_points()],
    )
    pk = ProvingKey(
        vk=vk,
        beta_g1=as_g1(G1.mul(G1.generator, t.beta)),
        delta_g1=as_g1(G1.mul(G1.generator, t.delta)),
        n_vars=nv,
        n_public=r1cs.n_public,
        domain_size=n,
        coeffs=qap.qap_coefficients(r1cs),
        a_query=a_q,
        b_g1_query=b_q,
        b_g2_query=b_g2,
        c_query=c_q,
        h_query=h_q,
    )
    return pk, vk


def _usable(toxic: ToxicWaste, n: int) -> bool:
    """tau must avoid the 2n-point domain (where the Lagrange formula divides by zero)."""
    return pow(toxic.tau, 2 * n, R) != 1 and all(
        v != 0 for v in (toxic.tau, toxic.alpha, toxic.beta, toxic.gamma, toxic.delta)
    )


def _check(r1cs: R1CS) -> int:
    if not isinstance(r1cs, R1CS):
        raise errors.ArgumentError("setup takes an R1CS")
    return qap.domain_size(r1cs)


def setup(r1cs: R1CS, *, progress: bool = False) -> tuple[ProvingKey, VerifyingKey]:
    """A fresh Groth16 key pair for the R1CS; the toxic waste comes from `secrets`."""
    n = _check(r1cs)
    while True:
        toxic = ToxicWaste(*(secrets.randbelow(R - 1) + 1 for _ in range(5)))
        if _usable(toxic, n):
            break
    try:
        return _keys(r1cs, toxic, progress)
    finally:
        del toxic


def setup_insecure_deterministic(
    r1cs: R1CS, seed: bytes | str | int, *, progress: bool = False
) -> tuple[ProvingKey, VerifyingKey]:
    """INSECURE, FOR TESTS ONLY: a key pair whose toxic waste anyone can derive from `seed`."""
    warnings.warn(
        "setup_insecure_deterministic: the toxic waste is derived from the seed; anyone who "
        "knows the seed can forge proofs. Never use these keys outside tests.",
        UserWarning,
        stacklevel=2,
    )
    n = _check(r1cs)
    base = seed if isinstance(seed, bytes) else str(seed).encode()
    counter = 0
    while True:
        vals = [
            int.from_bytes(
                hashlib.sha512(b"ticketking-insecure-setup|%s|%d|%d" % (base, counter, i)).digest(),
                "big",
            )
            % (R - 1)
            + 1
            for i in range(5)
        ]
        toxic = ToxicWaste(*vals)
        if _usable(toxic, n):
            return _keys(r1cs, toxic, progress)
        counter += 1
