"""The C field core (native/field.c) against galois and Python ints, for Fr and Fp alike."""

from __future__ import annotations

import functools

import galois
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zkcore import errors
from zkcore.field import FieldArray, Fp, Fr, PrimeField, ints_to_limbs

FIELDS = [pytest.param(Fr, id="Fr"), pytest.param(Fp, id="Fp")]
N_RANDOM = 10_000


# Known primitive elements: without them galois spends minutes factoring m - 1.
PRIMITIVE_ELEMENT = {Fr.modulus: 5, Fp.modulus: 3}


@functools.cache
def gf(modulus: int) -> type[galois.FieldArray]:
    return galois.GF(modulus, primitive_element=PRIMITIVE_ELEMENT[modulus], verify=False)


def test_primitive_elements_are_quadratic_non_residues() -> None:
    """The primitive elements handed to galois are at least non-squares (a generator must be)."""
    for field, g in ((Fr, 5), (Fp, 3)):
        m = field.modulus
        assert pow(g, m - 1, m) == 1 and pow(g, (m - 1) // 2, m) == m - 1


def edges(m: int) -> list[int]:
    """Values where limb carries and the modulus boundary bite."""
    return [
        0,
        1,
        2,
        m - 1,
        m - 2,
        (m - 1) // 2,
        (m + 1) // 2,
        2**64 - 1,
        2**64,
        2**128,
        2**192 - 1,
        2**192,
        2**253,
        m - 2**64,
    ]


def random_ints(field: PrimeField, rng: np.random.Generator, n: int) -> list[int]:
    raw = rng.integers(0, 2**64, size=(n, 4), dtype=np.uint64).astype(object)
    vals = raw[:, 0] | (raw[:, 1] << 64) | (raw[:, 2] << 128) | (raw[:, 3] << 192)
    return [int(v) % field.modulus for v in vals]


@pytest.fixture(params=FIELDS)
def field(request: pytest.FixtureRequest) -> PrimeField:
    return request.param


@pytest.fixture
def operands(field: PrimeField, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """N_RANDOM random pairs, then every pair of edge values."""
    e = edges(field.modulus)
    xs = random_ints(field, rng, N_RANDOM) + [a for a in e for _ in e]
    ys = random_ints(field, rng, N_RANDOM) + [b for _ in e for b in e]
    return xs, ys


def test_moduli_are_bn254() -> None:
    p = 21888242871839275222246405745257275088696311157297823662689037894645226208583
    r = 21888242871839275222246405745257275088548364400416034343698204186575808495617
    assert (Fp.modulus, Fr.modulus) == (p, r)


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
def test_binary_ops_match_galois(field: PrimeField, operands, op: str) -> None:
    xs, ys = operands
    a, b = field.array(xs), field.array(ys)
    result = {"add": a + b, "sub": a - b, "mul": a * b}[op]
    assert field.is_canonical_limbs(result.mont), "Montgomery outputs must be fully reduced"
    ours = result.to_ints()
    g = gf(field.modulus)
    ga, gb = g(xs), g(ys)
    expected = {"add": ga + gb, "sub": ga - gb, "mul": ga * gb}[op]
    assert ours == [int(v) for v in expected]


def test_unary_ops_match_python_ints(field: PrimeField, operands) -> None:
    xs, _ = operands
    m = field.modulus
    a = field.array(xs)
    for result in (-a, a.square(), a.inverse() if 0 not in xs else a):
        assert field.is_canonical_limbs(result.mont), "Montgomery outputs must be fully reduced"
    assert (-a).to_ints() == [-x % m for x in xs]
    assert a.square().to_ints() == [x * x % m for x in xs]


def test_inverse_matches_galois(field: PrimeField, operands) -> None:
    xs = [x for x in operands[0] if x != 0]
    inv = field.array(xs).inverse().to_ints()
    g = gf(field.modulus)
    assert inv == [int(v) for v in g(xs) ** -1]
    assert inv[:100] == [field.inv(x) for x in xs[:100]]


@pytest.mark.parametrize("exponent", [0, 1, 2, 3, 65537, 2**64 + 5, 2**255 + 19])
def test_pow_matches_python(field: PrimeField, rng, exponent: int) -> None:
    xs = random_ints(field, rng, 200) + edges(field.modulus)
    assert (field.array(xs) ** exponent).to_ints() == [pow(x, exponent, field.modulus) for x in xs]


def test_negative_pow_inverts(field: PrimeField, rng) -> None:
    xs = [x or 1 for x in random_ints(field, rng, 50)]
    assert (field.array(xs) ** -3).to_ints() == [pow(x, -3, field.modulus) for x in xs]


def test_scalar_ops(field: PrimeField, rng) -> None:
    xs = random_ints(field, rng, 500)
    a, m = field.array(xs), field.modulus
    assert (a * 7).to_ints() == [7 * x % m for x in xs]
    assert (a * (m - 1)).to_ints() == [-x % m for x in xs]
    assert (a + 5).to_ints() == [(x + 5) % m for x in xs]
    assert (a - 5).to_ints() == [(x - 5) % m for x in xs]


def test_inner_product_and_sum(field: PrimeField, operands) -> None:
    xs, ys = operands
    m = field.modulus
    expected = sum(x * y for x, y in zip(xs, ys, strict=True)) % m
    assert field.array(xs).dot(field.array(ys)) == expected
    assert field.array(xs).sum() == sum(xs) % m
    assert field.array([]).sum() == 0


def test_inverse_of_zero_raises_and_leaves_input(field: PrimeField) -> None:
    a = field.array([3, 0, 5])
    before = a.mont.copy()
    with pytest.raises(errors.ZeroInverseError):
        a.inverse()
    assert np.array_equal(a.mont, before)
    with pytest.raises(errors.ZeroInverseError):
        field.inv(0)


def test_inverse_of_empty_and_single(field: PrimeField) -> None:
    assert field.array([]).inverse().to_ints() == []
    assert field.array([field.modulus - 1]).inverse().to_ints() == [field.modulus - 1]


def test_round_trip_ints(field: PrimeField, operands) -> None:
    xs, _ = operands
    assert field.array(xs).to_ints() == xs


@pytest.mark.parametrize("bad", [lambda m: m, lambda m: m + 1, lambda m: 2**256 - 1])
def test_noncanonical_ints_rejected_or_reduced(field: PrimeField, bad) -> None:
    value = bad(field.modulus)
    with pytest.raises(errors.NonCanonicalError):
        field.array([1, value])
    assert field.array([value], strict=False).to_ints() == [value % field.modulus]
    with pytest.raises(errors.NonCanonicalError):
        field.canonical(value)


@pytest.mark.parametrize("bad", [-1, 2**256, "7", 1.5])
def test_out_of_range_or_wrong_type_rejected(field: PrimeField, bad) -> None:
    with pytest.raises(errors.ArgumentError):
        field.array([bad])


@pytest.mark.parametrize("byteorder", ["little", "big"])
def test_bytes_round_trip_matches_python(field: PrimeField, operands, byteorder) -> None:
    xs, _ = operands
    data = b"".join(x.to_bytes(32, byteorder) for x in xs)
    a = field.from_bytes(data, byteorder=byteorder)
    assert a.to_ints() == xs
    assert a.to_bytes(byteorder) == data


@pytest.mark.parametrize("byteorder", ["little", "big"])
def test_noncanonical_bytes_rejected(field: PrimeField, byteorder) -> None:
    good = (5).to_bytes(32, byteorder)
    bad = field.modulus.to_bytes(32, byteorder)
    with pytest.raises(errors.NonCanonicalError):
        field.from_bytes(good + bad, byteorder=byteorder)
    assert field.from_bytes(bad, byteorder=byteorder, strict=False).to_ints() == [0]


def test_bytes_of_wrong_length_rejected(field: PrimeField) -> None:
    with pytest.raises(errors.EncodingError):
        field.from_bytes(b"\x00" * 33)


def test_canonical_limbs_check(field: PrimeField) -> None:
    m = field.modulus
    assert field.is_canonical_limbs(ints_to_limbs([0, m - 1]))
    assert not field.is_canonical_limbs(ints_to_limbs([0, m]))


def test_mixing_fields_or_lengths_rejected() -> None:
    with pytest.raises(errors.ArgumentError):
        Fr.array([1]) + Fp.array([1])
    with pytest.raises(errors.ArgumentError):
        Fr.array([1, 2]) * Fr.array([1])


def test_equality_and_slicing(field: PrimeField) -> None:
    a = field.array([1, 2, 3, 4])
    assert a == field.array([1, 2, 3, 4])
    assert a != field.array([1, 2, 3, 5])
    assert a[1:3] == field.array([2, 3])
    assert a[-1] == 4 and a[0] == 1
    assert FieldArray.concat([a[:2], a[2:]]) == a


@given(
    st.lists(st.integers(min_value=0, max_value=Fr.modulus - 1), min_size=1, max_size=20),
    st.integers(min_value=1, max_value=Fr.modulus - 1),
)
def test_field_laws_fr(xs: list[int], k: int) -> None:
    a = Fr.array(xs)
    assert ((a * k) * Fr.inv(k)).to_ints() == xs
    assert (a + a).to_ints() == (a * 2).to_ints()
    assert (a - a).sum() == 0


def test_scalar_helpers(field: PrimeField) -> None:
    m = field.modulus
    assert field.add(m - 1, 2) == 1
    assert field.sub(0, 1) == m - 1
    assert field.mul(field.div(5, 7), 7) == 5
    assert 0 <= field.random_int() < m


@pytest.mark.parametrize("op", ["add", "sub", "mul", "square", "neg", "scale"])
def test_large_vectors_split_across_cores_agree(field: PrimeField, rng, op: str) -> None:
    """Vectors past the parallel threshold (32768) take the multi-threaded path."""
    n, m = 70_001, field.modulus
    xs, ys = random_ints(field, rng, n), random_ints(field, rng, n)
    a, b = field.array(xs), field.array(ys)
    ours = {
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "square": a.square,
        "neg": lambda: -a,
        "scale": lambda: a * 12345,
    }[op]().to_ints()
    expected = {
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "square": lambda x, y: x * x,
        "neg": lambda x, y: -x,
        "scale": lambda x, y: x * 12345,
    }[op]
    assert ours == [expected(x, y) % m for x, y in zip(xs, ys, strict=True)]
