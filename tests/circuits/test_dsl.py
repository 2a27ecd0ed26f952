"""The circuit DSL: declarations, wire layout, constant folding, hints, solving, errors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.dsl import (
    API,
    Circuit,
    CircuitError,
    Output,
    Private,
    Public,
    SolveError,
    UnsatisfiedError,
)
from tests.circuits.helpers import R
from tests.circuits.sample_circuits import Window
from zkcore import errors


def count(build) -> int:  # type: ignore[no-untyped-def]
    """Constraints made by build(api, x, y) on two fresh signals."""
    api = API()
    x, y = api._new_wire(), api._new_wire()
    build(api, x, y)
    return len(api.constraints)


class Layout(Circuit):
    # declared out of group order on purpose: the layout is still circom's
    secret = Private()
    first = Public()
    arr = Private(shape="k")
    out = Output()
    second = Public(shape=2)

    def __init__(self, k: int = 3) -> None:
        self.k = k

    def define(self, api: API) -> None:
        total = api.sum([self.secret, *self.arr, self.first, *self.second])
        api.set_output(self.out, total * self.secret)


def test_wire_layout_is_circoms() -> None:
    compiled = Layout().compile()
    r1cs = compiled.r1cs
    assert (r1cs.n_pub_out, r1cs.n_pub_in, r1cs.n_prv_in) == (1, 3, 4)
    wires = {spec.name: spec.wires for spec in compiled.inputs}
    assert wires == {"out": (1,), "first": (2,), "second": (3, 4), "secret": (5,), "arr": (6, 7, 8)}
    assert r1cs.n_wires == 10  # + the product wire
    witness = compiled.solve({"secret": 2, "first": 1, "arr": [1, 1, 1], "second": [3, 4]})
    assert witness[:9] == [1, 2 * 13, 1, 3, 4, 2, 1, 1, 1]
    assert compiled.public_signals(witness) == [26, 1, 3, 4]


def test_constant_folding_costs() -> None:
    assert count(lambda api, x, y: x * 3 + 5 - y * 7) == 0
    assert count(lambda api, x, y: api.mul(x + 1, 9)) == 0
    assert count(lambda api, x, y: (x + 1) * (y + 2)) == 1
    assert count(lambda api, x, y: x * y * x) == 2
    assert count(lambda api, x, y: x**5) == 3
    assert count(lambda api, x, y: api.assert_equal(x * 2, y + 1)) == 1
    assert count(lambda api, x, y: api.assert_equal(api.constant(3), 3)) == 0
    assert count(lambda api, x, y: api.assert_bool(x)) == 1
    assert count(lambda api, x, y: api.assert_bool(api.constant(1))) == 0
    assert count(lambda api, x, y: api.assert_product(x, y, x + y)) == 1
    assert count(lambda api, x, y: api.assert_product(x, 4, y)) == 1
    assert count(lambda api, x, y: api.inverse(x)) == 1
    assert count(lambda api, x, y: (x - x) * y) == 0


def test_constant_contradictions_fail_at_compile_time() -> None:
    api = API()
    with pytest.raises(CircuitError, match="different constants"):
        api.assert_equal(api.constant(3), 4)
    with pytest.raises(CircuitError):
        api.assert_bool(api.constant(2))
    with pytest.raises(CircuitError):
        api.constant(1.5)  # type: ignore[arg-type]


def test_lc_arithmetic_reduces_mod_r() -> None:
    api = API()
    x = api._new_wire()
    lc = (x * (R - 1) + x) + (-1) + 1
    assert lc.terms == {}
    assert (3 - x).terms == {0: 3, x.wire(): R - 1}
    assert (x * 2).scale(0).is_constant()


def test_signals_have_no_truth_value_and_do_not_mix() -> None:
    a, b = API(), API()
    x, y = a._new_wire(), b._new_wire()
    with pytest.raises(TypeError):
        bool(x)
    with pytest.raises(CircuitError, match="different circuits"):
        x + y  # noqa: B018
    with pytest.raises(CircuitError):
        (x + 1).wire()
    with pytest.raises(TypeError, match="assert_equal"):
        x == 1  # noqa: B015


def test_inputs_are_signals_only_inside_define() -> None:
    with pytest.raises(AttributeError, match="only inside define"):
        Window().now  # noqa: B018


def test_hint_is_unconstrained_until_pinned() -> None:
    class Sqrt(Circuit):
        x = Public()

        def define(self, api: API) -> None:
            (root,) = api.hint(lambda v: 3, self.x)
            api.assert_equal(root * root, self.x)

    compiled = Sqrt().compile()
    assert compiled.n_constraints == 2
    compiled.solve({"x": 9})
    with pytest.raises(UnsatisfiedError):
        compiled.solve({"x": 10})


def test_hint_must_return_its_outputs() -> None:
    class Bad(Circuit):
        x = Public()

        def define(self, api: API) -> None:
            a, b = api.hint(lambda v: [v], self.x, n_out=2)
            api.assert_equal(a, b)

    with pytest.raises(CircuitError, match="returned 1 values, expected 2"):
        Bad().compile().solve({"x": 1})


def test_inverse_of_zero_names_its_line() -> None:
    class Inv(Circuit):
        x = Public()

        def define(self, api: API) -> None:
            api.inverse(self.x)

    compiled = Inv().compile()
    compiled.solve({"x": 5})
    with pytest.raises(SolveError, match=r"test_dsl\.py:\d+"):
        compiled.solve({"x": 0})


def test_unsatisfied_error_names_gadget_and_line() -> None:
    compiled = Window(bits=16).compile()
    compiled.solve({"now": 10, "not_before": 5, "not_after": 10})
    with pytest.raises(UnsatisfiedError) as info:
        compiled.solve({"now": 11, "not_before": 5, "not_after": 10})
    assert "sample_circuits.py:" in str(info.value)
    assert info.value.index == compiled.n_constraints - 1  # the second window check
    with pytest.raises(UnsatisfiedError, match=r"range_check/num2bits at circuits/gadgets"):
        compiled.solve({"now": 2**16, "not_before": 5, "not_after": 2**16 + 1})


def test_solver_validates_inputs() -> None:
    compiled = Layout().compile()
    good = {"secret": 2, "first": 1, "arr": [1, 1, 1], "second": [3, 4]}
    with pytest.raises(errors.ArgumentError, match="missing input 'first'"):
        compiled.solve({k: v for k, v in good.items() if k != "first"})
    with pytest.raises(errors.ArgumentError, match="unknown input"):
        compiled.solve({**good, "extra": 1})
    with pytest.raises(errors.ArgumentError, match="is an output"):
        compiled.solve({**good, "out": 1})
    with pytest.raises(errors.ArgumentError, match="takes 3 values"):
        compiled.solve({**good, "arr": [1, 1]})
    with pytest.raises(errors.ArgumentError, match="list of 3"):
        compiled.solve({**good, "arr": 1})
    with pytest.raises(errors.NonCanonicalError):
        compiled.solve({**good, "first": R})
    with pytest.raises(errors.NonCanonicalError):
        compiled.solve({**good, "first": -1})
    with pytest.raises(errors.ArgumentError):
        compiled.solve({**good, "first": True})
    with pytest.raises(errors.ArgumentError):
        compiled.solve({**good, "first": "1"})


def test_output_must_be_set() -> None:
    class NoOut(Circuit):
        x = Public()
        y = Output()

        def define(self, api: API) -> None:
            api.assert_bool(self.x)

    with pytest.raises(CircuitError, match="never given a value"):
        NoOut().compile()


def test_bad_shape() -> None:
    class Shaped(Circuit):
        xs = Private(shape="n")

        def __init__(self, n: object) -> None:
            self.n = n

        def define(self, api: API) -> None:
            pass

    with pytest.raises(CircuitError, match="positive int"):
        Shaped(0).compile()
    with pytest.raises(CircuitError, match="positive int"):
        Shaped("3").compile()


def test_compile_does_not_touch_the_circuit_object() -> None:
    circuit = Window()
    compiled = circuit.compile()
    assert "now" not in vars(circuit)
    assert "now" in vars(compiled.instance)


def test_inheritance_keeps_declaration_order() -> None:
    class Base(Circuit):
        a = Public()

        def define(self, api: API) -> None:
            api.assert_equal(self.a, self.b)  # type: ignore[attr-defined]

    class Child(Base):
        b = Public()

    compiled = Child().compile()
    assert [s.name for s in compiled.inputs] == ["a", "b"]
    compiled.solve({"a": 4, "b": 4})


# ---- random expressions: the compiled circuit computes what Python ints compute

OPS = ["add", "sub", "mul", "scale", "const_add", "rsub", "pow"]


@settings(max_examples=40, deadline=None)
@given(
    program=st.lists(
        st.tuples(
            st.sampled_from(OPS), st.integers(0, 5), st.integers(0, 5), st.integers(-(2**70), 2**70)
        ),
        min_size=1,
        max_size=12,
    ),
    values=st.lists(st.integers(0, R - 1), min_size=3, max_size=3),
)
def test_random_expressions_match_python_ints(program, values) -> None:  # type: ignore[no-untyped-def]
    def run(start: list, mul):  # type: ignore[no-untyped-def]
        regs = list(start)
        for op, i, j, k in program:
            a, b = regs[i % len(regs)], regs[j % len(regs)]
            if op == "add":
                regs.append(a + b)
            elif op == "sub":
                regs.append(a - b)
            elif op == "mul":
                regs.append(mul(a, b))
            elif op == "scale":
                regs.append(a * k)
            elif op == "const_add":
                regs.append(a + k)
            elif op == "rsub":
                regs.append(k - a)
            else:
                regs.append(mul(mul(a, a), a))
        return regs[-1]

    expected = run(values, lambda a, b: a * b) % R

    class Expr(Circuit):
        xs = Private(shape=3)
        out = Output()

        def define(self, api: API) -> None:
            api.set_output(self.out, run(self.xs, lambda a, b: a * b))

    compiled = Expr().compile()
    witness = compiled.solve({"xs": values})
    assert witness[1] == expected
    assert compiled.r1cs.first_unsatisfied_reference(witness) is None
    muls = sum(1 for op, *_ in program if op in ("mul", "pow"))
    assert compiled.n_constraints <= 1 + 2 * muls  # only products cost constraints


def test_long_linear_chains_solve_like_python_ints() -> None:
    # A Poseidon-shaped toy: one S-box per round and a dense linear mix, so the state's LCs
    # grow to dozens of wires and the solver's recipes must reference earlier slots.
    rounds, mix = 40, [[2, 3, 5], [7, 11, 13], [17, 19, 23]]

    def permute(state, mul):  # type: ignore[no-untyped-def]
        for r in range(rounds):
            state = [mul(mul(state[0], state[0]), state[0]) + r, state[1], state[2]]
            state = [sum((m * s for m, s in zip(row, state, strict=True)), 0) for row in mix]
        return state

    class Toy(Circuit):
        xs = Private(shape=3)
        out = Output()

        def define(self, api: API) -> None:
            api.set_output(self.out, api.sum(permute(list(self.xs), api.mul)))

    values = [3, R - 5, 2**200]
    expected = sum(permute(values, lambda a, b: a * b % R)) % R
    compiled = Toy().compile()
    assert compiled.n_constraints == 2 * rounds + 1
    witness = compiled.solve({"xs": values})
    assert witness[1] == expected
    assert compiled.r1cs.first_unsatisfied_reference(witness) is None
    # an override deep inside is seen downstream and caught by exactly its constraint
    square = compiled.r1cs.n_pub_out + compiled.r1cs.n_prv_in + 1 + 2 * 10
    bad = compiled.witness({"xs": values}, {square: witness[square] + 1})
    assert len(compiled.r1cs.unsatisfied(bad)) == 1


def test_hint_failures_name_their_line() -> None:
    import numpy as np

    class Hints(Circuit):
        x = Public()

        def define(self, api: API) -> None:
            (a,) = api.hint(lambda v: np.int64(v + 1), self.x)  # numpy ints are ints too
            (b,) = api.hint(lambda v: [v // (v - 3)], self.x)
            api.assert_equal(a * b, a * b)

    compiled = Hints().compile()
    compiled.solve({"x": 5})
    with pytest.raises(
        SolveError,
        match=r"the hint of Hints at tests/circuits/test_dsl\.py:\d+ failed: ZeroDivisionError",
    ):
        compiled.solve({"x": 3})
