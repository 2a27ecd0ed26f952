"""mux1 and multiplexer: values, counts and rejected witnesses."""

from __future__ import annotations

import pytest

from circuits.dsl import API, Circuit, CircuitError, Output, Private, UnsatisfiedError
from circuits.gadgets.mux import multiplexer, mux1
from tests.circuits.helpers import R, assert_rejected_only_by, attack


class Mux1(Circuit):
    c0 = Private()
    c1 = Private()
    s = Private()
    out = Output()

    def __init__(self, check_bool: bool = True) -> None:
        self.check_bool = check_bool

    def define(self, api: API) -> None:
        if self.check_bool:
            api.assert_bool(self.s)
        api.set_output(self.out, mux1(api, self.c0, self.c1, self.s))


class Mux(Circuit):
    options = Private(shape="n")
    index = Private()
    out = Output()

    def __init__(self, n: int) -> None:
        self.n = n

    def define(self, api: API) -> None:
        api.set_output(self.out, multiplexer(api, self.options, self.index))


def test_mux1_counts_and_values() -> None:
    compiled = Mux1(check_bool=False).compile()
    assert compiled.n_constraints - 1 == 1  # circomlib's Mux1: one constraint
    assert compiled.solve({"c0": 10, "c1": 20, "s": 0})[1] == 10
    assert compiled.solve({"c0": 10, "c1": 20, "s": 1})[1] == 20


def test_mux1_without_booleanity_accepts_s_2_as_documented() -> None:
    compiled = Mux1(check_bool=False).compile()
    assert compiled.solve({"c0": 10, "c1": 20, "s": 2})[1] == 30  # 2*c1 - c0


def test_mux1_with_booleanity_rejects_s_2() -> None:
    compiled = Mux1(check_bool=True).compile()
    bad = compiled.witness({"c0": 10, "c1": 20, "s": 2})
    assert_rejected_only_by(compiled, bad, "")  # the circuit's own assert_bool
    with pytest.raises(UnsatisfiedError, match="test_mux.py"):
        compiled.solve({"c0": 10, "c1": 20, "s": 2})


def test_mux1_with_constant_choices_is_free() -> None:
    api = API()
    (s,) = api.hint(lambda: 1)
    out = mux1(api, 3, 8, s)
    assert api.constraints == [] and out.terms == {0: 3, s.wire(): 5}


@pytest.mark.parametrize("n", [1, 2, 5])
def test_multiplexer_counts_and_values(n: int) -> None:
    compiled = Mux(n).compile()
    assert compiled.n_constraints - 1 == 2 * n + 1
    options = [100 + 7 * i for i in range(n)]
    for i in range(n):
        assert compiled.solve({"options": options, "index": i})[1] == options[i]


@pytest.mark.parametrize("index", [3, 4, R - 1])
def test_multiplexer_rejects_an_index_out_of_range(index: int) -> None:
    with pytest.raises(UnsatisfiedError, match="multiplexer"):
        Mux(3).compile().solve({"options": [1, 2, 3], "index": index})


def _selector_wires(compiled) -> list[int]:  # type: ignore[no-untyped-def]
    first = 1 + compiled.r1cs.n_pub_out + compiled.r1cs.n_pub_in + compiled.r1cs.n_prv_in
    return list(range(first, first + 3))


def test_multiplexer_rejects_a_selector_for_another_index() -> None:
    compiled = Mux(3).compile()
    sel = _selector_wires(compiled)
    bad = attack(compiled, {"options": [1, 2, 3], "index": 0}, {sel[0]: 0, sel[2]: 1})
    assert bad[1] == 3  # it would claim options[2]
    assert_rejected_only_by(compiled, bad, "multiplexer")


def test_multiplexer_rejects_a_split_selector() -> None:
    # sel = (1/2, 1/2, 0) sums to 1, but sel[1] * (index - 1) != 0 for index 0.
    compiled = Mux(3).compile()
    sel = _selector_wires(compiled)
    half = pow(2, -1, R)
    bad = attack(compiled, {"options": [1, 2, 3], "index": 0}, {sel[0]: half, sel[1]: half})
    assert_rejected_only_by(compiled, bad, "multiplexer")


def test_multiplexer_needs_options() -> None:
    api = API()
    with pytest.raises(CircuitError):
        multiplexer(api, [], api.constant(0))
