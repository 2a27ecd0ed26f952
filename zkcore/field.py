"""BN254's prime fields: Fp (base field, p) and Fr (scalar field, r).

Two layers:
  * `PrimeField` scalar helpers on plain Python ints, for code that is not hot, and the
    readable oracle that the C path is tested against;
  * `FieldArray`, a vector of elements held as an (n, 4) uint64 numpy array in Montgomery
    form, whose every operation runs in C (native/field.c) over the whole vector.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from zkcore import errors
from zkcore._native import FP, FR
from zkcore._native import field as _c

Byteorder = Literal["little", "big"]
_MASK64 = (1 << 64) - 1


def ints_to_limbs(values: Iterable[int]) -> np.ndarray:
    """Python ints in [0, 2^256) -> (n, 4) little-endian uint64 limbs, vectorised by numpy."""
    obj = np.fromiter(values, dtype=object) if not isinstance(values, np.ndarray) else values
    obj = np.asarray(obj, dtype=object).reshape(-1)
    out = np.empty((len(obj), 4), dtype=np.uint64)
    if len(obj) == 0:
        return out
    try:
        if (obj < 0).any() or ((obj >> 256) != 0).any():
            raise errors.ArgumentError("field element out of the 256-bit range")
        for i in range(4):
            out[:, i] = ((obj >> (64 * i)) & _MASK64).astype(np.uint64)
    except TypeError as exc:
        raise errors.ArgumentError(f"field elements must be ints: {exc}") from None
    return out


def limbs_to_ints(limbs: np.ndarray) -> list[int]:
    """(n, 4) little-endian uint64 limbs -> Python ints, vectorised by numpy."""
    obj = limbs.astype(object)
    return list(obj[:, 0] | (obj[:, 1] << 64) | (obj[:, 2] << 128) | (obj[:, 3] << 192))


@dataclass(frozen=True)
class PrimeField:
    """One of BN254's two prime fields; scalar helpers work on canonical Python ints."""

    name: str
    modulus: int
    native_id: int

    # ---- scalar helpers on Python ints (not hot paths) ----

    def canonical(self, value: int) -> int:
        """Return value if 0 <= value < modulus, else raise NonCanonicalError."""
        if not isinstance(value, int) or isinstance(value, bool):
            raise errors.ArgumentError(f"{self.name} element must be an int, got {type(value)}")
        if not 0 <= value < self.modulus:
            raise errors.NonCanonicalError(f"{value} is not a canonical {self.name} element")
        return value

    def add(self, a: int, b: int) -> int:
        return (a + b) % self.modulus

    def sub(self, a: int, b: int) -> int:
        return (a - b) % self.modulus

    def neg(self, a: int) -> int:
        return -a % self.modulus

    def mul(self, a: int, b: int) -> int:
        return a * b % self.modulus

    def square(self, a: int) -> int:
        return a * a % self.modulus

    def pow(self, a: int, e: int) -> int:
        return pow(a, e, self.modulus)

    def inv(self, a: int) -> int:
        if a % self.modulus == 0:
            raise errors.ZeroInverseError(f"inverse of zero in {self.name}")
        return pow(a, -1, self.modulus)

    def div(self, a: int, b: int) -> int:
        return a * self.inv(b) % self.modulus

    def random_int(self) -> int:
        """A uniform element from the OS's secure random source."""
        return secrets.randbelow(self.modulus)

    # ---- vectors, computed in C ----

    def array(self, values: Iterable[int], *, strict: bool = True) -> FieldArray:
        """Elements from Python ints; strict rejects values >= modulus, else reduces them."""
        return FieldArray(self, _c.to_mont(self.native_id, ints_to_limbs(values), strict))

    def from_canonical_limbs(self, limbs: np.ndarray, *, strict: bool = True) -> FieldArray:
        """Elements from an (n, 4) uint64 array of canonical little-endian limbs."""
        return FieldArray(self, _c.to_mont(self.native_id, limbs, strict))

    def from_bytes(
        self, data: bytes, *, byteorder: Byteorder = "little", strict: bool = True
    ) -> FieldArray:
        """Elements from consecutive 32-byte encodings of canonical values."""
        mont = _c.from_bytes(self.native_id, bytes(data), byteorder == "big", strict)
        return FieldArray(self, mont)

    def zeros(self, n: int) -> FieldArray:
        return FieldArray(self, np.zeros((n, 4), dtype=np.uint64))

    def ones(self, n: int) -> FieldArray:
        return self.array([1] * n)

    def random(self, n: int, rng: np.random.Generator | None = None) -> FieldArray:
        """n elements: uniform from `secrets` by default, or reproducible from a numpy rng."""
        if rng is None:
            return self.array([secrets.randbelow(self.modulus) for _ in range(n)])
        limbs = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64, endpoint=False)
        limbs[:, 3] >>= np.uint64(2)  # < 2^254: reduction then biases negligibly for tests
        return FieldArray(self, _c.to_mont(self.native_id, limbs, strict=False))

    def is_canonical_limbs(self, limbs: np.ndarray) -> bool:
        """True if every row of canonical limbs is < modulus."""
        return _c.is_canonical(self.native_id, limbs)


class FieldArray:
    """A vector of field elements in Montgomery form; operations run in C on whole vectors."""

    __slots__ = ("field", "mont")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, field: PrimeField, mont: np.ndarray) -> None:
        self.field = field
        self.mont = mont  # (n, 4) uint64, C-contiguous, Montgomery form, < modulus

    # ---- shape ----

    def __len__(self) -> int:
        return len(self.mont)

    def __getitem__(self, index: int | slice) -> FieldArray | int:
        if isinstance(index, slice):
            return FieldArray(self.field, np.ascontiguousarray(self.mont[index]))
        # fancy indexing: a contiguous one-row copy, negative indices, IndexError when out
        return limbs_to_ints(_c.from_mont(self.field.native_id, self.mont[[index]]))[0]

    def copy(self) -> FieldArray:
        return FieldArray(self.field, self.mont.copy())

    @staticmethod
    def concat(parts: Sequence[FieldArray]) -> FieldArray:
        field = parts[0].field
        return FieldArray(field, np.ascontiguousarray(np.concatenate([p.mont for p in parts])))

    # ---- conversion ----

    def to_ints(self) -> list[int]:
        return limbs_to_ints(_c.from_mont(self.field.native_id, self.mont))

    def canonical_limbs(self) -> np.ndarray:
        return _c.from_mont(self.field.native_id, self.mont)

    def to_bytes(self, byteorder: Byteorder = "little") -> bytes:
        return _c.to_bytes(self.field.native_id, self.mont, byteorder == "big")

    # ---- arithmetic ----

    def _other(self, other: FieldArray | int) -> np.ndarray | None:
        if isinstance(other, FieldArray):
            if other.field is not self.field:
                raise errors.ArgumentError(f"cannot mix {self.field.name} and {other.field.name}")
            if len(other) != len(self):
                raise errors.ArgumentError(f"length mismatch: {len(self)} vs {len(other)}")
            return other.mont
        return None

    def _scalar(self, value: int) -> np.ndarray:
        return self.field.array([value % self.field.modulus]).mont

    def __add__(self, other: FieldArray | int) -> FieldArray:
        o = self._other(other)
        if o is None:
            o = np.broadcast_to(self._scalar(other), self.mont.shape).copy()  # type: ignore[arg-type]
        return FieldArray(self.field, _c.add(self.field.native_id, self.mont, o))

    def __sub__(self, other: FieldArray | int) -> FieldArray:
        o = self._other(other)
        if o is None:
            o = np.broadcast_to(self._scalar(other), self.mont.shape).copy()  # type: ignore[arg-type]
        return FieldArray(self.field, _c.sub(self.field.native_id, self.mont, o))

    def __mul__(self, other: FieldArray | int) -> FieldArray:
        o = self._other(other)
        if o is None:
            return FieldArray(
                self.field,
                _c.scale(self.field.native_id, self.mont, self._scalar(other)),  # type: ignore[arg-type]
            )
        return FieldArray(self.field, _c.mul(self.field.native_id, self.mont, o))

    __radd__ = __add__
    __rmul__ = __mul__

    def __neg__(self) -> FieldArray:
        return FieldArray(self.field, _c.neg(self.field.native_id, self.mont))

    def square(self) -> FieldArray:
        return FieldArray(self.field, _c.square(self.field.native_id, self.mont))

    def __pow__(self, exponent: int) -> FieldArray:
        if exponent < 0:
            return self.inverse() ** (-exponent)
        return FieldArray(self.field, _c.pow_(self.field.native_id, self.mont, exponent))

    def inverse(self) -> FieldArray:
        """Element-wise inverse by Montgomery's trick; ZeroInverseError on any zero."""
        return FieldArray(self.field, _c.inverse(self.field.native_id, self.mont))

    def dot(self, other: FieldArray) -> int:
        """Inner product sum(self[i] * other[i]) as a Python int."""
        o = self._other(other)
        mont = _c.inner_product(self.field.native_id, self.mont, o)  # type: ignore[arg-type]
        return limbs_to_ints(_c.from_mont(self.field.native_id, mont))[0]

    def sum(self) -> int:
        return limbs_to_ints(
            _c.from_mont(self.field.native_id, _c.sum_(self.field.native_id, self.mont))
        )[0]

    def equals(self, other: FieldArray) -> bool:
        """True if both vectors have the same field, length and elements."""
        return other.field is self.field and _c.equal(self.field.native_id, self.mont, other.mont)

    def __eq__(self, other: object) -> bool:  # type: ignore[override]
        return isinstance(other, FieldArray) and self.equals(other)

    def __repr__(self) -> str:
        head = ", ".join(str(v) for v in self[:3].to_ints())  # type: ignore[union-attr]
        more = ", ..." if len(self) > 3 else ""
        return f"{self.field.name}[{head}{more}] (n={len(self)})"


Fp = PrimeField("Fp", _c.modulus(FP), FP)
Fr = PrimeField("Fr", _c.modulus(FR), FR)

P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
assert Fp.modulus == P and Fr.modulus == R, "C core disagrees with the BN254 moduli"
