"""merkle_root over a stand-in hash: valid paths, and the forgeries it must reject."""

from __future__ import annotations

import pytest

from circuits.dsl import API, Circuit, CircuitError, Output, Private, Public, UnsatisfiedError
from circuits.gadgets.merkle import compute_root, merkle_root
from tests.circuits.helpers import (
    R,
    assert_rejected_only_by,
    attack,
    stand_in_hash2,
    stand_in_hash2_native,
)
from zkcore import errors

DEPTH = 4


class Membership(Circuit):
    """root is public; leaf, path and direction bits are private."""

    root = Public()
    leaf = Private()
    path = Private(shape="depth")
    bits = Private(shape="depth")

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth

    def define(self, api: API) -> None:
        computed = merkle_root(api, self.leaf, self.path, self.bits, stand_in_hash2)
        api.assert_equal(computed, self.root)


class RootOf(Circuit):
    """The root as an output: lets an attack recompute everything below the attacked wire."""

    leaf = Private()
    path = Private(shape="depth")
    bits = Private(shape="depth")
    root = Output()

    def __init__(self, depth: int = DEPTH) -> None:
        self.depth = depth

    def define(self, api: API) -> None:
        api.set_output(self.root, merkle_root(api, self.leaf, self.path, self.bits, stand_in_hash2))


def build_tree(leaves: list[int]) -> list[list[int]]:
    levels = [leaves]
    while len(levels[-1]) > 1:
        row = levels[-1]
        levels.append([stand_in_hash2_native(row[i], row[i + 1]) for i in range(0, len(row), 2)])
    return levels


LEAVES = [1000 + 17 * i for i in range(2**DEPTH)]
TREE = build_tree(LEAVES)
ROOT = TREE[-1][0]


def proof(index: int) -> dict[str, object]:
    path = [TREE[level][(index >> level) ^ 1] for level in range(DEPTH)]
    bits = [(index >> level) & 1 for level in range(DEPTH)]
    return {"root": ROOT, "leaf": LEAVES[index], "path": path, "bits": bits}


@pytest.fixture(scope="module")
def membership():  # type: ignore[no-untyped-def]
    return Membership().compile()


def test_constraint_count(membership) -> None:  # type: ignore[no-untyped-def]
    # per level: booleanity + swap + the stand-in hash's 3; plus the root equality.
    assert membership.n_constraints == DEPTH * (2 + 3) + 1


@pytest.mark.parametrize("index", [0, 1, 6, 9, 15])
def test_valid_paths(membership, index: int) -> None:  # type: ignore[no-untyped-def]
    inputs = proof(index)
    assert (
        compute_root(
            LEAVES[index],
            inputs["path"],
            inputs["bits"],  # type: ignore[arg-type]
            stand_in_hash2_native,
        )
        == ROOT
    )
    membership.solve(inputs)


def test_bit_zero_means_left_child() -> None:
    compiled = RootOf(depth=1).compile()
    left = compiled.solve({"leaf": 5, "path": [9], "bits": [0]})
    right = compiled.solve({"leaf": 5, "path": [9], "bits": [1]})
    assert left[1] == stand_in_hash2_native(5, 9)
    assert right[1] == stand_in_hash2_native(9, 5)


def test_rejects_a_non_boolean_direction_bit() -> None:
    # bits[1] = 2 mixes node and sibling into a "parent" of the prover's choosing; with the
    # root recomputed downstream, only the booleanity constraint can object.
    compiled = RootOf().compile()
    inputs = proof(6)
    del inputs["root"]
    inputs["bits"] = list(inputs["bits"])  # type: ignore[call-overload]
    inputs["bits"][1] = 2  # type: ignore[index]
    bad = compiled.witness(inputs)  # type: ignore[arg-type]
    assert_rejected_only_by(compiled, bad, "merkle_root")
    with pytest.raises(UnsatisfiedError, match=r"merkle_root at circuits/gadgets/merkle\.py"):
        compiled.solve(inputs)  # type: ignore[arg-type]


@pytest.mark.parametrize("bit", [2, R - 1])
def test_non_boolean_bit_rejected_against_the_public_root(membership, bit: int) -> None:  # type: ignore[no-untyped-def]
    inputs = proof(6)
    inputs["bits"] = [bit, *inputs["bits"][1:]]  # type: ignore[index]
    with pytest.raises(UnsatisfiedError):
        membership.solve(inputs)


def test_rejects_swapped_siblings(membership) -> None:  # type: ignore[no-untyped-def]
    inputs = proof(6)
    path = list(inputs["path"])  # type: ignore[call-overload]
    path[0], path[1] = path[1], path[0]
    inputs["path"] = path
    bad = membership.witness(inputs)
    assert_rejected_only_by(membership, bad, "")  # the root equality
    with pytest.raises(UnsatisfiedError, match="test_merkle.py"):
        membership.solve(inputs)


def test_rejects_a_flipped_direction(membership) -> None:  # type: ignore[no-untyped-def]
    inputs = proof(6)
    inputs["bits"] = [1 - b if i == 2 else b for i, b in enumerate(inputs["bits"])]  # type: ignore[attr-defined]
    with pytest.raises(UnsatisfiedError):
        membership.solve(inputs)


def test_rejects_a_path_for_another_leaf(membership) -> None:  # type: ignore[no-untyped-def]
    inputs = proof(5)
    inputs["leaf"] = LEAVES[3]
    with pytest.raises(UnsatisfiedError):
        membership.solve(inputs)
    # and the right path of leaf 3 with leaf 5's bits fails too
    inputs = proof(3)
    inputs["bits"] = proof(5)["bits"]
    with pytest.raises(UnsatisfiedError):
        membership.solve(inputs)


def test_rejects_a_forged_swap_wire(membership) -> None:  # type: ignore[no-untyped-def]
    # Override the first level's swap product (bit * (sibling - node)) so the prover picks the
    # parent's operands: the swap constraint rejects it.
    inputs = proof(6)
    first_internal = 1 + membership.r1cs.n_pub_in + membership.r1cs.n_prv_in
    honest = membership.witness(inputs)
    bad = attack(membership, inputs, {first_internal: (honest[first_internal] + 1)})
    scopes = [membership.origins[i].scope for i in membership.r1cs.unsatisfied(bad)]
    assert scopes[0] == "Membership/merkle_root"


def test_shape_mismatch() -> None:
    api = API()
    with pytest.raises(CircuitError):
        merkle_root(api, api.constant(1), [api.constant(2)], [], stand_in_hash2)
    with pytest.raises(errors.ArgumentError):
        compute_root(1, [2], [2], stand_in_hash2_native)
