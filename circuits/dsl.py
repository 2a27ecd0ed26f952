"""The circuit DSL: a circuit is a class whose attributes declare its inputs.

    class Membership(Circuit):
        root = Public()
        leaf = Private()
        path = Private(shape="depth")      # a list of `self.depth` signals
        bits = Private(shape="depth")

        def __init__(self, depth: int = 20) -> None:
            self.depth = depth

        def define(self, api: API) -> None:
            api.assert_equal(merkle_root(api, self.leaf, self.path, self.bits, hash2), self.root)

    compiled = Membership(depth=4).compile()        # R1CS + witness solver
    witness = compiled.solve({"root": ..., "leaf": ..., "path": [...], "bits": [...]})

Inside `define`, every declared input is a `Signal` (or a list of them). Signals and integer
constants combine with `+ - *` into linear combinations (`LC`); only a product of two
non-constant LCs costs a constraint (and a new wire), so linear steps are free. Values that
constraints cannot compute (bit decompositions, inverses) come from `api.hint`, and a hint must
always be followed by constraints that pin it down: the solver trusts nothing it did not check.

Wires are laid out as circom does: 0 is the constant 1, then public outputs, public inputs,
private inputs (each group in declaration order, arrays flattened), then internal wires.
Every constraint remembers its origin (the gadget scope and the source line that made it), and
`solve` names it when a witness fails.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import numbers
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, Union

from zkcore import errors
from zkcore.field import Fr
from zkcore.r1cs import R1CS, UnsatisfiedConstraintError

R = Fr.modulus
ONE = 0  # the constant wire

_DSL_FILE = __file__
_REPO_ROOT = Path(__file__).resolve().parent.parent


class CircuitError(errors.ZKCoreError, ValueError):
    """A circuit that cannot be compiled: a constant assertion that fails, a mixed-up signal."""


class UnsatisfiedError(UnsatisfiedConstraintError):
    """A witness that violates a constraint; the message names its gadget and source line."""

    def __init__(self, message: str, index: int, origin: Origin) -> None:
        super().__init__(message, index)
        self.origin = origin


class SolveError(errors.ZKCoreError, ValueError):
    """A hint could not compute its value (e.g. the inverse of 0): the inputs fit no witness."""


# ---------------------------------------------------------------- input declarations

_order = itertools.count()


class Input:
    """Declares an input of a circuit class; `shape` is an int or the name of an attribute."""

    kind = "input"

    def __init__(self, shape: int | str | None = None) -> None:
        self.shape = shape
        self.name = ""
        self.order = next(_order)  # declaration order decides wire order within a group

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        raise AttributeError(
            f"input {self.name!r} is a signal only inside define(); compile the circuit first"
        )

    def size(self, circuit: object) -> int | None:
        """The array length for this circuit instance, or None for a single signal."""
        if self.shape is None:
            return None
        n = getattr(circuit, self.shape) if isinstance(self.shape, str) else self.shape
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise CircuitError(f"input {self.name!r}: shape must be a positive int, got {n!r}")
        return n


class Public(Input):
    """A public input: the verifier sees and supplies it."""

    kind = "public"


class Private(Input):
    """A private input: known to the prover only."""

    kind = "private"


class Output(Input):
    """A public output: set once in define() with `api.set_output(self.name, value)`."""

    kind = "output"


_GROUP_ORDER = {"output": 0, "public": 1, "private": 2}


# ---------------------------------------------------------------- linear combinations


Value = Union["LC", int]


class LC:
    """A linear combination sum(c_i * w_i) of wires (wire 0 is the constant 1).

    Immutable in practice: every operation returns a new LC. `+ - *` with ints fold into the
    coefficients; `*` of two non-constant LCs adds one constraint through the owning API.

    `terms` (wire -> coefficient) is what constraints are made of. For the solver an LC also
    carries a short recipe, `const + sum k * value(slot)` over the value slots of the LCs it
    was built from; the first time a step uses it, the recipe becomes one instruction of the
    solver's tape and the LC gets a slot (`node`) of its own. So a value is computed once, in
    a few operations, however long its terms grow (Poseidon's partial rounds make LCs of
    dozens of wires). A recipe that would grow past INLINE pairs references its operands'
    slots instead of copying their recipes.
    """

    __slots__ = ("api", "const", "node", "pairs", "terms")

    def __init__(
        self,
        api: API,
        terms: dict[int, int],
        pairs: tuple[tuple[int, int], ...],
        const: int,
        node: int | None = None,
    ) -> None:
        self.api = api
        self.terms = terms  # wire -> coefficient in [1, r); no zero coefficients
        self.pairs = pairs  # (slot, k) of the recipe; empty exactly for constants
        self.const = const  # the recipe's constant
        self.node = node  # the value slot, once materialised

    # ---- inspection ----

    def is_constant(self) -> bool:
        return not self.pairs

    def constant_value(self) -> int:
        """The value of a constant LC (CircuitError if it depends on a wire)."""
        if self.pairs:
            raise CircuitError("not a constant linear combination")
        return self.const

    def wire(self) -> int:
        """The wire of a plain signal (one wire, coefficient 1)."""
        if len(self.terms) != 1 or ONE in self.terms or next(iter(self.terms.values())) != 1:
            raise CircuitError("not a single signal: a linear combination of several wires")
        return next(iter(self.terms))

    def __bool__(self) -> bool:
        raise TypeError(
            "a signal has no truth value while the circuit is built; "
            "use api.assert_equal or a comparator gadget"
        )

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        # `if a == b:` in define() would silently compare Python objects, not values.
        raise TypeError(
            "signals cannot be compared with ==; use api.assert_equal(a, b) or is_equal(api, a, b)"
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        parts = [f"{c}*w{w}" if w else str(c) for w, c in sorted(self.terms.items())]
        return f"LC({' + '.join(parts) or '0'})"

    # ---- arithmetic ----

    def _lift(self, other: Value) -> LC:
        if isinstance(other, LC):
            if other.api is not self.api:
                raise CircuitError("signals from two different circuits cannot be mixed")
            return other
        return self.api.constant(other)

    def __add__(self, other: Value) -> LC:
        return self.api.combine(((self, 1), (self._lift(other), 1)))

    __radd__ = __add__

    def __neg__(self) -> LC:
        return self.scale(R - 1)

    def __sub__(self, other: Value) -> LC:
        return self.api.combine(((self, 1), (self._lift(other), R - 1)))

    def __rsub__(self, other: Value) -> LC:
        return self.api.combine(((self._lift(other), 1), (self, R - 1)))

    def scale(self, k: int) -> LC:
        """k * self, no constraint."""
        k %= R
        if k == 1:
            return self
        return self.api.combine(((self, k),))

    def __mul__(self, other: Value) -> LC:
        if isinstance(other, int):
            return self.scale(other)
        return self.api.mul(self, other)

    __rmul__ = __mul__

    def __pow__(self, exponent: int) -> LC:
        """self^e by square-and-multiply: one constraint per non-constant product."""
        if not isinstance(exponent, int) or exponent < 1:
            raise CircuitError("only positive integer powers of a signal")
        result: LC | None = None
        base = self
        while exponent:
            if exponent & 1:
                result = base if result is None else result * base
            exponent >>= 1
            if exponent:
                base = base * base
        assert result is not None
        return result


Signal = LC  # a signal is the LC of one wire with coefficient 1


# ---------------------------------------------------------------- building constraints


@dataclass(frozen=True)
class Origin:
    """Where a constraint (or hint) was made: gadget scope and the source line."""

    scope: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.scope} at {self.file}:{self.line}"


Hint = Callable[..., int | Sequence[int]]

# The solver's tape, in the order define() made it. Slots hold values: every wire has one
# (its provisional number), and a non-constant LC gets one when a step first uses it.
#   (LIN, out, ((slot, k), ...), c)         v[out] = c + sum k * v[slot]
#   (MUL, out, a, b)                        v[out] = v[a] * v[b]        (out is a wire)
#   (HINT, outs, fn, (slot | None, c)..., origin)  v[outs] = fn(*args)  (outs are wires)
#   (COPY, out, src)                        v[out] = v[src]             (an output wire)
LIN, MUL, HINT, COPY = range(4)
INLINE = 8  # recipes up to this many pairs are copied into the LCs built from them
Step = tuple[Any, ...]


def _caller_origin(scope: str) -> Origin:
    """The innermost frame outside this file: the line of the gadget or circuit at work."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename == _DSL_FILE:
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:  # pragma: no cover - define() always runs below user code
        return Origin(scope, "?", 0)
    path = Path(frame.f_code.co_filename)
    with contextlib.suppress(ValueError):
        path = path.resolve().relative_to(_REPO_ROOT)
    return Origin(scope, str(path), frame.f_lineno)


class API:
    """What define() builds constraints with. One API per compilation."""

    def __init__(self) -> None:
        self.n_slots = 1  # slot 0 is wire 0, the constant 1
        self.wires = [ONE]  # the slots that are wires, in creation order
        self.constraints: list[tuple[dict[int, int], dict[int, int], dict[int, int]]] = []
        self.origins: list[Origin] = []
        self.steps: list[Step] = []
        self.outputs_set: set[int] = set()
        self._scope: list[str] = []

    # ---- wires, constants and linear combinations ----

    def _new_slot(self) -> int:
        slot = self.n_slots
        self.n_slots += 1
        return slot

    def _new_wire(self) -> LC:
        w = self._new_slot()
        self.wires.append(w)
        return LC(self, {w: 1}, ((w, 1),), 0, w)

    def constant(self, value: int) -> LC:
        """The constant `value` (mod r) as an LC."""
        if not isinstance(value, int) or isinstance(value, bool):
            raise CircuitError(f"constants must be ints, got {type(value).__name__}")
        value %= R
        return LC(self, {ONE: value} if value else {}, (), value)

    def combine(self, parts: Iterable[tuple[LC, int]]) -> LC:
        """sum(k * lc) over (lc, k) pairs of this circuit's LCs: no constraint."""
        terms: dict[int, int] = {}
        pairs: list[tuple[int, int]] = []
        const = 0
        parts = list(parts)
        # Copy operands' recipes while the result stays short; a long sum copies only the
        # one-pair recipes (scaled signals, as in bits2num).
        limit = INLINE if len(parts) <= INLINE else 1
        for lc, k in parts:
            for w, c in lc.terms.items():
                terms[w] = (terms.get(w, 0) + c * k) % R
            if lc.node is not None:
                pairs.append((lc.node, k))
            elif len(lc.pairs) <= limit:
                pairs.extend((slot, c * k % R) for slot, c in lc.pairs)
                const += k * lc.const
            elif lc.pairs:
                pairs.append((self.materialize(lc), k))
            else:
                const += k * lc.const
        terms = {w: c for w, c in terms.items() if c}
        if all(w == ONE for w in terms):
            return LC(self, terms, (), terms.get(ONE, 0))
        return LC(self, terms, tuple(pairs), const % R)

    def materialize(self, lc: LC) -> int:
        """The value slot of a non-constant LC, adding its recipe to the tape on first use."""
        if lc.node is None:
            if not lc.pairs:
                raise CircuitError("a constant has no value slot")
            if len(lc.pairs) == 1 and lc.pairs[0][1] == 1 and lc.const == 0:
                lc.node = lc.pairs[0][0]  # the same value as an existing slot
            else:
                lc.node = self._new_slot()
                self.steps.append((LIN, lc.node, lc.pairs, lc.const))
        return lc.node

    def lc(self, value: Value) -> LC:
        """An int or an LC of this circuit, as an LC."""
        if isinstance(value, LC):
            if value.api is not self:
                raise CircuitError("signals from two different circuits cannot be mixed")
            return value
        return self.constant(value)

    def sum(self, values: Iterable[Value]) -> LC:
        """sum(values) in one pass (no constraint)."""
        return self.combine((self.lc(v), 1) for v in values)

    # ---- scopes (the gadget names in error messages) ----

    @contextlib.contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Name the constraints made inside, e.g. `with api.scope("num2bits"):`."""
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    def _origin(self) -> Origin:
        return _caller_origin("/".join(self._scope))

    # ---- constraints ----

    def _constrain(self, a: LC, b: LC, c: LC) -> None:
        self.constraints.append((a.terms, b.terms, c.terms))
        self.origins.append(self._origin())

    def mul(self, a: Value, b: Value) -> LC:
        """a * b: free if either is constant, else one constraint a * b = new wire."""
        a, b = self.lc(a), self.lc(b)
        if a.is_constant():
            return b.scale(a.constant_value())
        if b.is_constant():
            return a.scale(b.constant_value())
        out = self._new_wire()
        self.steps.append((MUL, out.node, self.materialize(a), self.materialize(b)))
        self._constrain(a, b, out)
        return out

    def assert_product(self, a: Value, b: Value, c: Value) -> None:
        """Constrain a * b == c (one constraint, or none if it folds to a constant check)."""
        a, b, c = self.lc(a), self.lc(b), self.lc(c)
        if a.is_constant() or b.is_constant():
            self.assert_equal(self.mul(a, b), c)
            return
        self._constrain(a, b, c)

    def assert_equal(self, a: Value, b: Value) -> None:
        """Constrain a == b: one linear constraint (a - b) * 1 = 0, none if both are constant."""
        diff = self.lc(a) - self.lc(b)
        if diff.is_constant():
            if diff.constant_value() != 0:
                raise CircuitError(f"assert_equal of two different constants at {self._origin()}")
            return
        self._constrain(diff, self.constant(1), self.constant(0))

    def assert_bool(self, x: Value) -> None:
        """Constrain x to {0, 1}: x * (x - 1) = 0."""
        x = self.lc(x)
        if x.is_constant():
            if x.constant_value() not in (0, 1):
                raise CircuitError(f"assert_bool of the constant {x.constant_value()}")
            return
        self._constrain(x, x - 1, self.constant(0))

    # ---- hints: values the solver computes outside the constraints ----

    def hint(self, fn: Hint, *inputs: Value, n_out: int = 1) -> list[LC]:
        """n_out new wires set to fn(*input values) by the solver, UNCONSTRAINED.

        fn gets canonical ints and returns an int (n_out == 1) or a sequence of n_out ints,
        reduced mod r. The caller must constrain the outputs: a prover can put anything there.
        """
        if n_out < 1:
            raise CircuitError("a hint has at least one output")
        lcs = [self.lc(v) for v in inputs]
        outs = [self._new_wire() for _ in range(n_out)]
        # (slot, _) for a signal, (None, value) for a constant
        args = tuple((None, v.const) if v.is_constant() else (self.materialize(v), 0) for v in lcs)
        self.steps.append((HINT, tuple(o.node for o in outs), fn, args, self._origin()))
        return outs

    def inverse(self, x: Value) -> LC:
        """1 / x, constrained by x * inv == 1 (the solver fails if x is 0)."""
        x = self.lc(x)
        if x.is_constant():
            return self.constant(Fr.inv(x.constant_value()))
        (inv,) = self.hint(lambda v: Fr.inv(v), x)
        self.assert_product(x, inv, 1)
        return inv

    # ---- outputs ----

    def set_output(self, output: LC, value: Value) -> None:
        """Give a declared Output its value: one constraint output == value."""
        wire = output.wire()
        if wire in self.outputs_set:
            raise CircuitError("an output is set once")
        value = self.lc(value)
        if value.is_constant():  # a constant output still needs a slot to copy from
            source = self._new_slot()
            self.steps.append((LIN, source, (), value.const))
        else:
            source = self.materialize(value)
        self.outputs_set.add(wire)
        self.steps.append((COPY, wire, source))
        self.assert_equal(output, value)


P = ParamSpec("P")
T = TypeVar("T")


def gadget(fn: Callable[P, T]) -> Callable[P, T]:
    """Run a gadget function `fn(api, ...)` inside `api.scope(fn.__name__)`."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        api = args[0]
        if not isinstance(api, API):
            raise CircuitError(f"{fn.__name__}: the first argument must be the API")
        with api.scope(fn.__name__):
            return fn(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- circuits and compilation


@dataclass(frozen=True)
class InputSpec:
    """One declared input after compilation: its wires in the final layout."""

    name: str
    kind: str  # "output", "public" or "private"
    shape: int | None
    wires: tuple[int, ...]


class Circuit:
    """Base class of circuits: declare inputs as class attributes, build them in define()."""

    def define(self, api: API) -> None:
        """Build the constraints; inputs are signals on `self` here."""
        raise NotImplementedError

    @classmethod
    def declared_inputs(cls) -> list[Input]:
        """Every declared input, in declaration order (base classes first)."""
        found: dict[str, Input] = {}
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Input):
                    found[name] = value
        return sorted(found.values(), key=lambda d: d.order)

    def compile(self) -> CompiledCircuit:
        """Compile to an R1CS and a witness solver."""
        return compile_circuit(self)


def compile_circuit(circuit: Circuit) -> CompiledCircuit:
    """Run define() on a copy of the circuit whose inputs are signals; lay the wires out."""
    decls = circuit.declared_inputs()
    api = API()
    bound = copy.copy(circuit)
    provisional: list[tuple[Input, int | None, list[int]]] = []
    for decl in decls:
        size = decl.size(circuit)
        signals = [api._new_wire() for _ in range(size or 1)]
        bound.__dict__[decl.name] = signals if size is not None else signals[0]
        provisional.append((decl, size, [s.wire() for s in signals]))

    with api.scope(type(circuit).__name__):
        bound.define(api)

    for decl, _, wires in provisional:
        if decl.kind == "output" and not set(wires) <= api.outputs_set:
            raise CircuitError(f"output {decl.name!r} was never given a value (api.set_output)")

    # Final layout: 0, outputs, public inputs, private inputs (declaration order), internals.
    ordered = sorted(provisional, key=lambda item: _GROUP_ORDER[item[0].kind])
    perm = [-1] * api.n_slots  # wire slot -> final wire; -1 for slots that are not wires
    perm[ONE] = 0
    next_wire = 1
    specs: list[InputSpec] = []
    for decl, size, wires in ordered:
        final = []
        for w in wires:
            perm[w] = next_wire
            final.append(next_wire)
            next_wire += 1
        specs.append(InputSpec(decl.name, decl.kind, size, tuple(final)))
    for w in api.wires:
        if perm[w] < 0:
            perm[w] = next_wire
            next_wire += 1

    def remap(terms: dict[int, int]) -> tuple[tuple[int, int], ...]:
        return tuple(sorted((perm[w], c) for w, c in terms.items()))

    constraints = [(remap(a), remap(b), remap(c)) for a, b, c in api.constraints]
    count = {
        k: sum(len(s.wires) for s in specs if s.kind == k) for k in ("output", "public", "private")
    }
    r1cs = R1CS(
        n_wires=len(api.wires),
        n_pub_out=count["output"],
        n_pub_in=count["public"],
        n_prv_in=count["private"],
        constraints=constraints,
    )
    return CompiledCircuit(
        type(circuit).__name__, r1cs, api.origins, specs, api.steps, perm, api.n_slots, bound
    )


class CompiledCircuit:
    """An R1CS with the origin of every constraint, and the solver that fills its witness."""

    def __init__(
        self,
        name: str,
        r1cs: R1CS,
        origins: list[Origin],
        inputs: list[InputSpec],
        steps: list[Step],
        perm: list[int],
        n_slots: int,
        bound: Circuit,
    ) -> None:
        self.name = name
        self.r1cs = r1cs
        self.origins = origins
        self.inputs = inputs
        self.instance = bound  # the circuit object define() ran on (signals captured there)
        self._steps = steps
        self._perm = perm  # wire slot -> final wire (-1: not a wire)
        self._n_slots = n_slots
        self._unperm = [0] * r1cs.n_wires  # final wire -> slot
        for slot, f in enumerate(perm):
            if f >= 0:
                self._unperm[f] = slot

    # ---- counts ----

    @property
    def n_constraints(self) -> int:
        return self.r1cs.n_constraints

    def wire(self, signal: LC | int) -> int:
        """The final wire index of a signal captured during define()."""
        if isinstance(signal, int):
            return signal
        return self._perm[signal.wire()]

    def describe(self, index: int) -> str:
        """'constraint i (gadget at file:line)' for error messages."""
        return f"constraint {index} ({self.origins[index]})"

    # ---- solving ----

    def _assign_inputs(self, values: Mapping[str, int | Sequence[int]]) -> dict[int, int]:
        given = dict(values)
        out: dict[int, int] = {}
        for spec in self.inputs:
            if spec.kind == "output":
                if spec.name in given:
                    raise errors.ArgumentError(f"{spec.name!r} is an output: the solver sets it")
                continue
            if spec.name not in given:
                raise errors.ArgumentError(f"missing input {spec.name!r}")
            value = given.pop(spec.name)
            items: Sequence[Any]
            if spec.shape is None:
                items = [value]
            else:
                if isinstance(value, int | str | bytes) or not isinstance(value, Sequence):
                    raise errors.ArgumentError(
                        f"input {spec.name!r} takes a list of {spec.shape} values"
                    )
                items = value
                if len(items) != spec.shape:
                    raise errors.ArgumentError(
                        f"input {spec.name!r} takes {spec.shape} values, got {len(items)}"
                    )
            for wire, item in zip(spec.wires, items, strict=True):
                try:
                    out[wire] = Fr.canonical(item)
                except errors.NonCanonicalError:
                    raise errors.NonCanonicalError(
                        f"input {spec.name!r}: {item} is not a canonical Fr element (0 <= v < r)"
                    ) from None
                except errors.ArgumentError:
                    raise errors.ArgumentError(
                        f"input {spec.name!r}: expected an int, got {type(item).__name__}"
                    ) from None
        if given:
            raise errors.ArgumentError(f"unknown input(s): {', '.join(sorted(given))}")
        return out

    def witness(
        self,
        values: Mapping[str, int | Sequence[int]],
        overrides: Mapping[LC | int, int] | None = None,
    ) -> list[int]:
        """Run the solver WITHOUT checking constraints; `overrides` fix chosen wires' values.

        This is the tool of soundness tests: override a hint (a bit, an inverse), let every
        later step recompute from it, then ask the R1CS whether it notices. Keys are signals
        captured in define() or final wire indices.
        """
        final = self._assign_inputs(values)
        v: list[int | None] = [None] * self._n_slots
        v[ONE] = 1
        slot_of = self._unperm
        for wire, value in final.items():
            v[slot_of[wire]] = value
        fixed: dict[int, int] = {}
        for key, value in (overrides or {}).items():
            wire = self.wire(key)
            if not 0 < wire < self.r1cs.n_wires:
                raise errors.ArgumentError(f"override of wire {wire}: no such wire")
            fixed[slot_of[wire]] = value % R
        for slot, value in fixed.items():
            v[slot] = value
        self._run(v, fixed)
        witness = [v[slot] for slot in slot_of]
        if any(x is None for x in witness):  # pragma: no cover - every wire has a step
            raise CircuitError("the solver left a wire unset")
        return witness  # type: ignore[return-value]

    def _run(self, v: list[Any], fixed: Mapping[int, int]) -> None:
        try:
            for step in self._steps:
                op = step[0]
                if op == LIN:
                    acc = step[3]
                    for slot, k in step[2]:
                        acc += k * v[slot]
                    v[step[1]] = acc % R
                elif op == MUL:
                    if step[1] not in fixed:
                        v[step[1]] = v[step[2]] * v[step[3]] % R
                elif op == COPY:
                    if step[1] not in fixed:
                        v[step[1]] = v[step[2]]
                elif not all(o in fixed for o in step[1]):
                    self._run_hint(step, v, fixed)
        except TypeError:  # None arithmetic: a slot read before any step wrote it
            raise CircuitError(
                "a signal was used before its value was set (an output read before api.set_output?)"
            ) from None

    def _run_hint(self, step: Step, v: list[Any], fixed: Mapping[int, int]) -> None:
        _, outs, fn, args, origin = step
        values = [c if s is None else v[s] for s, c in args]
        if any(x is None for x in values):
            raise TypeError("unset hint input")
        try:
            result = fn(*values)
            results = [result] if isinstance(result, numbers.Integral) else list(result)
            results = [int(x) % R for x in results]
        except Exception as exc:  # any failure of user code: name the hint's line
            raise SolveError(f"{self.name}: the hint of {origin} failed: {exc!r}") from exc
        if len(results) != len(outs):
            raise CircuitError(
                f"hint at {origin} returned {len(results)} values, expected {len(outs)}"
            )
        for o, x in zip(outs, results, strict=True):
            if o not in fixed:
                v[o] = x

    def solve(self, values: Mapping[str, int | Sequence[int]]) -> list[int]:
        """The full witness (circom's wire order) for these inputs; every constraint checked."""
        witness = self.witness(values)
        self.check(witness)
        return witness

    def check(self, witness: Sequence[int]) -> None:
        """Raise UnsatisfiedError naming the first failing constraint's gadget and line."""
        first = self.r1cs.first_unsatisfied(witness)
        if first is not None:
            raise UnsatisfiedError(
                f"{self.name}: {self.describe(first)} is not satisfied", first, self.origins[first]
            )

    def public_signals(self, witness: Sequence[int]) -> list[int]:
        """Outputs then public inputs, as snarkjs's public.json lists them."""
        return self.r1cs.public_signals(witness)
