"""Poseidon: circomlibjs (the real npm package) is the oracle for the native and Python paths."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.node_tools import NODE_MODULES, require_node, run_node_script, run_tool
from zkcore import errors
from zkcore import poseidon_constants as constants
from zkcore import poseidon_constants_gen as gen
from zkcore._native import poseidon as native
from zkcore.field import FieldArray, Fp, Fr
from zkcore.poseidon import (
    MAX_ARITY,
    _native_params,
    _poseidon_optimised,
    poseidon,
    poseidon_many,
    poseidon_reference,
)

R = Fr.modulus
ARITIES = range(1, MAX_ARITY + 1)

# circomlibjs computes every hash of the batch in one node process.
CIRCOMLIBJS_POSEIDON = """
const { buildPoseidon, buildPoseidonReference } = require('circomlibjs');
(async () => {
  const wasm = await buildPoseidon();
  const ref = await buildPoseidonReference();
  const out = INPUT.map((row) => [
    wasm.F.toString(wasm(row.map(BigInt))),
    ref.F.toString(ref(row.map(BigInt))),
  ]);
  console.log(JSON.stringify(out));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
"""


def _cases(arity: int, rng: random.Random) -> list[list[int]]:
    """Edge rows (0, 1, r-1, all equal, mixed) and random rows for one arity."""
    same = rng.randrange(R)
    rows = [
        [0] * arity,
        [1] * arity,
        [R - 1] * arity,
        [same] * arity,
        [(0, 1, R - 1)[i % 3] for i in range(arity)],
    ]
    rows += [[rng.randrange(R) for _ in range(arity)] for _ in range(3)]
    return rows


@pytest.fixture(scope="module")
def circomlibjs_hashes() -> dict[tuple[int, ...], tuple[int, int]]:
    """{inputs: (circomlibjs poseidon, circomlibjs poseidon reference)} for every arity."""
    rng = random.Random(20261124)
    rows = [row for arity in ARITIES for row in _cases(arity, rng)]
    out: list[Any] = run_node_script(CIRCOMLIBJS_POSEIDON, [[str(v) for v in r] for r in rows])
    return {tuple(row): (int(a), int(b)) for row, (a, b) in zip(rows, out, strict=True)}


def _rows_of(hashes: dict[tuple[int, ...], tuple[int, int]], arity: int) -> list[tuple[int, ...]]:
    return [row for row in hashes if len(row) == arity]


# ---------------------------------------------------------------- constants


def test_constants_equal_circomlibjs() -> None:
    require_node()
    path = NODE_MODULES / "circomlibjs" / "src" / "poseidon_constants.json"
    theirs = json.loads(path.read_text())
    for t in range(2, 2 + MAX_ARITY):
        assert [int(x, 16) for x in theirs["C"][t - 2]] == list(constants.ROUND_CONSTANTS[t])
        assert [[int(x, 16) for x in row] for row in theirs["M"][t - 2]] == [
            list(row) for row in constants.MDS[t]
        ]


@pytest.mark.parametrize("t", [2, 3])
def test_constants_regenerate(t: int) -> None:
    round_constants, mds, rejected = gen.generate(t)
    assert round_constants == list(constants.ROUND_CONSTANTS[t])
    assert mds == [list(row) for row in constants.MDS[t]]
    assert rejected == 0


def test_grain_changes_with_parameters() -> None:
    """The LFSR seed encodes every parameter: a different R_P gives other constants."""
    a = gen.GrainLFSR(1, 0, 254, 3, 8, 57).number(254)
    b = gen.GrainLFSR(1, 0, 254, 3, 8, 56).number(254)
    assert a != b


def test_mds_checks_reject_a_weak_matrix() -> None:
    """The reference's checks pass circomlib's matrix and fail one with an invariant subspace."""
    assert gen.algorithm_1(gen.identity(3)) is False
    assert gen.algorithm_2(gen.identity(3)) is False
    good = [list(row) for row in constants.MDS[3]]
    assert gen.algorithm_1(good) and gen.algorithm_2(good) and gen.algorithm_3(good)


# ---------------------------------------------------------------- against circomlibjs


def test_known_vectors() -> None:
    """circomlib's own test vectors (circomlibjs test/poseidon.js)."""
    assert poseidon([1, 2]) == (
        7853200120776062878684798364095072458815029376092732009249414926327459813530
    )
    assert poseidon([1]) == (
        18586133768512220936620570745912940619677854269274689475585506675881198879027
    )


@pytest.mark.parametrize("arity", ARITIES)
def test_native_equals_circomlibjs(arity: int, circomlibjs_hashes: dict) -> None:
    for row in _rows_of(circomlibjs_hashes, arity):
        wasm, ref = circomlibjs_hashes[row]
        assert wasm == ref
        assert poseidon(list(row)) == wasm, row


@pytest.mark.parametrize("arity", ARITIES)
def test_reference_equals_circomlibjs(arity: int, circomlibjs_hashes: dict) -> None:
    rows = _rows_of(circomlibjs_hashes, arity)
    for row in rows[:4]:  # the slow twin on the edge rows and one more
        assert poseidon_reference(list(row)) == circomlibjs_hashes[row][0], row
    assert _poseidon_optimised(list(rows[-1])) == circomlibjs_hashes[rows[-1]][0]


@pytest.mark.parametrize("arity", ARITIES)
def test_many_equals_circomlibjs(arity: int, circomlibjs_hashes: dict) -> None:
    rows = _rows_of(circomlibjs_hashes, arity)
    got = poseidon_many([list(r) for r in rows]).to_ints()
    assert got == [circomlibjs_hashes[r][0] for r in rows]


# ---------------------------------------------------------------- vector form


@pytest.mark.parametrize("n", [1, 2, 3, 301])
def test_many_equals_scalar(n: int, rng: np.random.Generator) -> None:
    """Row lists and FieldArray columns, one thread and all, odd n (the interleaving's tail)."""
    left, right = Fr.random(n, rng), Fr.random(n, rng)
    expected = [poseidon([a, b]) for a, b in zip(left.to_ints(), right.to_ints(), strict=True)]
    by_columns = poseidon_many([left, right], threads=1)
    assert by_columns.to_ints() == expected
    assert poseidon_many([left, right], threads=0).to_ints() == expected
    rows = list(zip(left.to_ints(), right.to_ints(), strict=True))
    assert poseidon_many(rows).to_ints() == expected
    assert poseidon_many(np.array(rows, dtype=object)).to_ints() == expected


def test_many_arity_16_columns(rng: np.random.Generator) -> None:
    columns = [Fr.random(70, rng) for _ in range(16)]
    rows = list(zip(*[c.to_ints() for c in columns], strict=True))
    assert poseidon_many(columns).to_ints() == [poseidon(list(r)) for r in rows]


def test_numpy_inputs() -> None:
    expected = poseidon([1, 2])
    assert poseidon([np.int64(1), np.uint64(2)]) == expected
    assert poseidon(np.array([1, 2])) == expected
    assert poseidon_many(np.array([[1, 2]], dtype=np.int64)).to_ints() == [expected]
    with pytest.raises(errors.ArgumentError):
        poseidon([np.bool_(True), 2])


def test_many_empty() -> None:
    assert len(poseidon_many([])) == 0
    assert len(poseidon_many([Fr.zeros(0), Fr.zeros(0)])) == 0


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, R - 1), min_size=1, max_size=5))
def test_native_equals_reference_property(values: list[int]) -> None:
    assert poseidon(values) == poseidon_reference(values)


# ---------------------------------------------------------------- invalid input must fail


BAD_VALUES = [R, R + 5, 2**256 - 1, -1]


@pytest.mark.parametrize("bad", BAD_VALUES)
@pytest.mark.parametrize("fn", [poseidon, poseidon_reference])
def test_scalar_rejects_noncanonical(fn: Any, bad: int) -> None:
    with pytest.raises(errors.NonCanonicalError):
        fn([1, bad])


@pytest.mark.parametrize("bad", BAD_VALUES + [2**300])
def test_many_rejects_noncanonical(bad: int) -> None:
    with pytest.raises(errors.NonCanonicalError):
        poseidon_many([[1, 2], [3, bad]])


@pytest.mark.parametrize("arity", [0, MAX_ARITY + 1, 20])
@pytest.mark.parametrize("fn", [poseidon, poseidon_reference])
def test_scalar_rejects_wrong_arity(fn: Any, arity: int) -> None:
    with pytest.raises(errors.ArgumentError):
        fn([1] * arity)


@pytest.mark.parametrize("arity", [MAX_ARITY + 1, 20])
def test_many_rejects_wrong_arity(arity: int) -> None:
    with pytest.raises(errors.ArgumentError):
        poseidon_many([[1] * arity] * 3)
    with pytest.raises(errors.ArgumentError):
        poseidon_many([Fr.ones(3)] * arity)


@pytest.mark.parametrize("bad", [1.5, "1", True, None])
def test_rejects_non_ints(bad: Any) -> None:
    with pytest.raises(errors.ArgumentError):
        poseidon([1, bad])
    with pytest.raises(errors.ArgumentError):
        poseidon_many([[1, 2], [3, bad]])


def test_rejects_bad_shapes() -> None:
    with pytest.raises(errors.ArgumentError):
        poseidon("12")  # type: ignore[arg-type]
    with pytest.raises(errors.ArgumentError):
        poseidon_many([[1, 2], [3]])  # ragged
    with pytest.raises(errors.ArgumentError):
        poseidon_many([1, 2, 3])  # one dimension
    with pytest.raises(errors.ArgumentError):
        poseidon_many([Fr.ones(3), Fr.ones(4)])  # columns of unequal length
    with pytest.raises(errors.ArgumentError):
        poseidon_many([Fp.ones(3), Fp.ones(3)])  # wrong field
    with pytest.raises(errors.ArgumentError):
        poseidon_many(Fr.ones(3))  # a bare FieldArray is ambiguous


def test_c_layer_rejects_bad_limbs_and_params() -> None:
    params = _native_params(3)
    rows = np.zeros((2, 2, 4), dtype=np.uint64)
    rows[1, 0] = Fr.array([0]).mont[0]
    rows[1, 1, :] = np.iinfo(np.uint64).max  # not a reduced Montgomery element
    with pytest.raises(errors.NonCanonicalError):
        native.many(params, rows)
    with pytest.raises(errors.ArgumentError):
        native.many(params, np.zeros((2, 3, 4), dtype=np.uint64))  # arity 3 for width 3
    with pytest.raises(errors.ArgumentError):
        native.load_params(3, 8, 57, params.limbs[:-4].reshape(-1, 4), params.limbs52[:-5])
    with pytest.raises(errors.ArgumentError):
        native.load_params(3, 8, 57, params.limbs.reshape(-1, 4), params.limbs52[:-5])
    with pytest.raises(errors.ArgumentError):
        native.hash_bytes(params, b"\x00" * 33)
    with pytest.raises(errors.NonCanonicalError):
        native.hash_bytes(params, b"\xff" * 64)


# ---------------------------------------------------------------- circomlib's constraint counts

CONSTRAINTS_JSON = Path(__file__).parent / "data" / "circomlib_poseidon_constraints.json"


def test_recorded_constraint_counts_follow_the_round_structure() -> None:
    """3 constraints per S-box (x^2, x^4, x^5): R_F * t + R_P S-boxes; --O2 folds the first
    round's S-box on the constant capacity element (3 fewer)."""
    counts = json.loads(CONSTRAINTS_JSON.read_text())["arities"]
    for arity in ARITIES:
        t = arity + 1
        sboxes = constants.FULL_ROUNDS * t + constants.PARTIAL_ROUNDS[t - 2]
        assert counts[str(arity)]["O1"]["non_linear"] == 3 * sboxes
        assert counts[str(arity)]["O2"]["constraints"] == 3 * sboxes - 3


def test_recorded_constraint_count_matches_circom2(tmp_path: Path) -> None:
    """Recompile Poseidon(2) with circom2 --O2 and compare with the recorded count."""
    main = tmp_path / "main.circom"
    main.write_text(
        'pragma circom 2.0.0;\ninclude "circomlib/circuits/poseidon.circom";\n'
        "component main = Poseidon(2);\n"
    )
    proc = run_tool(
        "circom2", str(main), "--r1cs", "--O2", "-l", str(NODE_MODULES), "-o", str(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    recorded = json.loads(CONSTRAINTS_JSON.read_text())["arities"]["2"]["O2"]
    assert f"non-linear constraints: {recorded['non_linear']}" in proc.stdout


@pytest.mark.parametrize("arity", ARITIES)
def test_simd_path_equals_portable_path(arity: int, rng: np.random.Generator) -> None:
    """The AVX-512 IFMA path (8 rows at a time, where the CPU has it) against portable C, on
    random rows, rows of r - 1 (the lazy reduction's worst case) and a tail of n % 8 rows."""
    params = _native_params(arity + 1)
    rows = np.stack([Fr.random(19, rng).mont for _ in range(arity)], axis=1)
    rows[:8] = Fr.array([R - 1]).mont[0]
    fast = native.many(params, rows, threads=1, simd=True)
    portable = native.many(params, rows, threads=1, simd=False)
    assert np.array_equal(fast, portable)
    first = [R - 1] * arity
    assert FieldArray(Fr, fast[:1]).to_ints() == [poseidon_reference(first)]
