"""zkcore.r1cs: validation, and the native satisfaction check against a Python-int oracle."""

from __future__ import annotations

import numpy as np
import pytest

from zkcore import errors
from zkcore._native import r1cs as native
from zkcore.field import FieldArray, Fp, Fr
from zkcore.r1cs import R1CS, SparseMatrix, UnsatisfiedConstraintError

R = Fr.modulus


def random_system(
    rng: np.random.Generator, n_wires: int, m: int, max_terms: int = 4
) -> tuple[R1CS, list[int]]:
    """A random R1CS and a witness satisfying it (C's constant term absorbs a*b - c)."""

    def rint() -> int:
        return int.from_bytes(rng.bytes(32), "little") % R

    witness = [1] + [rint() for _ in range(n_wires - 1)]
    constraints = []
    for _ in range(m):
        lcs = []
        for _ in range(3):
            k = int(rng.integers(0, max_terms + 1))
            wires = rng.choice(n_wires, size=k, replace=False)
            # coefficient 1 takes the native no-multiply path: mix it in with random ones
            lcs.append([(int(w), 1 if rng.random() < 0.4 else rint()) for w in wires])
        a, b, c = ({w: k for w, k in lc} for lc in lcs)
        av = sum(k * witness[w] for w, k in a.items()) % R
        bv = sum(k * witness[w] for w, k in b.items()) % R
        cv = sum(k * witness[w] for w, k in c.items()) % R
        c[0] = (c.get(0, 0) + av * bv - cv) % R
        constraints.append(tuple(tuple(sorted(lc.items())) for lc in (a, b, c)))
    r1cs = R1CS(n_wires=n_wires, n_pub_out=1, n_pub_in=2, n_prv_in=3, constraints=constraints)  # type: ignore[arg-type]
    return r1cs, witness


def test_random_systems_agree_with_the_oracle(rng: np.random.Generator) -> None:
    for n_wires, m in [(7, 1), (10, 50), (64, 300)]:
        r1cs, witness = random_system(rng, n_wires, m)
        assert r1cs.first_unsatisfied_reference(witness) is None
        assert r1cs.first_unsatisfied(witness) is None
        assert r1cs.is_satisfied(witness) and r1cs.unsatisfied(witness) == []
        r1cs.check(witness)
        for _ in range(5):
            bad = list(witness)
            bad[int(rng.integers(1, n_wires))] ^= 1
            expected = r1cs.first_unsatisfied_reference(bad)
            assert r1cs.first_unsatisfied(bad) == expected
            assert r1cs.first_unsatisfied(bad, threads=1) == expected


def test_matvec_matches_python(rng: np.random.Generator) -> None:
    r1cs, witness = random_system(rng, 20, 40)
    a_dot, b_dot, c_dot = r1cs.evaluate(witness)
    for dots, idx in ((a_dot, 0), (b_dot, 1), (c_dot, 2)):
        expect = [sum(k * witness[w] for w, k in con[idx]) % R for con in r1cs.constraints]
        assert dots.to_ints() == expect


def test_check_names_the_first_failing_constraint(rng: np.random.Generator) -> None:
    r1cs, witness = random_system(rng, 10, 30)
    r1cs.constraints[17] = (((1, 1),), ((0, 1),), ((0, (witness[1] + 1) % R),))
    r1cs._csr_cache = None
    with pytest.raises(UnsatisfiedConstraintError, match="constraint 17 of 30") as info:
        r1cs.check(witness)
    assert info.value.index == 17
    assert r1cs.unsatisfied(witness) == [17]


def test_empty_system() -> None:
    r1cs = R1CS(n_wires=1, n_pub_out=0, n_pub_in=0, n_prv_in=0, constraints=[])
    assert r1cs.is_satisfied([1])
    assert r1cs.wire_to_label == [0] and r1cs.n_labels == 1


def test_witness_validation(rng: np.random.Generator) -> None:
    r1cs, witness = random_system(rng, 8, 4)
    with pytest.raises(errors.ArgumentError, match="8 wires"):
        r1cs.is_satisfied(witness[:-1])
    with pytest.raises(errors.ArgumentError, match="constant wire"):
        r1cs.is_satisfied([2, *witness[1:]])
    with pytest.raises(errors.NonCanonicalError):
        r1cs.is_satisfied([1, R, *witness[2:]])
    with pytest.raises(errors.ArgumentError, match="over Fr"):
        r1cs.is_satisfied(FieldArray(Fp, Fr.array(witness).mont))
    assert r1cs.is_satisfied(Fr.array(witness))


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"n_wires": 0}, errors.ArgumentError),
        ({"n_wires": 3}, errors.ArgumentError),  # 1 + 1 + 1 + 1 inputs > 3 wires
        ({"n_pub_in": -1}, errors.ArgumentError),
        ({"constraints": [(((9, 1),), (), ())]}, errors.ArgumentError),
        ({"constraints": [(((1, R),), (), ())]}, errors.NonCanonicalError),
        ({"constraints": [((), ())]}, errors.ArgumentError),
        ({"wire_to_label": [0, 1]}, errors.ArgumentError),
        ({"n_labels": 2}, errors.ArgumentError),
        ({"wire_to_label": [0, 1, 2, 3, 99], "n_labels": 10}, errors.ArgumentError),
    ],
)
def test_validation(kwargs: dict, error: type[Exception]) -> None:
    base = {"n_wires": 5, "n_pub_out": 1, "n_pub_in": 1, "n_prv_in": 1, "constraints": []}
    with pytest.raises(error):
        R1CS(**(base | kwargs))


def test_equality_ignores_the_cache(rng: np.random.Generator) -> None:
    a, witness = random_system(rng, 8, 5)
    b = R1CS(a.n_wires, a.n_pub_out, a.n_pub_in, a.n_prv_in, list(a.constraints))
    a.is_satisfied(witness)
    assert a == b
    b.constraints.pop()
    assert a != b


def test_native_matvec_rejects_bad_shapes() -> None:
    w = Fr.array([1, 2, 3]).mont
    coeffs = Fr.array([1]).mont
    ok_rows = np.array([0, 1], dtype=np.uint64)
    out = native.matvec(ok_rows, np.array([2], dtype=np.uint64), coeffs, w)
    assert Fr.array([3]).mont.tolist() == out.tolist()
    with pytest.raises(errors.ArgumentError):  # wire out of range
        native.matvec(ok_rows, np.array([3], dtype=np.uint64), coeffs, w)
    with pytest.raises(errors.ArgumentError):  # decreasing row starts
        native.matvec(
            np.array([0, 1, 0], dtype=np.uint64), np.array([2], dtype=np.uint64), coeffs, w
        )
    with pytest.raises(errors.ArgumentError):  # row_start[-1] != nnz
        native.matvec(np.array([0, 2], dtype=np.uint64), np.array([2], dtype=np.uint64), coeffs, w)
    with pytest.raises(errors.ArgumentError):
        native.matvec(ok_rows, np.array([2], dtype=np.int64), coeffs, w)


def test_matrices_and_constraints_views_agree(rng: np.random.Generator) -> None:
    r1cs, witness = random_system(rng, 12, 20)
    from_csr = R1CS(
        r1cs.n_wires, r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in, matrices=r1cs.matrices()
    )
    assert from_csr.n_constraints == 20
    assert from_csr.is_satisfied(witness)
    assert from_csr == r1cs and r1cs == from_csr
    assert from_csr.constraints == r1cs.constraints  # the tuple view, derived from CSR
    assert from_csr == r1cs


def test_matrices_are_validated(rng: np.random.Generator) -> None:
    r1cs, _ = random_system(rng, 12, 5)
    a, b, c = r1cs.matrices()
    with pytest.raises(errors.ArgumentError, match="either constraints or matrices"):
        R1CS(12, 1, 2, 3)
    with pytest.raises(errors.ArgumentError, match="either constraints or matrices"):
        R1CS(12, 1, 2, 3, r1cs.constraints, matrices=(a, b, c))
    short = SparseMatrix(
        a.row_start[:-1].copy(),
        a.cols[: int(a.row_start[-2])].copy(),
        a.coeffs[: int(a.row_start[-2])].copy(),
    )
    with pytest.raises(errors.ArgumentError, match="same number of rows"):
        R1CS(12, 1, 2, 3, matrices=(short, b, c))
    with pytest.raises(errors.ArgumentError, match="wire outside"):
        R1CS(5, 1, 2, 1, matrices=(a, b, c))
    bad_start = SparseMatrix(a.row_start + np.uint64(1), a.cols, a.coeffs)
    with pytest.raises(errors.ArgumentError, match="row starts"):
        R1CS(12, 1, 2, 3, matrices=(bad_start, b, c))
