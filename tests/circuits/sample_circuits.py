"""Small circuits the DSL and CLI tests compile (importable as `tests.circuits.sample_circuits`)."""

from __future__ import annotations

from circuits.dsl import API, Circuit, Output, Private, Public
from circuits.gadgets.comparators import less_eq_than_checked
from circuits.gadgets.merkle import merkle_root
from tests.circuits.helpers import stand_in_hash2


class Window(Circuit):
    """Proves not_before <= now <= not_after for a private window (n-bit range-checked)."""

    now = Public()
    not_before = Private()
    not_after = Private()

    def __init__(self, bits: int = 64) -> None:
        self.bits = bits

    def define(self, api: API) -> None:
        api.assert_equal(less_eq_than_checked(api, self.not_before, self.now, self.bits), 1)
        api.assert_equal(less_eq_than_checked(api, self.now, self.not_after, self.bits), 1)


class Member(Circuit):
    """Merkle membership over the test-only stand-in hash, root public, with an output."""

    root = Public()
    leaf = Private()
    path = Private(shape="depth")
    bits = Private(shape="depth")
    leaf_squared = Output()

    def __init__(self, depth: int = 3) -> None:
        self.depth = depth

    def define(self, api: API) -> None:
        api.assert_equal(
            merkle_root(api, self.leaf, self.path, self.bits, stand_in_hash2), self.root
        )
        api.set_output(self.leaf_squared, self.leaf * self.leaf)
