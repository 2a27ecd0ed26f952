"""Bit decomposition (circomlib's bitify.circom: Num2Bits, Bits2Num).

Bits are little-endian: bits[0] is the least significant.
"""

from __future__ import annotations

from collections.abc import Sequence

from circuits.dsl import API, LC, CircuitError, Value, gadget

# 2^253 < r < 2^254: an n-bit decomposition with n <= 253 is unique in Fr. At 254 bits two
# decompositions (x and x + r) can exist, which needs circomlib's AliasCheck; not offered here.
MAX_BITS = 253


def _check_n(n: int, limit: int, what: str) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= limit:
        raise CircuitError(f"{what}: n must be an int in [1, {limit}], got {n!r}")


@gadget
def num2bits(api: API, x: Value, n: int) -> list[LC]:
    """The n little-endian bits of x, each constrained boolean, and their sum constrained to x.

    n + 1 constraints, as circomlib's Num2Bits(n). Fails to solve unless 0 <= x < 2^n, which
    is therefore also a range check of x. n <= 253.
    """
    _check_n(n, MAX_BITS, "num2bits")
    x = api.lc(x)
    if x.is_constant():
        value = x.constant_value()
        if value >> n:
            raise CircuitError(f"num2bits: the constant {value} does not fit in {n} bits")
        return [api.constant((value >> i) & 1) for i in range(n)]
    bits = api.hint(lambda v: [(v >> i) & 1 for i in range(n)], x, n_out=n)
    for bit in bits:
        api.assert_bool(bit)
    api.assert_equal(bits2num(api, bits), x)
    return bits


def bits2num(api: API, bits: Sequence[Value]) -> LC:
    """sum(bits[i] * 2^i) as an LC: no constraint (circomlib's Bits2Num spends one on `out`).

    The bits are NOT constrained boolean here: that is the caller's job.
    """
    if len(bits) > MAX_BITS:
        raise CircuitError(f"bits2num: at most {MAX_BITS} bits, got {len(bits)}")
    return api.sum(api.lc(b) * (1 << i) for i, b in enumerate(bits))


@gadget
def range_check(api: API, x: Value, n: int) -> None:
    """Constrain 0 <= x < 2^n (n + 1 constraints, through num2bits)."""
    num2bits(api, x, n)


@gadget
def fits_in_bits(api: API, x: Value, n: int) -> None:
    """Constrain 0 <= x < 2^n in n constraints (n <= 253).

    num2bits(x, n) with its linear sum folded away, as circom --O2 folds Num2Bits: bits 1..n-1
    are hinted and constrained boolean, and bit 0 is the LC x - sum(2^i * bit_i), constrained
    boolean too. n boolean values summing to x: x is an n-bit integer.
    """
    _check_n(n, MAX_BITS, "fits_in_bits")
    x = api.lc(x)
    if x.is_constant():
        if x.constant_value() >> n:
            raise CircuitError(f"fits_in_bits: the constant {x.constant_value()} needs > {n} bits")
        return
    high = api.hint(lambda v: [(v >> i) & 1 for i in range(1, n)], x, n_out=n - 1) if n > 1 else []
    for bit in high:
        api.assert_bool(bit)
    api.assert_bool(x - api.sum(bit * (1 << i) for i, bit in enumerate(high, start=1)))
