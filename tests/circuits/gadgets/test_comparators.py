"""is_zero, is_equal and the ordering comparators: values, counts, boundaries and attacks."""

from __future__ import annotations

import operator
from collections.abc import Callable

import pytest

from circuits.dsl import API, LC, Circuit, CircuitError, Output, Public, UnsatisfiedError
from circuits.gadgets import comparators as cmp
from tests.circuits.helpers import R, assert_rejected_only_by, attack

Gadget = Callable[..., LC]


class Compare(Circuit):
    """out = gadget(a, b, n), a and b public."""

    a = Public()
    b = Public()
    out = Output()

    def __init__(self, gadget: Gadget, n: int) -> None:
        self.gadget = gadget
        self.n = n

    def define(self, api: API) -> None:
        api.set_output(self.out, self.gadget(api, self.a, self.b, self.n))


class Zero(Circuit):
    x = Public()
    out = Output()

    def define(self, api: API) -> None:
        api.set_output(self.out, cmp.is_zero(api, self.x))


class Equal(Circuit):
    a = Public()
    b = Public()
    out = Output()

    def define(self, api: API) -> None:
        api.set_output(self.out, cmp.is_equal(api, self.a, self.b))


def output(compiled, witness) -> int:  # type: ignore[no-untyped-def]
    return witness[1]  # wire 1 is the (only) output


ORDERINGS: list[tuple[Gadget, Gadget, Callable[[int, int], bool]]] = [
    (cmp.less_than, cmp.less_than_checked, operator.lt),
    (cmp.less_eq_than, cmp.less_eq_than_checked, operator.le),
    (cmp.greater_than, cmp.greater_than_checked, operator.gt),
    (cmp.greater_eq_than, cmp.greater_eq_than_checked, operator.ge),
]


# ---- is_zero / is_equal


def test_is_zero_and_is_equal_counts_as_circomlib() -> None:
    assert Zero().compile().n_constraints - 1 == 2  # minus the output's equality
    assert Equal().compile().n_constraints - 1 == 2


@pytest.mark.parametrize("x", [0, 1, 2, R - 1, 12345678901234567890])
def test_is_zero_values(x: int) -> None:
    compiled = Zero().compile()
    assert output(compiled, compiled.solve({"x": x})) == int(x == 0)


@pytest.mark.parametrize("a,b", [(0, 0), (5, 5), (5, 6), (R - 1, R - 1), (R - 1, 0)])
def test_is_equal_values(a: int, b: int) -> None:
    compiled = Equal().compile()
    assert output(compiled, compiled.solve({"a": a, "b": b})) == int(a == b)


def _inverse_hint(compiled) -> LC:  # type: ignore[no-untyped-def]
    # The only hint wire of is_zero is the wire right after the inputs (the inverse).
    return compiled.r1cs.n_pub_out + compiled.r1cs.n_pub_in + compiled.r1cs.n_prv_in + 1


def test_is_zero_rejects_a_wrong_inverse() -> None:
    compiled = Zero().compile()
    inv = _inverse_hint(compiled)
    good = compiled.solve({"x": 5})
    assert good[inv] == pow(5, -1, R)
    # Any other inverse moves x * inv off 1, so out != 0 and x * out != 0.
    for wrong in (0, 1, 7, R - 1):
        bad = attack(compiled, {"x": 5}, {inv: wrong, 1: 1 - 5 * wrong})
        assert_rejected_only_by(compiled, bad, "is_zero")


def test_is_zero_of_nonzero_cannot_claim_one() -> None:
    # inv = 0 makes out = 1 for x = 5: the constraint x * out = 0 catches it.
    compiled = Zero().compile()
    bad = attack(compiled, {"x": 5}, {_inverse_hint(compiled): 0})
    assert output(compiled, bad) == 1
    assert_rejected_only_by(compiled, bad, "is_zero")


def test_is_zero_of_zero_cannot_claim_zero() -> None:
    # For x = 0, out = 1 - x * inv; forcing the product wire to 1 breaks x * inv = p.
    compiled = Zero().compile()
    product_wire = _inverse_hint(compiled) + 1
    bad = attack(compiled, {"x": 0}, {product_wire: 1})
    assert output(compiled, bad) == 0
    assert_rejected_only_by(compiled, bad, "is_zero")


# ---- ordering comparators


@pytest.mark.parametrize("n", [1, 8, 64, 252])
def test_less_than_counts_match_circom_o2(n: int) -> None:
    # circom2 --O2 compiles circomlib's LessThan(8) to 9 constraints (tests/interop checks).
    assert Compare(cmp.less_than, n).compile().n_constraints - 1 == n + 1
    assert Compare(cmp.less_than_checked, n).compile().n_constraints - 1 == 3 * n + 3


@pytest.mark.parametrize("unchecked,checked,ref", ORDERINGS)
def test_orderings_on_every_3_bit_pair(
    unchecked: Gadget, checked: Gadget, ref: Callable[[int, int], bool]
) -> None:
    for gadget in (unchecked, checked):
        compiled = Compare(gadget, 3).compile()
        for a in range(8):
            for b in range(8):
                witness = compiled.solve({"a": a, "b": b})
                assert output(compiled, witness) == int(ref(a, b)), (gadget.__name__, a, b)


@pytest.mark.parametrize("unchecked,checked,ref", ORDERINGS)
@pytest.mark.parametrize(
    "a,b",
    [(660, 661), (661, 660), (660, 660), (0, 0), (0, 1023), (1023, 0), (1023, 1023), (1022, 1023)],
)
def test_orderings_at_boundaries(
    unchecked: Gadget, checked: Gadget, ref: Callable[[int, int], bool], a: int, b: int
) -> None:
    for gadget in (unchecked, checked):
        compiled = Compare(gadget, 10).compile()
        assert output(compiled, compiled.solve({"a": a, "b": b})) == int(ref(a, b))


def test_unchecked_less_than_lies_on_wrapped_inputs() -> None:
    # The documented assumption: a = r - 1 ("-1") is not a 64-bit value, and unchecked it
    # wraps: r - 1 + 2^64 - 0 = 2^64 - 1 mod r, whose top bit is 0, so "r - 1 < 0" comes out 1.
    compiled = Compare(cmp.less_than, 64).compile()
    assert output(compiled, compiled.solve({"a": R - 1, "b": 0})) == 1


@pytest.mark.parametrize(
    "checked",
    [
        cmp.less_than_checked,
        cmp.less_eq_than_checked,
        cmp.greater_than_checked,
        cmp.greater_eq_than_checked,
    ],
)
@pytest.mark.parametrize("a,b", [(R - 1, 0), (0, R - 1), (2**64, 0), (0, 2**64)])
def test_checked_comparators_reject_wrapping_inputs(checked: Gadget, a: int, b: int) -> None:
    compiled = Compare(checked, 64).compile()
    with pytest.raises(UnsatisfiedError, match="range_check/num2bits"):
        compiled.solve({"a": a, "b": b})


def test_checked_less_than_rejects_forged_range_bits() -> None:
    # a = r - 1 with every range-check bit of a set to 1 (claiming a = 2^8 - 1): only the
    # range check's sum constraint can object, and does.
    compiled = Compare(cmp.less_than_checked, 8).compile()
    first_hint = 1 + 3  # after wire 0, the output and the two public inputs
    forged = {first_hint + i: 1 for i in range(8)}
    bad = attack(compiled, {"a": R - 1, "b": 0}, forged)
    assert_rejected_only_by(compiled, bad, "less_than_checked/range_check/num2bits")


def test_less_than_rejects_a_lie_built_from_a_bit_of_two() -> None:
    # a = 5, b = 3, n = 8: x = a + 256 - b = 258, honest low bits 2 and top bit 1 (out = 0).
    # To claim out = 1 the prover needs low bits summing to 258: bit 7 = 2, bit 1 = 1.
    compiled = Compare(cmp.less_than, 8).compile()
    low = [4 + i for i in range(8)]  # the hinted low bits follow the 3 input wires
    honest = compiled.solve({"a": 5, "b": 3})
    assert output(compiled, honest) == 0
    forged = {w: 0 for w in low} | {low[1]: 1, low[7]: 2, 1: 1}
    bad = attack(compiled, {"a": 5, "b": 3}, forged)
    assert_rejected_only_by(compiled, bad, "less_than")


def test_less_than_rejects_a_flipped_top_bit() -> None:
    compiled = Compare(cmp.less_than, 8).compile()
    bad = attack(compiled, {"a": 5, "b": 3}, {1: 1})  # claim 5 < 3 without touching bits
    assert compiled.r1cs.unsatisfied(bad) == [compiled.n_constraints - 1]  # the output's


def test_comparator_bounds() -> None:
    api = API()
    x = api.constant(1)
    with pytest.raises(CircuitError):
        cmp.less_than(api, x, x, 253)
    assert cmp.less_than(api, api.constant(3), api.constant(4), 8).constant_value() == 1
    assert cmp.is_zero(api, api.constant(0)).constant_value() == 1
    with pytest.raises(CircuitError):
        cmp.less_than(api, api.constant(2**9), api.constant(0), 8)
