"""The Poseidon gadget: circomlib's hash and constraint count, and the forgeries it rejects."""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path
from typing import cast

import pytest

from circuits.dsl import API, Circuit, CircuitError, CompiledCircuit, Output, Private, Public
from circuits.gadgets import hash2, poseidon, poseidon_constraint_count
from tests.circuits.helpers import R, assert_rejected_only_by, attack
from tests.node_tools import require_node, run_node_script
from zkcore.poseidon import MAX_ARITY, PARTIAL_ROUNDS
from zkcore.poseidon import poseidon as native_poseidon

ARITIES = range(1, MAX_ARITY + 1)
COUNTS = json.loads(
    (
        Path(__file__).resolve().parents[2] / "zkcore/data/circomlib_poseidon_constraints.json"
    ).read_text()
)["arities"]


class HashOf(Circuit):
    """out = Poseidon(x[0..n-1]), x private."""

    x = Private(shape="n")
    out = Output()

    def __init__(self, n: int) -> None:
        self.n = n

    def define(self, api: API) -> None:
        api.set_output(self.out, poseidon(api, self.x))


class Preimage(Circuit):
    """Public digest, private preimage: the shape the ticketing circuit uses."""

    digest = Public()
    x = Private(shape="n")

    def __init__(self, n: int) -> None:
        self.n = n

    def define(self, api: API) -> None:
        api.assert_equal(poseidon(api, self.x), self.digest)


@cache
def hash_of(n: int) -> CompiledCircuit:
    return HashOf(n).compile()


@cache
def preimage(n: int) -> CompiledCircuit:
    return Preimage(n).compile()


def edge_rows(arity: int, rng: random.Random) -> list[list[int]]:
    rows = [[0] * arity, [1] * arity, [R - 1] * arity, [(0, 1, R - 1)[i % 3] for i in range(arity)]]
    return rows + [[rng.randrange(R) for _ in range(arity)] for _ in range(2)]


def sbox_wires(compiled: CompiledCircuit) -> list[int]:
    """Every wire the poseidon gadget made: x^2 and x^4 of each S-box, and x^5 or, in the
    partial rounds, the next S-box's input (whichever the S-box's last constraint pins)."""
    r1cs = compiled.r1cs
    first_internal = 1 + r1cs.n_pub_out + r1cs.n_pub_in + r1cs.n_prv_in
    return list(range(first_internal, r1cs.n_wires))


# ---------------------------------------------------------------- values


def test_known_vectors() -> None:
    """circomlib's own test vectors (circomlibjs test/poseidon.js), through the gadget."""
    assert hash_of(2).solve({"x": [1, 2]})[1] == (
        7853200120776062878684798364095072458815029376092732009249414926327459813530
    )
    assert hash_of(1).solve({"x": [1]})[1] == (
        18586133768512220936620570745912940619677854269274689475585506675881198879027
    )


@pytest.mark.parametrize("arity", ARITIES)
def test_equals_native_poseidon(arity: int) -> None:
    """Every arity, edge values 0, 1, r-1 and random rows: the gadget's output wire equals
    zkcore.poseidon (which tests/zkcore/test_poseidon.py checks against circomlibjs)."""
    rng = random.Random(arity)
    compiled = hash_of(arity)
    for row in edge_rows(arity, rng):
        witness = compiled.solve({"x": row})
        assert witness[1] == native_poseidon(row), row


def test_equals_circomlibjs_directly() -> None:
    """A few rows straight against circomlibjs (the npm package), not via the native hash."""
    require_node()  # skips locally, fails in CI, without the npm peers
    rng = random.Random(7)
    rows = [[rng.randrange(R) for _ in range(a)] for a in (1, 2, 3, 6, 16)] + [[R - 1, 0]]
    script = """
const { buildPoseidon } = require('circomlibjs');
(async () => {
  const p = await buildPoseidon();
  console.log(JSON.stringify(INPUT.map((row) => p.F.toString(p(row.map(BigInt))))));
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
"""
    expected = run_node_script(script, [[str(v) for v in row] for row in rows])
    for row, want in zip(rows, expected, strict=True):
        assert hash_of(len(row)).solve({"x": row})[1] == int(want)


def test_constant_inputs_fold() -> None:
    """Poseidon of constants is a constant: no constraint, the native value."""

    class Constant(Circuit):
        out = Output()

        def define(self, api: API) -> None:
            api.set_output(self.out, hash2(api, 1, 2))

    compiled = Constant().compile()
    assert compiled.n_constraints == 1  # the output equality only
    assert compiled.solve({})[1] == native_poseidon([1, 2])


# ---------------------------------------------------------------- constraint counts


@pytest.mark.parametrize("arity", ARITIES)
def test_constraint_count_equals_circomlib_o2(arity: int) -> None:
    """circom2 --O2 of circomlib's Poseidon(arity) (recorded in the JSON with its command):
    3 per S-box, 8t full + R_P partial S-boxes, minus the first S-box on the constant 0."""
    t = arity + 1
    ours = preimage(arity).n_constraints - 1  # minus the digest equality
    assert ours == COUNTS[str(arity)]["O2"]["constraints"]
    assert ours == poseidon_constraint_count(arity) == 3 * (8 * t + PARTIAL_ROUNDS[t - 2]) - 3
    # never worse than circomlib's non-linear count under --O1
    assert ours <= COUNTS[str(arity)]["O1"]["non_linear"]


def test_hash2_is_poseidon_of_two() -> None:
    class Pair(Circuit):
        a = Private()
        b = Private()
        out = Output()

        def define(self, api: API) -> None:
            api.set_output(self.out, hash2(api, self.a, self.b))

    compiled = Pair().compile()
    assert compiled.n_constraints == 240 + 1
    assert compiled.solve({"a": 5, "b": 9})[1] == native_poseidon([5, 9])


def test_bad_arity_is_a_circuit_error() -> None:
    class Bad(Circuit):
        x = Private(shape=MAX_ARITY + 1)

        def __init__(self, take: int) -> None:
            self.take = take

        def define(self, api: API) -> None:
            poseidon(api, self.x[: self.take])

    for take in (0, MAX_ARITY + 1):
        with pytest.raises(CircuitError):
            Bad(take).compile()
    with pytest.raises(CircuitError):
        poseidon(API(), 5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- soundness


@pytest.mark.parametrize("arity", [1, 2])
def test_every_sbox_constraint_catches_its_forged_wire(arity: int) -> None:
    """Each wire of the gadget forged (value + 1, everything downstream recomputed): exactly
    one constraint (the one that pins it) fails, for every one of the 3 * (8t + R_P) - 3."""
    compiled = hash_of(arity)
    inputs = {"x": list(range(3, 3 + arity))}
    honest = compiled.solve(inputs)
    wires = sbox_wires(compiled)
    assert len(wires) == poseidon_constraint_count(arity)
    pinned = set()
    for wire in wires:
        forged = attack(compiled, inputs, {wire: honest[wire] + 1})
        assert forged[1] != honest[1]  # the forgery does change the hash
        assert_rejected_only_by(compiled, forged, "/poseidon")
        pinned.add(compiled.r1cs.first_unsatisfied(forged))
    assert len(pinned) == len(wires)  # each wire is pinned by its own constraint


@pytest.mark.parametrize("arity", [3, 6, 16])
def test_sampled_sbox_constraints_catch_forged_wires(arity: int) -> None:
    """Wider arities: the first, a partial-round and the last S-box wires, forged."""
    compiled = hash_of(arity)
    inputs = {"x": [R - 1 - i for i in range(arity)]}
    honest = compiled.solve(inputs)
    wires = sbox_wires(compiled)
    for wire in (wires[0], wires[len(wires) // 2], wires[-1]):
        forged = attack(compiled, inputs, {wire: (honest[wire] + 12345) % R})
        assert_rejected_only_by(compiled, forged, "/poseidon")


def test_wrong_digest_is_rejected() -> None:
    compiled = preimage(2)
    h = native_poseidon([1, 2])
    compiled.solve({"digest": h, "x": [1, 2]})
    for wrong in (h + 1, 0, R - 1):
        forged = compiled.witness({"digest": wrong % R, "x": [1, 2]})
        assert not compiled.r1cs.is_satisfied(forged)
        assert_rejected_only_by(compiled, forged, "Preimage")
    # and another preimage for the same digest fails too
    forged = compiled.witness({"digest": h, "x": [2, 1]})
    assert not compiled.r1cs.is_satisfied(forged)


def test_forged_output_wire_is_rejected() -> None:
    compiled = hash_of(2)
    inputs = {"x": [1, 2]}
    honest = compiled.solve(inputs)
    forged = attack(
        compiled, inputs, {compiled.wire(cast(HashOf, compiled.instance).out): honest[1] + 1}
    )
    assert_rejected_only_by(compiled, forged, "HashOf")
