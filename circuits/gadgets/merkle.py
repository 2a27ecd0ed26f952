"""Merkle membership over any 2-to-1 hash gadget (like gnark's std/accumulator/merkle).

Conventions, precisely:
  * path[i] is the sibling at level i, level 0 being the leaf's level, so path[depth - 1] is a
    child of the root.
  * bits[i] == 0: the current node at level i is the LEFT child, parent = hash2(node, path[i]);
    bits[i] == 1: it is the RIGHT child, parent = hash2(path[i], node).
  * Hence the leaf's index in the tree is sum(bits[i] * 2^i) (bit 0, least significant, is
    the leaf's level).
Every direction bit is constrained boolean here: a bit of 2 would otherwise let a prover mix
node and sibling into a "parent" of its choosing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from circuits.dsl import API, LC, CircuitError, Value, gadget
from zkcore import errors


class Hash2(Protocol):
    """A 2-to-1 hash gadget: hash2(api, left, right) -> LC (e.g. Poseidon with 2 inputs)."""

    def __call__(self, api: API, left: LC, right: LC, /) -> LC: ...


@gadget
def merkle_root(
    api: API, leaf: Value, path: Sequence[Value], bits: Sequence[Value], hash2: Hash2
) -> LC:
    """The root reached from `leaf` along `path` turned by `bits` (see the module docstring).

    Per level: 1 booleanity constraint, 1 for the swap, plus the hash gadget's constraints.
    The caller asserts the result equal to the public root.
    """
    if len(path) != len(bits):
        raise CircuitError(f"merkle_root: {len(path)} siblings but {len(bits)} direction bits")
    node = api.lc(leaf)
    for sibling, bit in zip(path, bits, strict=True):
        sibling, bit = api.lc(sibling), api.lc(bit)
        api.assert_bool(bit)
        # swap = bit * (sibling - node): 0 keeps (node, sibling), 1 swaps them, in 1 constraint.
        swap = bit * (sibling - node)
        node = hash2(api, node + swap, sibling - swap)
    return node


def compute_root(
    leaf: int, path: Sequence[int], bits: Sequence[int], hash2: Callable[[int, int], int]
) -> int:
    """The same root computed natively on ints with a native 2-to-1 hash (for witnesses)."""
    if len(path) != len(bits):
        raise errors.ArgumentError(f"{len(path)} siblings but {len(bits)} direction bits")
    node = leaf
    for sibling, bit in zip(path, bits, strict=True):
        if bit not in (0, 1):
            raise errors.ArgumentError(f"direction bits are 0 or 1, got {bit}")
        node = hash2(node, sibling) if bit == 0 else hash2(sibling, node)
    return node
