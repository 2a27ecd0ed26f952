"""R1CS -> QAP in snarkjs's convention, and the QAP evaluations a prover needs.

Rows 0..m-1 of the QAP are the R1CS constraints; rows m..m+n_public put signal i (i = 0 ..
n_public) into A alone (coefficient 1), which makes the IC points linearly independent
(snarkjs `zkey_new.js`). The domain is the smallest power of two holding all m + n_public + 1
rows. Everything here runs on whole arrays (numpy index work, products in C): no Python loop
per term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from zkcore import errors
from zkcore.field import FieldArray, Fr
from zkcore.groth16.keys import ProvingKey, QAPCoefficients
from zkcore.r1cs import R1CS, SparseMatrix

MAX_LOG_DOMAIN = 24  # zkcore.ntt's limit


def n_rows(r1cs: R1CS) -> int:
    """QAP rows: the constraints plus the n_public + 1 input rows."""
    return r1cs.n_constraints + r1cs.n_public + 1


def domain_size(r1cs: R1CS) -> int:
    """The smallest power of two >= n_constraints + n_public + 1 (snarkjs's domainSize)."""
    rows = n_rows(r1cs)
    size = 1 << max(0, (rows - 1).bit_length())
    if size > 1 << MAX_LOG_DOMAIN:
        raise errors.ArgumentError(f"{rows} QAP rows exceed the 2^{MAX_LOG_DOMAIN} domain limit")
    return size


def _row_ids(matrix: SparseMatrix) -> np.ndarray:
    """The row (constraint) index of every term of a CSR matrix."""
    lengths = np.diff(matrix.row_start.astype(np.int64))
    return np.repeat(np.arange(len(lengths), dtype=np.uint32), lengths.astype(np.intp))


def qap_coefficients(r1cs: R1CS) -> QAPCoefficients:
    """The nonzero A and B entries in snarkjs's order: per constraint its A terms then its B
    terms, then the input rows (matrix A, row m + i, signal i, value 1)."""
    a, b, _ = r1cs.matrices()
    m, n_pub = r1cs.n_constraints, r1cs.n_public
    extra = np.arange(n_pub + 1, dtype=np.uint32)
    matrix = np.concatenate(
        [
            np.zeros(len(a.cols), np.uint8),
            np.ones(len(b.cols), np.uint8),
            np.zeros(n_pub + 1, np.uint8),
        ]
    )
    constraint = np.concatenate([_row_ids(a), _row_ids(b), (m + extra).astype(np.uint32)])
    signal = np.concatenate([a.cols.astype(np.uint32), b.cols.astype(np.uint32), extra])
    values = np.concatenate([a.coeffs, b.coeffs, Fr.ones(n_pub + 1).mont])
    # stable sort by constraint, A before B within a constraint; term order otherwise kept
    order = np.lexsort((matrix, constraint))
    return QAPCoefficients(
        matrix=np.ascontiguousarray(matrix[order]),
        constraint=np.ascontiguousarray(constraint[order]),
        signal=np.ascontiguousarray(signal[order]),
        value=FieldArray(Fr, np.ascontiguousarray(values[order])),
    )


@dataclass(frozen=True)
class QAPMatrices:
    """A and B of the QAP as CSR matrices with exactly domain_size rows (empty rows pad)."""

    a: SparseMatrix
    b: SparseMatrix
    n_vars: int
    domain_size: int


def _csr(constraint: np.ndarray, signal: np.ndarray, value: np.ndarray, rows: int) -> SparseMatrix:
    order = np.argsort(constraint, kind="stable")
    counts = np.bincount(constraint.astype(np.int64), minlength=rows)
    row_start = np.zeros(rows + 1, dtype=np.uint64)
    np.cumsum(counts, out=row_start[1:])
    return SparseMatrix(
        row_start,
        np.ascontiguousarray(signal[order].astype(np.uint64)),
        np.ascontiguousarray(value[order]),
    )


def matrices_from_coefficients(
    coeffs: QAPCoefficients, n_vars: int, domain_size: int
) -> QAPMatrices:
    """CSR A and B (rows = domain points) from the coefficient list; checks its indices."""
    if len(coeffs.value) != len(coeffs) or len(coeffs.signal) != len(coeffs):
        raise errors.ArgumentError("QAP coefficient arrays differ in length")
    if len(coeffs) and (
        int(coeffs.constraint.max()) >= domain_size or int(coeffs.signal.max()) >= n_vars
    ):
        raise errors.ArgumentError("QAP coefficient outside the domain or the wires")
    if len(coeffs) and int(coeffs.matrix.max()) > 1:
        raise errors.ArgumentError("QAP coefficient matrix must be 0 (A) or 1 (B)")
    out = []
    for which in (0, 1):
        sel = coeffs.matrix == which
        out.append(
            _csr(coeffs.constraint[sel], coeffs.signal[sel], coeffs.value.mont[sel], domain_size)
        )
    return QAPMatrices(out[0], out[1], n_vars, domain_size)


def prover_matrices(pk: ProvingKey) -> QAPMatrices:
    """The CSR A and B of a proving key, built once and cached on the key."""
    cached = pk.__dict__.get("_qap_matrices")
    if cached is None:
        cached = matrices_from_coefficients(pk.coeffs, pk.n_vars, pk.domain_size)
        # ProvingKey is frozen; the cache is derived data, not a field (not in eq/repr)
        object.__setattr__(pk, "_qap_matrices", cached)
    return cached


def evaluate_ab(
    mats: QAPMatrices, witness: FieldArray, threads: int = 0
) -> tuple[FieldArray, FieldArray, FieldArray]:
    """(A.w, B.w, C.w) on the domain, C.w = A.w * B.w (valid for a satisfying witness)."""
    if len(witness) != mats.n_vars:
        raise errors.ArgumentError(f"witness has {len(witness)} values, the key {mats.n_vars}")
    aw = mats.a.dot(witness, threads)
    bw = mats.b.dot(witness, threads)
    return aw, bw, aw * bw


def transpose_product(matrix: SparseMatrix, vector: FieldArray, n_vars: int) -> FieldArray:
    """matrix^T . vector: sum over rows c of M[c][i] * vector[c], for every wire i."""
    rows = _row_ids(matrix)
    return _csr(matrix.cols.astype(np.int64), rows, matrix.coeffs, n_vars).dot(vector)


def polynomials_at(r1cs: R1CS, lagrange: FieldArray) -> tuple[FieldArray, FieldArray, FieldArray]:
    """A_i(x), B_i(x), C_i(x) for every wire, from L_j(x) on the domain (input rows in A)."""
    a, b, c = r1cs.matrices()
    n = r1cs.n_wires
    at = transpose_product(a, lagrange, n)
    bt = transpose_product(b, lagrange, n)
    ct = transpose_product(c, lagrange, n)
    m, k = r1cs.n_constraints, r1cs.n_public + 1
    # the input rows: A_i += L_{m+i} for i <= n_public
    head = FieldArray(Fr, at.mont[:k]) + FieldArray(Fr, lagrange.mont[m : m + k])
    at = FieldArray(Fr, np.ascontiguousarray(np.concatenate([head.mont, at.mont[k:]])))
    return at, bt, ct
