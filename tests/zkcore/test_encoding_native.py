"""Compressed point decoding in C (native/decompress.c via zkcore.encoding and
zkcore._native.decompress) against two oracles: the former pure-Python decoder (kept here) and
py_ecc for the curve arithmetic. Every valid case has invalid twins that must raise the same
typed error as the Python decoder did."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from py_ecc import optimized_bn128 as ecc

from tests.zkcore.curve_helpers import from_ecc, to_ecc
from zkcore import encoding as enc
from zkcore import errors
from zkcore._native import decompress as native
from zkcore.curve import G1, G2, Group, R
from zkcore.field import Fp

P = Fp.modulus
HALF = (P - 1) // 2
B2 = (int(ecc.b2.coeffs[0]), int(ecc.b2.coeffs[1]))  # 3 / (9 + u)
INF, LARGEST = 0x80, 0x40
TYPED = (
    errors.EncodingError,
    errors.NonCanonicalError,
    errors.NotOnCurveError,
    errors.NotInSubgroupError,
)


# ---- the oracle: the pure-Python decoder zkcore.encoding had before decompress.c ----


# The square roots stay in zkcore.encoding as plain Python (other tests use them too).
py_fp_sqrt, py_fp2_sqrt = enc.fp_sqrt, enc.fp2_sqrt


def py_largest(y: int | tuple[int, int]) -> bool:
    if isinstance(y, int):
        return y > HALF
    return y[1] > HALF if y[1] else y[0] > HALF


def py_split(data: bytes) -> tuple[int, bytes]:
    flags = data[0] & (INF | LARGEST)
    rest = bytes([data[0] & 0x3F]) + data[1:]
    if flags & INF and (flags & LARGEST or any(rest)):
        raise errors.EncodingError("infinity flag with other bits set")
    return flags, rest


def py_coord(data: bytes) -> int:
    value = int.from_bytes(data, "big")
    if value >= P:
        raise errors.NonCanonicalError("not < p")
    return value


def py_g1_decompress(data: bytes) -> Any:
    flags, rest = py_split(data)
    if flags & INF:
        return None
    x = py_coord(rest)
    y = py_fp_sqrt((x**3 + 3) % P)
    if y is None:
        raise errors.NotOnCurveError("no point")
    if py_largest(y) != bool(flags & LARGEST):
        y = P - y
    return G1.validate((x, y))


def py_g2_decompress(data: bytes) -> Any:
    flags, rest = py_split(data)
    if flags & INF:
        return None
    x1 = py_coord(rest[:32])  # wire order: x.c1 first, so it is checked first
    x0 = py_coord(rest[32:])
    x = (x0, x1)
    x3 = enc._fp2_mul(enc._fp2_mul(x, x), x)
    y = py_fp2_sqrt(((x3[0] + B2[0]) % P, (x3[1] + B2[1]) % P))
    if y is None:
        raise errors.NotOnCurveError("no point")
    if py_largest(y) != bool(flags & LARGEST):
        y = (-y[0] % P, -y[1] % P)
    return G2.validate((x, y))


DECODERS: dict[str, tuple[Callable[[bytes], Any], Callable[[bytes], Any], int]] = {
    "G1": (enc.g1_decompress, py_g1_decompress, 32),
    "G2": (enc.g2_decompress, py_g2_decompress, 64),
}


def outcome(decode: Callable[[bytes], Any], data: bytes) -> Any:
    """The decoded point, or the typed error class raised."""
    try:
        return decode(data)
    except TYPED as exc:
        return type(exc)


def assert_same_as_oracle(group: str, data: bytes) -> Any:
    new, old, _ = DECODERS[group]
    got = outcome(new, data)
    assert got == outcome(old, data), data.hex()
    return got


# ---- encodings built by hand (independent of zkcore's compress) ----


def g1_bytes(x: int, flags: int = 0) -> bytes:
    out = bytearray(x.to_bytes(32, "big"))
    out[0] |= flags
    return bytes(out)


def g2_bytes(x: tuple[int, int], flags: int = 0) -> bytes:
    out = bytearray(x[1].to_bytes(32, "big") + x[0].to_bytes(32, "big"))
    out[0] |= flags
    return bytes(out)


def ecc_points(group: Group, rng: np.random.Generator, count: int) -> list[Any]:
    """Random subgroup points made by py_ecc multiplication of the generator."""
    gen = ecc.G1 if group is G1 else ecc.G2
    ks = [1, 2, R - 1] + [int(k) for k in rng.integers(1, 2**62, size=count)]
    return [from_ecc(group, ecc.multiply(gen, k)) for k in ks]


# ---- valid points ----


def test_g1_round_trip_and_y_against_py_ecc(rng: np.random.Generator) -> None:
    flags_seen = set()
    for point in ecc_points(G1, rng, 8):
        x, y = point
        flag = LARGEST if y > HALF else 0
        flags_seen.add(flag)
        assert enc.g1_compress(point) == g1_bytes(x, flag)
        assert enc.g1_decompress(g1_bytes(x, flag)) == point
        assert enc.g1_decompress(g1_bytes(x, flag ^ LARGEST)) == (x, P - y)  # -point
        ex, ey = ecc.normalize(to_ecc(G1, point))
        assert ey**2 == ex**3 + ecc.b  # py_ecc agrees the recovered y is on the curve
    assert flags_seen == {0, LARGEST}
    assert enc.g1_decompress(g1_bytes(1)) == G1.generator  # (1, 2): 2 is the smaller root


def test_g2_round_trip_and_y_against_py_ecc(rng: np.random.Generator) -> None:
    flags_seen = set()
    for point in ecc_points(G2, rng, 6):
        x, y = point
        flag = LARGEST if py_largest(y) else 0
        flags_seen.add(flag)
        assert enc.g2_compress(point) == g2_bytes(x, flag)
        assert enc.g2_decompress(g2_bytes(x, flag)) == point
        neg = from_ecc(G2, ecc.neg(to_ecc(G2, point)))
        assert enc.g2_decompress(g2_bytes(x, flag ^ LARGEST)) == neg
        assert neg == (x, ((-y[0]) % P, (-y[1]) % P))
    assert flags_seen == {0, LARGEST}


def test_points_from_zkcore_round_trip(rng: np.random.Generator) -> None:
    for k in [3, 7] + [int(k) for k in rng.integers(1, 2**62, size=4)]:
        p, q = G1.mul(G1.generator, k), G2.mul(G2.generator, k)
        assert enc.g1_decompress(enc.g1_compress(p)) == p
        assert enc.g2_decompress(enc.g2_compress(q)) == q
        assert_same_as_oracle("G1", enc.g1_compress(p))
        assert_same_as_oracle("G2", enc.g2_compress(q))


def test_decoders_accept_bytes_like() -> None:
    data = enc.g2_compress(G2.generator)
    assert enc.g2_decompress(bytearray(data)) == G2.generator
    assert enc.g2_decompress(memoryview(data)) == G2.generator


def test_infinity() -> None:
    assert enc.g1_decompress(b"\x80" + bytes(31)) is None
    assert enc.g2_decompress(b"\x80" + bytes(63)) is None
    for group, size in (("G1", 32), ("G2", 64)):
        decode = DECODERS[group][0]
        bad = [b"\xc0" + bytes(size - 1), b"\x80" + bytes(size - 2) + b"\x01"]
        bad += [bytes([0x80 | bit]) + bytes(size - 1) for bit in (0x01, 0x10, 0x20)]
        bad += [b"\x80" + bytes(k - 1) + b"\x01" + bytes(size - k - 1) for k in (1, 16, size - 1)]
        for data in bad:
            with pytest.raises(errors.EncodingError):
                decode(data)
            assert_same_as_oracle(group, data)
    # x.c0 (the second word) has no flag bits: any nonzero byte there spoils infinity too
    with pytest.raises(errors.EncodingError):
        enc.g2_decompress(b"\x80" + bytes(32) + b"\x01" + bytes(30))


def test_x_zero_decodes_like_the_oracle() -> None:
    """x = 0 without the infinity flag is an ordinary x: a point if b is a square."""
    for flag in (0, LARGEST):
        got = assert_same_as_oracle("G1", g1_bytes(0, flag))
        if py_fp_sqrt(3) is not None:
            assert got[0] == 0 and got[1] ** 2 % P == 3
        assert_same_as_oracle("G2", g2_bytes((0, 0), flag))


def test_no_point_with_y_zero() -> None:
    """y = 0 would be a 2-torsion point; neither curve has one (odd orders): -b is no cube."""
    assert pow(-3 % P, (P - 1) // 3, P) != 1
    assert (-ecc.b2) ** ((P * P - 1) // 3) != ecc.FQ2.one()


# ---- invalid encodings ----


@pytest.mark.parametrize("x", [P, P + 1, 2**254 - 1, P + 2**200])
@pytest.mark.parametrize("flag", [0, LARGEST])
def test_g1_noncanonical_x(x: int, flag: int) -> None:
    with pytest.raises(errors.NonCanonicalError):
        enc.g1_decompress(g1_bytes(x, flag))
    assert_same_as_oracle("G1", g1_bytes(x, flag))
    with pytest.raises(errors.EncodingError):  # with the infinity flag it is a bad infinity
        enc.g1_decompress(g1_bytes(x, INF))


@pytest.mark.parametrize("flag", [0, LARGEST])
def test_g2_noncanonical_x(flag: int) -> None:
    good = G2.generator[0]  # type: ignore[index]
    for x in [(good[0], P), (good[0], 2**254 - 1), (P, good[1]), (P, P)]:
        with pytest.raises(errors.NonCanonicalError):
            enc.g2_decompress(g2_bytes(x, flag))
        assert_same_as_oracle("G2", g2_bytes(x, flag))
    # x.c0 is a full 32-byte word: 2^256 - 1 must be rejected, not masked
    data = g2_bytes((0, good[1]), flag)[:32] + b"\xff" * 32
    with pytest.raises(errors.NonCanonicalError):
        enc.g2_decompress(data)


def test_g1_x_without_square_root() -> None:
    xs = [x for x in list(range(60)) + [P - 1, P - 2] if py_fp_sqrt((x**3 + 3) % P) is None]
    assert len(xs) > 5
    for x in xs:
        assert pow((x**3 + 3) % P, HALF, P) == P - 1  # Euler's criterion, independently
        for flag in (0, LARGEST):
            with pytest.raises(errors.NotOnCurveError):
                enc.g1_decompress(g1_bytes(x, flag))


def test_g2_x_without_square_root() -> None:
    xs = [
        (x0, x1)
        for x0 in range(1, 12)
        for x1 in range(0, 3)
        if py_fp2_sqrt(_rhs2((x0, x1))) is None
    ][:5]
    assert xs
    for x in xs:
        rhs = ecc.FQ2(list(x)) ** 3 + ecc.b2
        assert rhs ** ((P * P - 1) // 2) != ecc.FQ2.one()  # a non-square in Fp2 (py_ecc)
        for flag in (0, LARGEST):
            with pytest.raises(errors.NotOnCurveError):
                enc.g2_decompress(g2_bytes(x, flag))


def _rhs2(x: tuple[int, int]) -> tuple[int, int]:
    x3 = enc._fp2_mul(enc._fp2_mul(x, x), x)
    return ((x3[0] + B2[0]) % P, (x3[1] + B2[1]) % P)


def _twist_points(count: int, rng: np.random.Generator) -> list[tuple[Any, Any]]:
    found = []
    while len(found) < count:
        x = (int(rng.integers(0, 2**62)), int(rng.integers(0, 2**62)))
        y = py_fp2_sqrt(_rhs2(x))
        if y is not None:
            found.append((x, y))
    return found


def test_g2_on_twist_outside_subgroup(rng: np.random.Generator) -> None:
    for x, y in _twist_points(2, rng):
        pt = to_ecc(G2, (x, y))
        assert ecc.is_on_curve(pt, ecc.b2)
        assert not ecc.is_inf(ecc.multiply(pt, R))  # py_ecc: the order is not r
        for flag in (0, LARGEST):
            with pytest.raises(errors.NotInSubgroupError):
                enc.g2_decompress(g2_bytes(x, flag))
            assert_same_as_oracle("G2", g2_bytes(x, flag))


def test_g2_real_right_hand_side() -> None:
    """x^3 + b' in Fp (imaginary part 0) takes the sqrt's a1 = 0 branch, whose roots are
    (r, 0) (y.c1 = 0: the sign rule falls back to c0) or (0, r); such x exist: x = (x0, x1)
    with 3 x0^2 x1 - x1^3 = -b'_1. These points are on the twist, so decoding must get past
    the square root (NotInSubgroupError, not NotOnCurveError)."""
    kinds = set()
    for x1 in range(1, 200):
        x0 = py_fp_sqrt((x1**3 - B2[1]) * pow(3 * x1, -1, P) % P)
        if x0 is None:
            continue
        rhs = _rhs2((x0, x1))
        assert rhs[1] == 0
        kind = "real" if py_fp_sqrt(rhs[0]) is not None else "imaginary"
        if kind in kinds:
            continue
        kinds.add(kind)
        for flag in (0, LARGEST):
            with pytest.raises(errors.NotInSubgroupError):
                enc.g2_decompress(g2_bytes((x0, x1), flag))
            assert_same_as_oracle("G2", g2_bytes((x0, x1), flag))
        if len(kinds) == 2:
            break
    assert kinds == {"real", "imaginary"}


@pytest.mark.parametrize("group, size", [("G1", 32), ("G2", 64)])
def test_wrong_length_and_type(group: str, size: int) -> None:
    decode = DECODERS[group][0]
    for data in [b"", bytes(size - 1), bytes(size + 1)]:
        with pytest.raises(errors.EncodingError):
            decode(data)
    with pytest.raises(errors.EncodingError):
        decode("00" * size)  # type: ignore[arg-type]


# ---- the vector entry point (n points per C call) ----


def test_decompress_array_matches_curve_arrays(rng: np.random.Generator) -> None:
    pts = ecc_points(G1, rng, 3) + [None]
    data = b"".join(enc.g1_compress(p) for p in pts)
    assert np.array_equal(native.decompress_array("g1", data), G1.array(pts).aff)
    qs = ecc_points(G2, rng, 2) + [None]
    data2 = b"".join(enc.g2_compress(q) for q in qs)
    assert np.array_equal(native.decompress_array("g2", data2), G2.array(qs).aff)
    assert native.decompress_array("g1", b"").shape == (0, 8)


def test_decompress_array_reports_first_bad_index(rng: np.random.Generator) -> None:
    good = enc.g1_compress(G1.mul(G1.generator, 9))
    with pytest.raises(errors.NonCanonicalError, match="point 2"):
        native.decompress_array("g1", good + good + g1_bytes(P) + b"\xc0" + bytes(31))
    with pytest.raises(errors.EncodingError, match="point 1"):
        native.decompress_array("g1", good + b"\xc0" + bytes(31))
    ((x, _),) = _twist_points(1, rng)
    good2 = enc.g2_compress(G2.generator)
    with pytest.raises(errors.NotInSubgroupError, match="point 1"):
        native.decompress_array("g2", good2 + g2_bytes(x))
    with pytest.raises(errors.EncodingError):
        native.decompress_array("g2", good2[:40])


# ---- property: native decode == the old Python decode on arbitrary bytes ----


def _near_valid(group: Group) -> st.SearchStrategy[bytes]:
    """Encodings of real points, then a flag byte and one byte possibly overwritten."""
    size = 32 * group.degree
    compress = enc.g1_compress if group is G1 else enc.g2_compress

    def build(k: int, flags: int, at: int, value: int, tweak: bool) -> bytes:
        out = bytearray(compress(group.mul(group.generator, k)))
        out[0] = (out[0] & 0x3F) | flags
        if tweak:
            out[at % size] = value
        return bytes(out)

    return st.builds(
        build,
        st.integers(1, R - 1),
        st.sampled_from([0, LARGEST, INF, INF | LARGEST]),
        st.integers(0, size - 1),
        st.integers(0, 255),
        st.booleans(),
    )


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.one_of(st.binary(min_size=32, max_size=32), _near_valid(G1)))
def test_property_g1_matches_oracle(data: bytes) -> None:
    assert_same_as_oracle("G1", data)


@FUZZ
@given(st.one_of(st.binary(min_size=64, max_size=64), _near_valid(G2)))
def test_property_g2_matches_oracle(data: bytes) -> None:
    assert_same_as_oracle("G2", data)


@FUZZ
@given(st.binary(max_size=70))
def test_property_any_length_raises_typed_or_decodes(data: bytes) -> None:
    for group in ("G1", "G2"):
        new, old, size = DECODERS[group]
        got = outcome(new, data)
        if len(data) != size:
            assert got is errors.EncodingError
        else:
            assert got == outcome(old, data)


def test_decompress_benchmark_runs_and_agrees() -> None:
    """`zkcore bench decompress` checks native == Python decode before timing; tiny run."""
    from zkcore.bench import BenchOptions, load_all

    result = load_all()["decompress"](BenchOptions(count=2, repeat=1))
    assert result.n == 2 and result.baseline_median_ms is not None
