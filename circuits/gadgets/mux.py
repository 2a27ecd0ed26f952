"""Multiplexers (circomlib's mux1.circom and multiplexer.circom)."""

from __future__ import annotations

from collections.abc import Sequence

from circuits.dsl import API, LC, CircuitError, Value, gadget


@gadget
def mux1(api: API, c0: Value, c1: Value, s: Value) -> LC:
    """c0 if s == 0, c1 if s == 1: c0 + s * (c1 - c0), one constraint (circomlib's Mux1).

    s is NOT constrained boolean here (circomlib does not either): with s = 2 the output is
    2*c1 - c0. Constrain s with api.assert_bool unless it already is.
    """
    c0 = api.lc(c0)
    return c0 + api.lc(s) * (api.lc(c1) - c0)


@gadget
def multiplexer(api: API, options: Sequence[Value], index: Value) -> LC:
    """options[index] for an index in [0, len(options)); no witness exists for any other index.

    A one-hot selector sel is hinted, then pinned down: sel[i] * (index - i) = 0 forces
    sel[i] = 0 wherever i != index, and sum(sel) = 1 forces sel[index] = 1 (and fails when
    index is out of range). Then out = sum(sel[i] * options[i]). 2n + 1 constraints for n
    non-constant options (circomlib's Decoder + EscalarProduct, n + 1 when they are constants).
    """
    n = len(options)
    if n < 1:
        raise CircuitError("multiplexer needs at least one option")
    index = api.lc(index)
    sel = api.hint(lambda v: [int(v == i) for i in range(n)], index, n_out=n)
    for i, s in enumerate(sel):
        api.assert_product(s, index - i, 0)
    api.assert_equal(api.sum(sel), 1)
    return api.sum(s * api.lc(o) for s, o in zip(sel, options, strict=True))
