"""Shared tools of the circuit tests: a stand-in hash gadget and soundness assertions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from circuits.dsl import API, LC, CompiledCircuit, gadget
from zkcore.field import Fr

R = Fr.modulus


@gadget
def stand_in_hash2(api: API, a: LC, b: LC) -> LC:
    """TEST-ONLY 2-to-1 "hash" h(a, b) = (a + 3b + 7)^5: 3 real constraints, no security."""
    return (api.lc(a) + api.lc(b) * 3 + 7) ** 5


def stand_in_hash2_native(a: int, b: int) -> int:
    """stand_in_hash2 on ints."""
    return pow((a + 3 * b + 7) % R, 5, R)


def failing_scopes(compiled: CompiledCircuit, witness: Sequence[int]) -> list[str]:
    """The gadget scope of every constraint the witness violates."""
    return [compiled.origins[i].scope for i in compiled.r1cs.unsatisfied(witness)]


def assert_rejected_only_by(
    compiled: CompiledCircuit, witness: Sequence[int], scope_suffix: str, count: int = 1
) -> None:
    """The R1CS rejects the witness, and exactly `count` constraints, all in that scope, fail."""
    assert compiled.r1cs.first_unsatisfied(witness) is not None
    assert compiled.r1cs.first_unsatisfied_reference(witness) is not None
    scopes = failing_scopes(compiled, witness)
    assert len(scopes) == count, scopes
    assert all(s.endswith(scope_suffix) for s in scopes), scopes


def attack(
    compiled: CompiledCircuit, inputs: Mapping[str, object], overrides: Mapping[object, int]
) -> list[int]:
    """A malicious witness: the honest one with some hint wires overridden and every later
    wire recomputed from them (so only the constraints on the overridden wires can object)."""
    return compiled.witness(inputs, overrides)  # type: ignore[arg-type]
