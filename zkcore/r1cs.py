"""Rank-1 constraint systems over BN254's Fr, laid out as circom lays them out.

A constraint is  <A_i, w> * <B_i, w> = <C_i, w>  for a witness vector w. Wire 0 is the constant
1; then come the public outputs, the public inputs, the private inputs, and last every internal
wire. Each row of A, B and C is a sparse linear combination: a tuple of (wire, coefficient)
pairs, coefficients canonical (0 <= c < r), in the order they were written (kept so that a file
read and written again is byte-identical).

The satisfaction check is vectorised: the three matrices are packed once into CSR arrays of
Montgomery limbs and multiplied by the witness in C (native/r1cs.c), then the rows are compared
in C; Python never loops over terms or constraints there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from zkcore import errors
from zkcore._native import r1cs as _c
from zkcore.field import FieldArray, Fr

LinearCombination = tuple[tuple[int, int], ...]
Constraint = tuple[LinearCombination, LinearCombination, LinearCombination]

_U32 = 2**32


class UnsatisfiedConstraintError(errors.ZKCoreError, ValueError):
    """A witness that violates a constraint; `index` is the first failing constraint."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class SparseMatrix:
    """One of A, B, C in CSR form: row i is terms row_start[i]:row_start[i+1]."""

    row_start: np.ndarray  # (m + 1,) uint64
    cols: np.ndarray  # (nnz,) uint64 wire indices
    coeffs: np.ndarray  # (nnz, 4) uint64 Montgomery limbs

    def dot(self, witness: FieldArray, threads: int = 0) -> FieldArray:
        """This matrix times the witness vector, one element per constraint."""
        return FieldArray(
            Fr, _c.matvec(self.row_start, self.cols, self.coeffs, witness.mont, threads)
        )


def _csr(rows: Sequence[LinearCombination]) -> SparseMatrix:
    lengths = np.fromiter((len(lc) for lc in rows), dtype=np.uint64, count=len(rows))
    row_start = np.zeros(len(rows) + 1, dtype=np.uint64)
    np.cumsum(lengths, out=row_start[1:])
    nnz = int(row_start[-1])
    cols = np.fromiter((w for lc in rows for w, _ in lc), dtype=np.uint64, count=nnz)
    coeffs = Fr.array([c for lc in rows for _, c in lc]).mont
    return SparseMatrix(row_start, cols, coeffs)


def _rows(matrix: SparseMatrix) -> list[LinearCombination]:
    coeffs = FieldArray(Fr, matrix.coeffs).to_ints()
    terms = list(zip(matrix.cols.tolist(), coeffs, strict=True))
    starts = matrix.row_start.tolist()
    return [tuple(terms[starts[i] : starts[i + 1]]) for i in range(len(starts) - 1)]


class R1CS:
    """A constraint system: counts in circom's layout, constraints, and the wire-to-label map.

    Built from `constraints` (Python tuples, as the DSL makes them) or from `matrices` (CSR
    A, B, C, as the .r1cs reader makes them, without a Python object per term); either view
    is derived from the other on first use and cached, so neither may be mutated afterwards.
    `n_labels` and `wire_to_label` default to one label per wire (wire i -> label i); circom
    files carry more labels than wires when its optimiser removed signals.
    """

    def __init__(
        self,
        n_wires: int,
        n_pub_out: int,
        n_pub_in: int,
        n_prv_in: int,
        constraints: Sequence[Constraint] | None = None,
        n_labels: int = -1,
        wire_to_label: Sequence[int] | None = None,
        *,
        matrices: tuple[SparseMatrix, SparseMatrix, SparseMatrix] | None = None,
    ) -> None:
        if (constraints is None) == (matrices is None):
            raise errors.ArgumentError("an R1CS takes either constraints or matrices")
        self.n_wires = n_wires
        self.n_pub_out = n_pub_out
        self.n_pub_in = n_pub_in
        self.n_prv_in = n_prv_in
        self.n_labels = n_wires if n_labels < 0 else n_labels
        self.wire_to_label = list(range(n_wires)) if not wire_to_label else list(wire_to_label)
        self._constraints = list(constraints) if constraints is not None else None
        self._csr_cache = matrices
        self.validate()

    def __repr__(self) -> str:
        return (
            f"R1CS(n_wires={self.n_wires}, n_pub_out={self.n_pub_out}, "
            f"n_pub_in={self.n_pub_in}, n_prv_in={self.n_prv_in}, "
            f"n_constraints={self.n_constraints})"
        )

    # ---- views and counts ----

    @property
    def constraints(self) -> list[Constraint]:
        """Each constraint as (A, B, C) tuples of (wire, coefficient) pairs."""
        if self._constraints is None:
            a, b, c = self.matrices()
            self._constraints = list(zip(_rows(a), _rows(b), _rows(c), strict=True))
        return self._constraints

    @property
    def n_constraints(self) -> int:
        if self._constraints is not None:
            return len(self._constraints)
        return len(self.matrices()[0].row_start) - 1

    @property
    def n_public(self) -> int:
        """Public signals (outputs then inputs), not counting the constant wire 0."""
        return self.n_pub_out + self.n_pub_in

    def validate(self) -> None:
        """Check counts, wire indices and coefficients; raise ArgumentError/NonCanonicalError."""
        for name in ("n_wires", "n_pub_out", "n_pub_in", "n_prv_in"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 0 <= value < _U32:
                raise errors.ArgumentError(f"{name} must be an int in [0, 2^32), got {value!r}")
        if self.n_wires < 1:
            raise errors.ArgumentError("an R1CS has at least wire 0, the constant 1")
        if 1 + self.n_pub_out + self.n_pub_in + self.n_prv_in > self.n_wires:
            raise errors.ArgumentError(
                f"1 + {self.n_pub_out} outputs + {self.n_pub_in} public + {self.n_prv_in} "
                f"private inputs exceed the {self.n_wires} wires"
            )
        if len(self.wire_to_label) != self.n_wires:
            raise errors.ArgumentError(
                f"wire_to_label has {len(self.wire_to_label)} entries for {self.n_wires} wires"
            )
        if self.n_labels < self.n_wires:
            raise errors.ArgumentError(f"{self.n_labels} labels for {self.n_wires} wires")
        if self.wire_to_label and not (
            min(self.wire_to_label) >= 0 and max(self.wire_to_label) < self.n_labels
        ):
            raise errors.ArgumentError(f"a wire label is outside [0, {self.n_labels})")
        if self._constraints is None:
            self._validate_matrices()
        else:
            self._validate_constraints()
        if self.n_constraints >= _U32:
            raise errors.ArgumentError("too many constraints for the iden3 format")

    def _validate_constraints(self) -> None:
        r = Fr.modulus
        for i, constraint in enumerate(self.constraints):
            if len(constraint) != 3:
                raise errors.ArgumentError(f"constraint {i} is not a triple (A, B, C)")
            for lc in constraint:
                for wire, coeff in lc:
                    if not 0 <= wire < self.n_wires:
                        raise errors.ArgumentError(
                            f"constraint {i} uses wire {wire}, outside [0, {self.n_wires})"
                        )
                    if not 0 <= coeff < r:
                        raise errors.NonCanonicalError(
                            f"constraint {i} has a coefficient that is not canonical (>= r)"
                        )

    def _validate_matrices(self) -> None:
        assert self._csr_cache is not None
        rows = {len(m.row_start) for m in self._csr_cache}
        if len(self._csr_cache) != 3 or len(rows) != 1:
            raise errors.ArgumentError("A, B and C must have the same number of rows")
        for m in self._csr_cache:
            starts = m.row_start
            if starts.dtype != np.uint64 or m.cols.dtype != np.uint64:
                raise errors.ArgumentError("CSR indices must be uint64 arrays")
            if (
                starts[0] != 0
                or int(starts[-1]) != len(m.cols)
                or (np.diff(starts.astype(np.int64)) < 0).any()
            ):
                raise errors.ArgumentError("CSR row starts must rise from 0 to the term count")
            if m.coeffs.shape != (len(m.cols), 4) or m.coeffs.dtype != np.uint64:
                raise errors.ArgumentError("CSR coefficients must be (nnz, 4) uint64 limbs")
            if len(m.cols) and int(m.cols.max()) >= self.n_wires:
                raise errors.ArgumentError(f"a term uses a wire outside [0, {self.n_wires})")

    # ---- equality (ignores which view came first) ----

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, R1CS):
            return NotImplemented
        if (self.n_wires, self.n_pub_out, self.n_pub_in, self.n_prv_in, self.n_labels) != (
            other.n_wires,
            other.n_pub_out,
            other.n_pub_in,
            other.n_prv_in,
            other.n_labels,
        ) or self.wire_to_label != other.wire_to_label:
            return False
        if self._constraints is not None and other._constraints is not None:
            return self._constraints == other._constraints
        return all(
            np.array_equal(x.row_start, y.row_start)
            and np.array_equal(x.cols, y.cols)
            and np.array_equal(x.coeffs, y.coeffs)
            for x, y in zip(self.matrices(), other.matrices(), strict=True)
        )

    __hash__ = None  # type: ignore[assignment]

    # ---- satisfaction ----

    def matrices(self) -> tuple[SparseMatrix, SparseMatrix, SparseMatrix]:
        """A, B, C in CSR form (built once and cached; constraints must not change after)."""
        if self._csr_cache is None:
            rows = self.constraints
            self._csr_cache = (
                _csr([c[0] for c in rows]),
                _csr([c[1] for c in rows]),
                _csr([c[2] for c in rows]),
            )
        return self._csr_cache

    def witness_array(self, witness: Sequence[int] | FieldArray) -> FieldArray:
        """The witness as a FieldArray, after checking its length, canonicity and w[0] == 1."""
        if isinstance(witness, FieldArray):
            if witness.field is not Fr:
                raise errors.ArgumentError("a witness is a vector over Fr")
            array = witness
        else:
            array = Fr.array(witness)  # strict: NonCanonicalError for values >= r
        if len(array) != self.n_wires:
            raise errors.ArgumentError(
                f"witness has {len(array)} values, the R1CS has {self.n_wires} wires"
            )
        if array[0] != 1:
            raise errors.ArgumentError("witness[0] must be 1 (the constant wire)")
        return array

    def evaluate(
        self, witness: Sequence[int] | FieldArray, threads: int = 0
    ) -> tuple[FieldArray, FieldArray, FieldArray]:
        """(A·w, B·w, C·w), one element per constraint."""
        w = self.witness_array(witness)
        a, b, c = self.matrices()
        return a.dot(w, threads), b.dot(w, threads), c.dot(w, threads)

    def first_unsatisfied(
        self, witness: Sequence[int] | FieldArray, threads: int = 0
    ) -> int | None:
        """Index of the first constraint with A·w ∘ B·w != C·w, or None if all hold."""
        a, b, c = self.evaluate(witness, threads)
        first = _c.first_unsatisfied(a.mont, b.mont, c.mont)
        return None if first == self.n_constraints else first

    def unsatisfied(self, witness: Sequence[int] | FieldArray, threads: int = 0) -> list[int]:
        """Indices of every failing constraint (for diagnostics and soundness tests)."""
        a, b, c = self.evaluate(witness, threads)
        bad = ((a * b).mont != c.mont).any(axis=1)
        return [int(i) for i in np.flatnonzero(bad)]

    def is_satisfied(self, witness: Sequence[int] | FieldArray, threads: int = 0) -> bool:
        """True if the witness satisfies every constraint."""
        return self.first_unsatisfied(witness, threads) is None

    def check(self, witness: Sequence[int] | FieldArray, threads: int = 0) -> None:
        """Raise UnsatisfiedConstraintError naming the first failing constraint."""
        first = self.first_unsatisfied(witness, threads)
        if first is not None:
            raise UnsatisfiedConstraintError(
                f"constraint {first} of {self.n_constraints} is not satisfied", first
            )

    def first_unsatisfied_reference(self, witness: Sequence[int]) -> int | None:
        """The slow, obvious twin of first_unsatisfied, on Python ints (for tests)."""
        r = Fr.modulus
        w = list(witness)
        for i, (a, b, c) in enumerate(self.constraints):
            av = sum(k * w[j] for j, k in a) % r
            bv = sum(k * w[j] for j, k in b) % r
            cv = sum(k * w[j] for j, k in c) % r
            if av * bv % r != cv:
                return i
        return None

    def public_signals(self, witness: Sequence[int]) -> list[int]:
        """The public outputs then public inputs (what snarkjs's public.json lists)."""
        return list(witness[1 : 1 + self.n_public])
