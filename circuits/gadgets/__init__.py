"""Gadgets: reusable constraint builders, one family per module, circomlib's semantics.

Each gadget is a function `name(api, ...)` that returns LCs. Names in error messages come from
the `@gadget` decorator. Module map: `bits` (num2bits, bits2num, range_check, fits_in_bits),
`comparators` (is_zero, is_equal, less_than, ...), `mux` (mux1, multiplexer), `merkle`
(merkle_root over any 2-to-1 hash gadget), `poseidon` (circomlib's Poseidon, hash2 for Merkle
trees).
"""

from circuits.gadgets.bits import bits2num, fits_in_bits, num2bits, range_check
from circuits.gadgets.comparators import (
    greater_eq_than,
    greater_eq_than_checked,
    greater_than,
    greater_than_checked,
    is_equal,
    is_zero,
    less_eq_than,
    less_eq_than_checked,
    less_than,
    less_than_checked,
)
from circuits.gadgets.merkle import Hash2, compute_root, merkle_root
from circuits.gadgets.mux import multiplexer, mux1
from circuits.gadgets.poseidon import constraint_count as poseidon_constraint_count
from circuits.gadgets.poseidon import hash2, poseidon

__all__ = [
    "Hash2",
    "bits2num",
    "compute_root",
    "greater_eq_than",
    "greater_eq_than_checked",
    "greater_than",
    "greater_than_checked",
    "hash2",
    "is_equal",
    "is_zero",
    "less_eq_than",
    "less_eq_than_checked",
    "less_than",
    "less_than_checked",
    "merkle_root",
    "multiplexer",
    "mux1",
    "num2bits",
    "poseidon",
    "poseidon_constraint_count",
    "fits_in_bits",
    "range_check",
]
