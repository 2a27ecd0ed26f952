"""pytest-benchmark: the R1CS satisfaction check and the DSL's witness solver.

python3 -m pytest benchmarks/test_bench_r1cs.py --benchmark-only
"""

from __future__ import annotations

import pytest

from circuits.dsl import API, LC, Circuit, Output, Private, Public, gadget
from circuits.gadgets.comparators import less_eq_than_checked
from circuits.gadgets.merkle import merkle_root
from zkcore.bench.r1cs import random_satisfied
from zkcore.field import Fr

T, ROUNDS, FULL = 3, 65, 8


@gadget
def poseidon_shaped(api: API, left: LC, right: LC) -> LC:
    """NOT Poseidon: its shape (t = 3, 8 full + 57 partial x^5 rounds, dense mix) with
    made-up constants, to time the solver on the work the ticketing circuit will do."""
    state = [api.constant(0), left, right]
    for r in range(ROUNDS):
        state = [s + (r * T + i + 1) for i, s in enumerate(state)]
        full = r < FULL // 2 or r >= ROUNDS - FULL // 2
        state = [s**5 for s in state] if full else [state[0] ** 5, *state[1:]]
        state = [api.sum(s * (i + j + 2) for j, s in enumerate(state)) for i in range(T)]
    return state[0]


class MembershipWindow(Circuit):
    """Merkle membership (root as an output, so any path solves) and a 64-bit time window."""

    root = Output()
    now = Public()
    leaf = Private()
    not_before = Private()
    not_after = Private()
    path = Private(shape="depth")
    bits = Private(shape="depth")

    def __init__(self, depth: int = 20) -> None:
        self.depth = depth

    def define(self, api: API) -> None:
        root = merkle_root(api, self.leaf, self.path, self.bits, poseidon_shaped)
        api.set_output(self.root, root)
        api.assert_equal(less_eq_than_checked(api, self.not_before, self.now, 64), 1)
        api.assert_equal(less_eq_than_checked(api, self.now, self.not_after, 64), 1)


@pytest.mark.parametrize("log_m", [12, 16])
def test_r1cs_check(benchmark, log_m: int) -> None:  # type: ignore[no-untyped-def]
    r1cs, witness = random_satisfied(1 << log_m, 1 << log_m, 3)
    array = Fr.array(witness)
    r1cs.matrices()
    assert benchmark(r1cs.first_unsatisfied, array) is None


def test_solve_membership_window_depth20(benchmark) -> None:  # type: ignore[no-untyped-def]
    compiled = MembershipWindow().compile()
    inputs = {
        "now": 10,
        "leaf": 5,
        "not_before": 1,
        "not_after": 20,
        "path": list(range(20)),
        "bits": [0, 1] * 10,
    }
    witness = benchmark(compiled.solve, inputs)  # witness + the full constraint check
    assert len(witness) == compiled.r1cs.n_wires
