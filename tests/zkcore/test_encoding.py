"""Point encodings (zkcore/encoding.py): round trips, known layouts, and every kind of invalid
input rejected with a typed error."""

from __future__ import annotations

import json

import numpy as np
import pytest
from py_ecc import optimized_bn128 as ecc

from tests.zkcore.curve_helpers import from_ecc, twist_point_off_subgroup
from zkcore import encoding as enc
from zkcore import errors
from zkcore.curve import G1, G2, R
from zkcore.field import Fp

P = Fp.modulus


def g1_points(rng: np.random.Generator) -> list[object]:
    ks = [1, 2, R - 1] + [int(k) for k in rng.integers(1, 2**62, size=4)]
    return [G1.mul(G1.generator, k) for k in ks] + [None]


def g2_points(rng: np.random.Generator) -> list[object]:
    ks = [1, 2, R - 1] + [int(k) for k in rng.integers(1, 2**62, size=4)]
    return [G2.mul(G2.generator, k) for k in ks] + [None]


# ---- square roots ----


def test_fp_sqrt(rng: np.random.Generator) -> None:
    for a in [0, 1, 4, P - 1] + [int(x) for x in Fp.random(20, rng).to_ints()]:
        r = enc.fp_sqrt(a)
        if r is None:
            assert pow(a, (P - 1) // 2, P) == P - 1  # Euler: a non-residue
        else:
            assert r * r % P == a


def test_fp2_sqrt(rng: np.random.Generator) -> None:
    vals = [int(x) for x in Fp.random(40, rng).to_ints()]
    cases = [(0, 0), (1, 0), (P - 1, 0), (0, 1), (3, 0), (5, 0)] + list(
        zip(vals[::2], vals[1::2], strict=True)
    )
    found = 0
    for a in cases:
        r = enc.fp2_sqrt(a)
        if r is None:
            # a is a non-square in Fp2 exactly when its norm is a non-square in Fp
            norm = (a[0] * a[0] + a[1] * a[1]) % P
            assert pow(norm, (P - 1) // 2, P) == P - 1
        else:
            found += 1
            fa = ecc.FQ2(list(r)) ** 2
            assert (int(fa.coeffs[0]), int(fa.coeffs[1])) == a
    assert found > 5


# ---- Ethereum layout ----


def test_eth_round_trip_and_layout(rng: np.random.Generator) -> None:
    for p in g1_points(rng):
        data = enc.g1_to_eth(p)
        assert len(data) == 64 and enc.g1_from_eth(data) == p
    assert enc.g1_to_eth(G1.generator) == (1).to_bytes(32, "big") + (2).to_bytes(32, "big")
    for q in g2_points(rng):
        data = enc.g2_to_eth(q)
        assert len(data) == 128 and enc.g2_from_eth(data) == q
    (x0, x1), (y0, y1) = G2.generator  # type: ignore[misc]
    # EIP-197: imaginary part first
    assert enc.g2_to_eth(G2.generator)[:32] == x1.to_bytes(32, "big")
    assert enc.g2_to_eth(G2.generator)[96:] == y0.to_bytes(32, "big")


def test_eth_invalid_rejected() -> None:
    good1 = enc.g1_to_eth(G1.generator)
    with pytest.raises(errors.EncodingError):
        enc.g1_from_eth(good1[:63])
    with pytest.raises(errors.EncodingError):
        enc.g1_from_eth(good1 + b"\0")
    with pytest.raises(errors.EncodingError):
        enc.g1_from_eth("00" * 64)  # type: ignore[arg-type]
    with pytest.raises(errors.NonCanonicalError):
        enc.g1_from_eth((1 + P).to_bytes(32, "big") + (2).to_bytes(32, "big"))
    with pytest.raises(errors.NonCanonicalError):
        enc.g1_from_eth((1).to_bytes(32, "big") + (2 + P).to_bytes(32, "big"))
    with pytest.raises(errors.NotOnCurveError):
        enc.g1_from_eth((1).to_bytes(32, "big") + (3).to_bytes(32, "big"))
    with pytest.raises(errors.NotOnCurveError):  # (0, 1): not all zero, so not infinity
        enc.g1_from_eth(bytes(63) + b"\x01")
    good2 = enc.g2_to_eth(G2.generator)
    with pytest.raises(errors.EncodingError):
        enc.g2_from_eth(good2[:127])
    for i in range(4):  # each of the four coordinates >= p
        bad = bytearray(good2)
        bad[32 * i : 32 * i + 32] = (
            int.from_bytes(good2[32 * i : 32 * i + 32], "big") + P
        ).to_bytes(32, "big")
        with pytest.raises(errors.NonCanonicalError):
            enc.g2_from_eth(bytes(bad))
    swapped = good2[32:64] + good2[:32] + good2[64:]  # (c0, c1) order: not on the twist
    with pytest.raises(errors.NotOnCurveError):
        enc.g2_from_eth(swapped)
    q = twist_point_off_subgroup(1)
    (x0, x1), (y0, y1) = q  # type: ignore[misc]
    raw = b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0))
    with pytest.raises(errors.NotInSubgroupError):
        enc.g2_from_eth(raw)
    with pytest.raises(errors.NotInSubgroupError):
        enc.g2_to_eth(q)  # type: ignore[arg-type]


def test_eth_arrays_match_single_point_codec(rng: np.random.Generator) -> None:
    for group, pts, single in (
        (G1, g1_points(rng), enc.g1_to_eth),
        (G2, g2_points(rng), enc.g2_to_eth),
    ):
        data = b"".join(single(p) for p in pts)  # type: ignore[arg-type]
        arr = enc.array_from_eth(group, data)
        assert arr.to_points() == pts
        assert enc.array_to_eth(arr) == data
        assert len(enc.array_from_eth(group, b"")) == 0


def test_eth_arrays_invalid_rejected() -> None:
    good = enc.g2_to_eth(G2.generator)
    with pytest.raises(errors.EncodingError):
        enc.array_from_eth(G2, good[:-1])
    with pytest.raises(errors.EncodingError):
        enc.array_from_eth(G1, "ab")  # type: ignore[arg-type]
    with pytest.raises(errors.NonCanonicalError):
        enc.array_from_eth(G1, enc.g1_to_eth(G1.generator) + P.to_bytes(32, "big") + bytes(32))
    with pytest.raises(errors.NotOnCurveError, match="point 1"):
        enc.array_from_eth(G1, enc.g1_to_eth(G1.generator) + (1).to_bytes(32, "big") * 2)
    q = twist_point_off_subgroup(5)
    (x0, x1), (y0, y1) = q  # type: ignore[misc]
    bad = b"".join(v.to_bytes(32, "big") for v in (x1, x0, y1, y0))
    with pytest.raises(errors.NotInSubgroupError, match="point 2"):
        enc.array_from_eth(G2, good + good + bad)
    assert len(enc.array_from_eth(G2, good + bad, validate=False)) == 2


# ---- compressed ----


def test_compressed_round_trip(rng: np.random.Generator) -> None:
    for p in g1_points(rng):
        data = enc.g1_compress(p)
        assert len(data) == 32 and enc.g1_decompress(data) == p
        if p is not None:  # -P differs only in the sign flag
            assert enc.g1_compress(G1.neg(p))[0] ^ data[0] == enc.FLAG_LARGEST
    for q in g2_points(rng):
        data = enc.g2_compress(q)
        assert len(data) == 64 and enc.g2_decompress(data) == q
        if q is not None:
            assert enc.g2_compress(G2.neg(q))[0] ^ data[0] == enc.FLAG_LARGEST
    assert enc.g1_compress(None) == b"\x80" + bytes(31)
    assert enc.g2_compress(None) == b"\x80" + bytes(63)
    assert enc.g1_compress(G1.generator) == (1).to_bytes(32, "big")  # y = 2 is the smaller root


def test_compressed_g2_sign_with_zero_imaginary_y() -> None:
    """The 'largest' rule falls back to y.c0 when y.c1 = 0; both roots must round-trip."""
    # find a twist point with y.c1 = 0 is impractical; check the rule directly instead
    assert enc._fp2_largest((P - 1, 0)) and not enc._fp2_largest((1, 0))
    assert enc._fp2_largest((0, P - 1)) and not enc._fp2_largest((P - 1, 1))


def test_compressed_invalid_rejected() -> None:
    good1 = enc.g1_compress(G1.mul(G1.generator, 5))
    with pytest.raises(errors.EncodingError):
        enc.g1_decompress(good1[:31])
    with pytest.raises(errors.EncodingError):
        enc.g1_decompress(good1 + b"\0")
    with pytest.raises(errors.EncodingError):  # both flags
        enc.g1_decompress(b"\xc0" + bytes(31))
    with pytest.raises(errors.EncodingError):  # infinity flag with a nonzero x
        enc.g1_decompress(b"\x80" + bytes(30) + b"\x01")
    with pytest.raises(errors.NonCanonicalError):  # x >= p (flags masked off)
        enc.g1_decompress(P.to_bytes(32, "big"))
    with pytest.raises(errors.NonCanonicalError):
        enc.g1_decompress(bytes([0x3F]) + b"\xff" * 31)
    x = next(x for x in range(1, 100) if enc.fp_sqrt((x**3 + 3) % P) is None)
    with pytest.raises(errors.NotOnCurveError):  # x^3 + 3 is not a square
        enc.g1_decompress(x.to_bytes(32, "big"))
    good2 = enc.g2_compress(G2.mul(G2.generator, 5))
    with pytest.raises(errors.EncodingError):
        enc.g2_decompress(good2[:63])
    with pytest.raises(errors.EncodingError):
        enc.g2_decompress(b"\xc0" + bytes(63))
    with pytest.raises(errors.EncodingError):
        enc.g2_decompress(b"\x80" + bytes(62) + b"\x01")
    with pytest.raises(errors.NonCanonicalError):  # x.c1 >= p
        enc.g2_decompress(P.to_bytes(32, "big") + good2[32:])
    with pytest.raises(errors.NonCanonicalError):  # x.c0 >= p
        enc.g2_decompress(bytes([good2[0] & 0x3F]) + good2[1:32] + P.to_bytes(32, "big"))
    not_on = next(
        x for x in range(1, 100) if enc.fp2_sqrt(((x**3 + enc._B2[0]) % P, enc._B2[1])) is None
    )
    with pytest.raises(errors.NotOnCurveError):
        enc.g2_decompress(bytes(32) + not_on.to_bytes(32, "big"))
    q = twist_point_off_subgroup(2)
    (x0, x1), _ = q  # type: ignore[misc]
    with pytest.raises(errors.NotInSubgroupError):  # on the twist, outside G2
        enc.g2_decompress(x1.to_bytes(32, "big") + x0.to_bytes(32, "big"))
    with pytest.raises(errors.NotInSubgroupError):
        enc.g2_decompress(
            bytes([(x1 >> 248) | 0x40]) + x1.to_bytes(32, "big")[1:] + x0.to_bytes(32, "big")
        )


def test_compress_rejects_invalid_points() -> None:
    with pytest.raises(errors.NotOnCurveError):
        enc.g1_compress((1, 3))
    with pytest.raises(errors.NonCanonicalError):
        enc.g1_to_json((1 + P, 2))


# ---- snarkjs JSON ----


def test_json_round_trip_and_layout(rng: np.random.Generator) -> None:
    for p in g1_points(rng):
        obj = json.loads(json.dumps(enc.g1_to_json(p)))
        assert enc.g1_from_json(obj) == p
    for q in g2_points(rng):
        obj = json.loads(json.dumps(enc.g2_to_json(q)))
        assert enc.g2_from_json(obj) == q
    assert enc.g1_to_json(G1.generator) == ["1", "2", "1"]
    assert enc.g1_to_json(None) == ["0", "1", "0"]
    assert enc.g2_to_json(None) == [["0", "0"], ["1", "0"], ["0", "0"]]
    (x0, x1), (y0, y1) = from_ecc(G2, ecc.G2)  # type: ignore[misc]
    assert enc.g2_to_json(G2.generator) == [[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]]


@pytest.mark.parametrize(
    "obj, error",
    [
        (["1", "2"], errors.EncodingError),
        (["1", "2", "1", "1"], errors.EncodingError),
        ("1,2,1", errors.EncodingError),
        ([1, 2, 1], errors.EncodingError),
        (["1", "2", "2"], errors.EncodingError),  # z other than 1
        (["01", "2", "1"], errors.EncodingError),  # leading zero
        (["-1", "2", "1"], errors.EncodingError),
        (["0x1", "2", "1"], errors.EncodingError),
        ([" 1", "2", "1"], errors.EncodingError),
        (["1", "0", "0"], errors.EncodingError),  # malformed infinity
        (["0", "0", "0"], errors.EncodingError),
        ([str(P + 1), "2", "1"], errors.NonCanonicalError),
        (["1", str(P + 2), "1"], errors.NonCanonicalError),
        (["1", "3", "1"], errors.NotOnCurveError),
        (["0", "0", "1"], errors.NotOnCurveError),
    ],
)
def test_g1_json_invalid_rejected(obj: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        enc.g1_from_json(obj)


def test_g2_json_invalid_rejected() -> None:
    good = enc.g2_to_json(G2.generator)
    bad_cases: list[tuple[object, type[Exception]]] = [
        (good[:2], errors.EncodingError),
        ([good[0], good[1], ["1"]], errors.EncodingError),
        ([good[0], good[1], ["2", "0"]], errors.EncodingError),
        ([good[0], good[1], ["1", "1"]], errors.EncodingError),
        ([[good[0][0]], good[1], good[2]], errors.EncodingError),
        ([[good[0][0], 5], good[1], good[2]], errors.EncodingError),
        ([["0", "0"], ["0", "0"], ["0", "0"]], errors.EncodingError),
        ([[str(P), good[0][1]], good[1], good[2]], errors.NonCanonicalError),
        ([[good[0][1], good[0][0]], good[1], good[2]], errors.NotOnCurveError),
    ]
    q = twist_point_off_subgroup(3)
    (x0, x1), (y0, y1) = q  # type: ignore[misc]
    bad_cases.append(
        ([[str(x0), str(x1)], [str(y0), str(y1)], ["1", "0"]], errors.NotInSubgroupError)
    )
    for obj, error in bad_cases:
        with pytest.raises(error):
            enc.g2_from_json(obj)
