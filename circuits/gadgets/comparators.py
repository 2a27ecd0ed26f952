"""Comparators (circomlib's comparators.circom: IsZero, IsEqual, LessThan, ...).

Each returns an LC that is constrained to 1 or 0. The ordering comparators compare integers,
not field elements, and are only meaningful on n-bit inputs:

  less_than(api, a, b, n) ASSUMES 0 <= a, b < 2^n and does NOT check it. With an unchecked
  input the result can lie: a = r - 1 (a "negative" -1) against b = 0 wraps around the field
  and gives a < b. Range-check both inputs with `bits.range_check(api, x, n)` (or they come
  from num2bits already), or call the `*_checked` variants, which do it themselves for
  2 * (n + 1) more constraints.

n <= 252, because a + 2^n - b must fit in n + 1 <= 253 bits without wrapping mod r.
"""

from __future__ import annotations

from circuits.dsl import API, LC, CircuitError, Value, gadget
from circuits.gadgets.bits import _check_n, bits2num, range_check
from zkcore.field import Fr

MAX_COMPARE_BITS = 252


@gadget
def is_zero(api: API, x: Value) -> LC:
    """1 if x == 0 else 0. Two constraints, as circomlib's IsZero.

    inv is a hint (1/x, or 0 when x = 0); x * inv = p and x * (1 - p) = 0 pin the output:
    x != 0 forces 1 - p = 0, and x = 0 forces p = 0, whatever inv is.
    """
    x = api.lc(x)
    if x.is_constant():
        return api.constant(int(x.constant_value() == 0))
    (inv,) = api.hint(lambda v: Fr.inv(v) if v else 0, x)
    out = 1 - x * inv
    api.assert_product(x, out, 0)
    return out


@gadget
def is_equal(api: API, a: Value, b: Value) -> LC:
    """1 if a == b else 0 (is_zero(a - b); two constraints, as circomlib's IsEqual)."""
    return is_zero(api, api.lc(a) - api.lc(b))


@gadget
def less_than(api: API, a: Value, b: Value, n: int) -> LC:
    """1 if a < b else 0, for a, b ALREADY range-checked to [0, 2^n) by the caller.

    circomlib's LessThan(n): x = a + 2^n - b is decomposed into n + 1 bits, whose top bit is 1
    exactly when a >= b. The n low bits are hinted and constrained boolean; the top bit is
    the linear combination (x - low) / 2^n, constrained boolean too. That pins x = low +
    2^n * top with low < 2^n and top in {0, 1}, as Num2Bits(n + 1) does, in n + 1
    constraints: what circom --O2 makes of LessThan(n) (--O1 leaves n + 4).
    """
    _check_n(n, MAX_COMPARE_BITS, "less_than")
    x = api.lc(a) + (1 << n) - api.lc(b)
    if x.is_constant():
        if x.constant_value() >> (n + 1):
            raise CircuitError(f"less_than: constant operands out of the {n}-bit range")
        return api.constant(int(not x.constant_value() >> n))
    low = api.hint(lambda v: [(v >> i) & 1 for i in range(n)], x, n_out=n)
    for bit in low:
        api.assert_bool(bit)
    top = (x - bits2num(api, low)).scale(Fr.inv(1 << n))
    api.assert_bool(top)
    return 1 - top


@gadget
def less_eq_than(api: API, a: Value, b: Value, n: int) -> LC:
    """1 if a <= b else 0 (less_than(a, b + 1)); inputs range-checked to [0, 2^n) by the caller."""
    return less_than(api, a, api.lc(b) + 1, n)


@gadget
def greater_than(api: API, a: Value, b: Value, n: int) -> LC:
    """1 if a > b else 0 (less_than(b, a)); inputs range-checked to [0, 2^n) by the caller."""
    return less_than(api, b, a, n)


@gadget
def greater_eq_than(api: API, a: Value, b: Value, n: int) -> LC:
    """1 if a >= b else 0 (less_than(b, a + 1)); inputs range-checked by the caller."""
    return less_than(api, b, api.lc(a) + 1, n)


def _checked(api: API, a: Value, b: Value, n: int) -> None:
    _check_n(n, MAX_COMPARE_BITS, "comparator")
    range_check(api, a, n)
    range_check(api, b, n)


@gadget
def less_than_checked(api: API, a: Value, b: Value, n: int) -> LC:
    """less_than that first range-checks a and b to [0, 2^n) itself (3n + 3 constraints)."""
    _checked(api, a, b, n)
    return less_than(api, a, b, n)


@gadget
def less_eq_than_checked(api: API, a: Value, b: Value, n: int) -> LC:
    """less_eq_than that first range-checks a and b to [0, 2^n) itself."""
    _checked(api, a, b, n)
    return less_eq_than(api, a, b, n)


@gadget
def greater_than_checked(api: API, a: Value, b: Value, n: int) -> LC:
    """greater_than that first range-checks a and b to [0, 2^n) itself."""
    _checked(api, a, b, n)
    return greater_than(api, a, b, n)


@gadget
def greater_eq_than_checked(api: API, a: Value, b: Value, n: int) -> LC:
    """greater_eq_than that first range-checks a and b to [0, 2^n) itself."""
    _checked(api, a, b, n)
    return greater_eq_than(api, a, b, n)


__all__ = [
    "MAX_COMPARE_BITS",
    "greater_eq_than",
    "greater_eq_than_checked",
    "greater_than",
    "greater_than_checked",
    "is_equal",
    "is_zero",
    "less_eq_than",
    "less_eq_than_checked",
    "less_than",
    "less_than_checked",
]
