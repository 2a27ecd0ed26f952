"""Shared fixtures for the Groth16 tests: small circuits, their keys and witnesses (cached)."""

from __future__ import annotations

import warnings
from functools import cache

from circuits.dsl import API, Circuit, CompiledCircuit, Private, Public
from tests.circuits.test_ticket import compiled as ticket_compiled
from tests.circuits.test_ticket import inputs as ticket_inputs
from zkcore.groth16 import ProvingKey, VerifyingKey, setup_insecure_deterministic
from zkcore.r1cs import R1CS


class Cube(Circuit):
    """x^3 + x + 5 == out (public out, private x)."""

    out = Public()
    x = Private()

    def define(self, api: API) -> None:
        x2 = api.mul(self.x, self.x)
        x3 = api.mul(x2, self.x)
        api.assert_equal(x3 + self.x + 5, self.out)


class Product(Circuit):
    """a * b == c with two public factors and a private product chain."""

    a = Public()
    b = Public()
    c = Public()
    k = Private()

    def define(self, api: API) -> None:
        api.assert_equal(api.mul(self.a, self.b), self.c)
        api.mul(self.k, self.k)


def keys(r1cs: R1CS, seed: int = 1) -> tuple[ProvingKey, VerifyingKey]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return setup_insecure_deterministic(r1cs, seed)


@cache
def cube() -> tuple[CompiledCircuit, ProvingKey, VerifyingKey]:
    c = Cube().compile()
    return (c, *keys(c.r1cs))


@cache
def product() -> tuple[CompiledCircuit, ProvingKey, VerifyingKey]:
    c = Product().compile()
    return (c, *keys(c.r1cs))


@cache
def ticket() -> tuple[CompiledCircuit, ProvingKey, VerifyingKey, list[int]]:
    c = ticket_compiled()
    return (c, *keys(c.r1cs), c.solve(ticket_inputs()))
