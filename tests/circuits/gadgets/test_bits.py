"""num2bits / bits2num / range_check: values, counts, and witnesses that must be rejected."""

from __future__ import annotations

import pytest

from circuits.dsl import API, Circuit, CircuitError, Output, Private, Public, UnsatisfiedError
from circuits.gadgets.bits import bits2num, num2bits, range_check
from tests.circuits.helpers import R, assert_rejected_only_by, attack


class Num2Bits(Circuit):
    x = Public()

    def __init__(self, n: int) -> None:
        self.n = n

    def define(self, api: API) -> None:
        self.bits = num2bits(api, self.x, self.n)


class Bits2Num(Circuit):
    bits = Private(shape="n")
    out = Output()

    def __init__(self, n: int) -> None:
        self.n = n

    def define(self, api: API) -> None:
        for b in self.bits:
            api.assert_bool(b)
        api.set_output(self.out, bits2num(api, self.bits))


@pytest.mark.parametrize("n", [1, 3, 8, 64, 253])
def test_num2bits_counts_as_circomlib(n: int) -> None:
    # circomlib's Num2Bits(n): n booleanity constraints + 1 sum (circom2 gives 9 for n = 8).
    assert Num2Bits(n).compile().n_constraints == n + 1


@pytest.mark.parametrize(
    "n,x",
    [
        (1, 0),
        (1, 1),
        (8, 0),
        (8, 255),
        (8, 0b10110010),
        (64, 2**64 - 1),
        (253, 2**253 - 1),
        (253, 12345),
    ],
)
def test_num2bits_values(n: int, x: int) -> None:
    compiled = Num2Bits(n).compile()
    witness = compiled.solve({"x": x})
    bits = [witness[compiled.wire(b)] for b in compiled.instance.bits]
    assert bits == [(x >> i) & 1 for i in range(n)]


@pytest.mark.parametrize("n,x", [(8, 256), (1, 2), (64, 2**64), (8, R - 1)])
def test_num2bits_out_of_range_has_no_witness(n: int, x: int) -> None:
    with pytest.raises(UnsatisfiedError, match=r"num2bits at circuits/gadgets/bits\.py:\d+"):
        Num2Bits(n).compile().solve({"x": x})


def test_num2bits_rejects_a_non_boolean_bit() -> None:
    # x = 5 with bits (5, 0, 0): the sum still matches; only booleanity of bit 0 objects.
    compiled = Num2Bits(3).compile()
    bits = compiled.instance.bits
    bad = attack(compiled, {"x": 5}, {bits[0]: 5, bits[1]: 0, bits[2]: 0})
    assert_rejected_only_by(compiled, bad, "num2bits")


def test_num2bits_rejects_bits_summing_right_with_a_two() -> None:
    # 5 = 1 + 2*2 + 0*4: bits (1, 2, 0) satisfy the sum constraint, not booleanity.
    compiled = Num2Bits(3).compile()
    bits = compiled.instance.bits
    bad = attack(compiled, {"x": 5}, {bits[0]: 1, bits[1]: 2, bits[2]: 0})
    assert_rejected_only_by(compiled, bad, "num2bits")


def test_num2bits_rejects_boolean_bits_of_another_value() -> None:
    compiled = Num2Bits(3).compile()
    bits = compiled.instance.bits
    bad = attack(compiled, {"x": 5}, {bits[0]: 1, bits[1]: 1, bits[2]: 1})
    assert_rejected_only_by(compiled, bad, "num2bits")


def test_num2bits_rejects_field_wrapping_bits() -> None:
    # x = r - 1 ("-1") cannot be written with bits (r - 1, 0, ...) either: booleanity fails.
    compiled = Num2Bits(8).compile()
    bits = compiled.instance.bits
    bad = attack(compiled, {"x": R - 1}, {bits[0]: R - 1, **{b: 0 for b in bits[1:]}})
    assert_rejected_only_by(compiled, bad, "num2bits")


def test_num2bits_bounds() -> None:
    api = API()
    x = api.constant(3)
    with pytest.raises(CircuitError):
        num2bits(api, x, 254)
    with pytest.raises(CircuitError):
        num2bits(api, x, 0)
    with pytest.raises(CircuitError, match="does not fit"):
        num2bits(api, api.constant(256), 8)
    assert [b.constant_value() for b in num2bits(api, api.constant(6), 3)] == [0, 1, 1]
    assert api.constraints == []


def test_bits2num_is_free_and_correct() -> None:
    compiled = Bits2Num(4).compile()
    assert compiled.n_constraints == 4 + 1  # 4 booleanity checks + the output's equality
    witness = compiled.solve({"bits": [1, 0, 1, 1]})
    assert compiled.public_signals(witness) == [13]


def test_bits2num_rejects_a_wrong_output() -> None:
    compiled = Bits2Num(4).compile()
    bad = attack(compiled, {"bits": [1, 0, 1, 1]}, {compiled.inputs[0].wires[0]: 12})
    assert compiled.r1cs.first_unsatisfied(bad) is not None


def test_range_check() -> None:
    class Range(Circuit):
        x = Private()

        def define(self, api: API) -> None:
            range_check(api, self.x, 16)

    compiled = Range().compile()
    assert compiled.n_constraints == 17
    compiled.solve({"x": 2**16 - 1})
    with pytest.raises(UnsatisfiedError, match="range_check/num2bits"):
        compiled.solve({"x": 2**16})
