"""Groth16 keys and proofs, shaped like snarkjs's .zkey and JSON files.

snarkjs's convention, which these structures follow so that the iden3 .zkey format maps onto
them one to one:
  * wires (signals) 0..n_vars-1: 0 is the constant 1, then the n_public public signals
    (outputs, then inputs), then the private ones;
  * the QAP has one row per R1CS constraint plus n_public + 1 rows that put signal i
    (i = 0..n_public) into A alone: they make the IC points independent;
  * domain_size is the smallest power of two >= n_constraints + n_public + 1;
  * `coeffs` are the nonzero entries of A and B (C is not needed: on a satisfied witness
    C.w = (A.w)(B.w) on the domain) as (matrix 0=A / 1=B, constraint, signal, value);
  * h_query holds domain_size G1 points for the H part, in snarkjs's "odd coset" form (see
    docs/ntt.md: the prover multiplies them with A.w * B.w - C.w on the coset, not divided by Z).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zkcore.curve import G1Point, G2Point, PointArray
from zkcore.field import FieldArray


@dataclass(frozen=True)
class VerifyingKey:
    """What a verifier needs: e(A, B) = e(alpha, beta) e(sum IC_i x_i, gamma) e(C, delta)."""

    alpha_g1: G1Point
    beta_g2: G2Point
    gamma_g2: G2Point
    delta_g2: G2Point
    ic: list[G1Point]  # n_public + 1 points: IC_0 + sum x_i IC_i

    @property
    def n_public(self) -> int:
        return len(self.ic) - 1


@dataclass(frozen=True)
class QAPCoefficients:
    """The nonzero entries of A and B of the QAP (snarkjs's zkey section 4), as arrays."""

    matrix: np.ndarray  # uint8, 0 = A, 1 = B
    constraint: np.ndarray  # uint32, row in [0, n_constraints + n_public + 1)
    signal: np.ndarray  # uint32, wire in [0, n_vars)
    value: FieldArray  # Fr

    def __len__(self) -> int:
        return len(self.matrix)


@dataclass(frozen=True)
class ProvingKey:
    """A Groth16 proving key (snarkjs .zkey, protocol groth16)."""

    vk: VerifyingKey
    beta_g1: G1Point
    delta_g1: G1Point
    n_vars: int
    n_public: int
    domain_size: int
    coeffs: QAPCoefficients
    a_query: PointArray  # G1, n_vars: A_i(tau)
    b_g1_query: PointArray  # G1, n_vars: B_i(tau)
    b_g2_query: PointArray  # G2, n_vars: B_i(tau)
    c_query: PointArray  # G1, n_vars - n_public - 1: (beta A_i + alpha B_i + C_i)(tau) / delta
    h_query: PointArray  # G1, domain_size


@dataclass(frozen=True)
class Proof:
    """A Groth16 proof (pi_a, pi_b, pi_c)."""

    a: G1Point
    b: G2Point
    c: G1Point
