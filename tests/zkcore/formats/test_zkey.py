"""The snarkjs .zkey format: known answers, round trips, and every kind of malformed file.

Keys here are synthetic (random valid points written by our writer); tests/interop/
test_zkey_snarkjs.py checks real snarkjs files and snarkjs reading ours.
"""

from __future__ import annotations

import struct
from dataclasses import replace

import numpy as np
import pytest

from zkcore import errors
from zkcore.curve import G1, G2, P, PointArray
from zkcore.encoding import _B2, fp2_sqrt
from zkcore.field import FieldArray, Fp, Fr
from zkcore.formats import read_container, write_container, zkey
from zkcore.groth16.keys import ProvingKey, QAPCoefficients, VerifyingKey

R = Fr.modulus
MONT = 1 << 256


def random_points(group, n: int, rng: np.random.Generator) -> PointArray:  # type: ignore[no-untyped-def]
    return group.array([group.generator] * n).scale(Fr.random(n, rng))


def synthetic_pk(
    rng: np.random.Generator, n_vars: int = 6, n_public: int = 2, domain_size: int = 8
) -> ProvingKey:
    """A structurally valid key of random points (not a sound setup: formats only)."""
    ic = random_points(G1, n_public + 1, rng).to_points()
    singles = random_points(G1, 3, rng).to_points() + random_points(G2, 3, rng).to_points()
    a = random_points(G1, n_vars, rng)
    # infinity must survive: an unused signal's A point is the point at infinity
    a.aff[1] = 0
    n_coeffs = 9
    coeffs = QAPCoefficients(
        matrix=rng.integers(0, 2, n_coeffs).astype(np.uint8),
        constraint=rng.integers(0, domain_size, n_coeffs).astype(np.uint32),
        signal=rng.integers(0, n_vars, n_coeffs).astype(np.uint32),
        value=Fr.array([1, R - 1, 2, 0] + [Fr.random_int() for _ in range(n_coeffs - 4)]),
    )
    return ProvingKey(
        vk=VerifyingKey(singles[0], singles[3], singles[4], singles[5], ic),  # type: ignore[arg-type]
        beta_g1=singles[1],  # type: ignore[arg-type]
        delta_g1=singles[2],  # type: ignore[arg-type]
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain_size,
        coeffs=coeffs,
        a_query=a,
        b_g1_query=random_points(G1, n_vars, rng),
        b_g2_query=random_points(G2, n_vars, rng),
        c_query=random_points(G1, n_vars - n_public - 1, rng),
        h_query=random_points(G1, domain_size, rng),
    )


def assert_pk_equal(a: ProvingKey, b: ProvingKey) -> None:
    assert a.vk == b.vk
    assert (a.beta_g1, a.delta_g1) == (b.beta_g1, b.delta_g1)
    assert (a.n_vars, a.n_public, a.domain_size) == (b.n_vars, b.n_public, b.domain_size)
    for name in ("matrix", "constraint", "signal"):
        assert np.array_equal(getattr(a.coeffs, name), getattr(b.coeffs, name))
    assert a.coeffs.value == b.coeffs.value
    for name in ("a_query", "b_g1_query", "b_g2_query", "c_query", "h_query"):
        assert getattr(a, name) == getattr(b, name), name


@pytest.fixture
def pk(rng: np.random.Generator) -> ProvingKey:
    return synthetic_pk(rng)


@pytest.fixture
def data(pk: ProvingKey) -> bytes:
    return zkey.dumps(pk)


def section(data: bytes, kind: int) -> tuple[int, int]:
    """(offset, size) of a section's body."""
    _, sections = read_container(data, b"zkey", (1,), "test")
    (s,) = [s for s in sections if s.kind == kind]
    return s.offset, s.size


def patch(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


def mont_bytes(values: list[int]) -> bytes:
    return b"".join((v * MONT % P).to_bytes(32, "little") for v in values)


# ---- known answers and round trips


def test_round_trip_is_exact(pk: ProvingKey, data: bytes) -> None:
    back = zkey.loads(data)
    assert_pk_equal(pk, back)
    assert zkey.dumps(back) == data
    assert back.a_query[1] is None  # infinity round-trips


def test_file_round_trip_keeps_contributions_and_order(data: bytes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pk = zkey.loads(data)
    contrib = bytes(range(64)) + struct.pack("<I", 0)
    other = zkey.dumps(pk, contributions=contrib, section_order=zkey.NEW_ZKEY_ORDER)
    parsed = zkey.read_zkey_file(other)
    assert parsed.contributions == contrib and parsed.section_order == zkey.NEW_ZKEY_ORDER
    assert zkey.dumps_file(parsed) == other
    path = tmp_path / "k.zkey"
    zkey.write_zkey(pk, path)
    assert path.read_bytes() == data
    assert_pk_equal(zkey.read_zkey(path), pk)
    # a key without section 10 (snarkjs's writeZKey omits it) reads too
    bare = zkey.dumps(pk, contributions=None)
    assert zkey.read_zkey_file(bare).contributions is None


def test_points_are_montgomery_little_endian(pk: ProvingKey, data: bytes) -> None:
    off, _ = section(data, zkey.GROTH_HEADER)
    pos = off + 2 * 36 + 12
    x, y = pk.vk.alpha_g1  # type: ignore[misc]
    assert data[pos : pos + 64] == mont_bytes([x, y])
    (x0, x1), (y0, y1) = pk.vk.beta_g2  # type: ignore[misc]
    assert data[pos + 128 : pos + 256] == mont_bytes([x0, x1, y0, y1])
    off, size = section(data, zkey.POINTS_A)
    assert data[off + 64 : off + 128] == bytes(64)  # infinity is all zeros


def test_coefficients_are_doubly_montgomery(pk: ProvingKey, data: bytes) -> None:
    off, size = section(data, zkey.COEFFS)
    assert struct.unpack_from("<I", data, off)[0] == len(pk.coeffs)
    values = pk.coeffs.value.to_ints()
    for i in range(len(pk.coeffs)):
        m, c, s = struct.unpack_from("<III", data, off + 4 + 44 * i)
        stored = int.from_bytes(data[off + 16 + 44 * i : off + 48 + 44 * i], "little")
        assert (m, c, s) == (pk.coeffs.matrix[i], pk.coeffs.constraint[i], pk.coeffs.signal[i])
        assert stored == values[i] * MONT * MONT % R


# ---- malformed files: a typed error, never struct.error/IndexError


def test_truncated_files_are_rejected(data: bytes) -> None:
    for cut in (0, 3, 11, 20, 100, len(data) // 2, len(data) - 1):
        with pytest.raises(errors.EncodingError):
            zkey.loads(data[:cut])
    with pytest.raises(errors.EncodingError, match="trailing"):
        zkey.loads(data + b"\0")


def test_bad_magic_version_protocol(data: bytes) -> None:
    with pytest.raises(errors.EncodingError, match="magic"):
        zkey.loads(b"ptau" + data[4:])
    with pytest.raises(errors.EncodingError, match="version"):
        zkey.loads(patch(data, 4, struct.pack("<I", 2)))
    off, _ = section(data, zkey.HEADER)
    with pytest.raises(errors.EncodingError, match="not groth16"):
        zkey.loads(patch(data, off, struct.pack("<I", 2)))


@pytest.mark.parametrize("which", [0, 1])  # q, r
def test_wrong_prime(data: bytes, which: int) -> None:
    off, _ = section(data, zkey.GROTH_HEADER)
    pos = off + 36 * which + 4
    wrong = (P if which else R).to_bytes(32, "little")  # the other BN254 prime
    with pytest.raises(errors.EncodingError, match="not BN254"):
        zkey.loads(patch(data, pos, wrong))
    with pytest.raises(errors.EncodingError, match="not BN254"):
        zkey.loads(patch(data, pos - 4, struct.pack("<I", 48)))


def test_off_curve_point(pk: ProvingKey, data: bytes) -> None:
    x, y = pk.vk.ic[1]  # type: ignore[misc]
    off, _ = section(data, zkey.IC)
    with pytest.raises(errors.NotOnCurveError, match="IC"):
        zkey.loads(patch(data, off + 64, mont_bytes([x, (y + 1) % P])))
    off, _ = section(data, zkey.GROTH_HEADER)
    with pytest.raises(errors.NotOnCurveError, match="header"):
        zkey.loads(patch(data, off + 84, mont_bytes([1, 3])))  # alpha1


def test_non_canonical_coordinate(data: bytes) -> None:
    off, _ = section(data, zkey.POINTS_H)
    with pytest.raises(errors.NonCanonicalError, match="H"):
        zkey.loads(patch(data, off + 64 * 3, P.to_bytes(32, "little")))
    off, _ = section(data, zkey.POINTS_B2)
    with pytest.raises(errors.NonCanonicalError, match="B2"):
        zkey.loads(patch(data, off + 32, (2**256 - 1).to_bytes(32, "little")))


def twist_point_outside_subgroup() -> tuple[int, int, int, int]:
    """A point on the G2 twist that is not in the order-r subgroup (cofactor ~ r)."""
    for x0 in range(1, 100):
        x = (x0, 0)
        x3 = ((x0**3 + _B2[0]) % P, _B2[1])
        y = fp2_sqrt(x3)
        if y is not None and not G2.is_in_subgroup((x, y)):
            assert G2.is_on_curve((x, y))
            return (x[0], x[1], y[0], y[1])
    raise AssertionError("no twist point found")


def test_off_subgroup_g2_point(data: bytes) -> None:
    bad = mont_bytes(list(twist_point_outside_subgroup()))
    off, _ = section(data, zkey.POINTS_B2)
    with pytest.raises(errors.NotInSubgroupError, match="B2"):
        zkey.loads(patch(data, off + 128 * 2, bad))
    off, _ = section(data, zkey.GROTH_HEADER)
    with pytest.raises(errors.NotInSubgroupError, match="header"):
        zkey.loads(patch(data, off + 84 + 128 + 128, bad))  # gamma2


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        (0, 1, "cannot hold"),  # n_vars = 1 < 1 + n_public
        (2, 12, "power of two"),
        (1, 3, "IC section"),  # n_public 3: IC and C sizes disagree
        (0, 7, "A section"),  # n_vars 7: A has 6 points
        (2, 16, "coefficient|H section"),
    ],
)
def test_counts_mismatch(data: bytes, field: int, value: int, match: str) -> None:
    off, _ = section(data, zkey.GROTH_HEADER)
    with pytest.raises(errors.EncodingError, match=match):
        zkey.loads(patch(data, off + 72 + 4 * field, struct.pack("<I", value)))


def test_section_sizes_and_sets(pk: ProvingKey, data: bytes) -> None:
    # a section one point short, with the container still consistent
    short = replace(pk, h_query=pk.h_query[:7])  # type: ignore[arg-type]
    with pytest.raises(errors.ArgumentError):
        zkey.dumps(short)
    parts = {k: data[o : o + s] for k, (o, s) in ((k, section(data, k)) for k in range(1, 11))}

    def build(sections: list[tuple[int, bytes]]) -> bytes:
        return write_container(b"zkey", 1, sections)

    base = [(k, parts[k]) for k in range(1, 11)]
    with pytest.raises(errors.EncodingError, match="H section"):
        zkey.loads(build([(k, b[:-64] if k == 9 else b) for k, b in base]))
    with pytest.raises(errors.EncodingError, match="type 5"):
        zkey.loads(build([(k, b) for k, b in base if k != 5]))
    with pytest.raises(errors.EncodingError, match="type 3"):
        zkey.loads(build(base + [(3, parts[3])]))
    with pytest.raises(errors.EncodingError, match="unexpected section type 11"):
        zkey.loads(build(base + [(11, b"")]))
    with pytest.raises(errors.EncodingError, match="coefficients section"):
        zkey.loads(build([(k, b + b"\0" if k == 4 else b) for k, b in base]))
    with pytest.raises(errors.EncodingError, match="contributions"):
        zkey.loads(build([(k, b[:60] if k == 10 else b) for k, b in base]))
    with pytest.raises(errors.EncodingError, match="contribution 0"):
        zkey.loads(build([(k, b[:64] + struct.pack("<I", 1) if k == 10 else b) for k, b in base]))


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [(0, 2, "matrix 2"), (1, 8, "constraint 8"), (2, 6, "signal 6")],
)
def test_coefficient_indices_out_of_range(data: bytes, column: int, value: int, match: str) -> None:
    off, _ = section(data, zkey.COEFFS)
    with pytest.raises(errors.EncodingError, match=match):
        zkey.loads(patch(data, off + 4 + 44 * 2 + 4 * column, struct.pack("<I", value)))


def test_non_canonical_coefficient(data: bytes) -> None:
    off, _ = section(data, zkey.COEFFS)
    with pytest.raises(errors.NonCanonicalError, match="coefficient 1"):
        zkey.loads(patch(data, off + 4 + 44 + 12, R.to_bytes(32, "little")))


def test_contribution_points_are_validated(data: bytes) -> None:
    pk = zkey.loads(data)
    g1 = mont_bytes([1, 2])
    g2 = mont_bytes([c for pair in G2.generator for c in pair])  # type: ignore[union-attr]
    entry = g1 * 3 + g2 + bytes(64) + struct.pack("<II", 0, 0)
    good = bytes(64) + struct.pack("<I", 1) + entry
    assert zkey.read_zkey_file(zkey.dumps(pk, contributions=good)).n_contributions == 1
    bad = bytes(64) + struct.pack("<I", 1) + mont_bytes([1, 3]) + entry[64:]
    with pytest.raises(errors.NotOnCurveError, match="contribution 0"):
        zkey.loads(zkey.dumps(pk, contributions=bad))


def test_writer_rejects_inconsistent_keys(pk: ProvingKey) -> None:
    with pytest.raises(errors.ArgumentError):
        zkey.dumps(replace(pk, domain_size=12))
    with pytest.raises(errors.ArgumentError):
        zkey.dumps(replace(pk, b_g2_query=pk.b_g1_query))
    with pytest.raises(errors.ArgumentError):
        zkey.dumps(replace(pk, vk=replace(pk.vk, ic=pk.vk.ic[:2])))
    bad = replace(pk.coeffs, signal=pk.coeffs.signal + np.uint32(6))
    with pytest.raises(errors.ArgumentError, match="signal"):
        zkey.dumps(replace(pk, coeffs=bad))
    value = FieldArray(Fr, pk.coeffs.value.mont[:3])
    with pytest.raises(errors.ArgumentError, match="lengths"):
        zkey.dumps(replace(pk, coeffs=replace(pk.coeffs, value=value)))
    assert Fp.modulus == P


def test_random_corruptions_give_typed_errors(data: bytes, rng: np.random.Generator) -> None:
    """Flipped bytes anywhere: a typed zkcore error or a still-valid key, never a crash."""
    accepted = 0
    for _ in range(400):
        buf = bytearray(data)
        for pos in rng.integers(0, len(buf), size=int(rng.integers(1, 4))):
            buf[int(pos)] ^= int(rng.integers(1, 256))
        try:
            zkey.loads(bytes(buf))
            accepted += 1  # e.g. a changed coefficient value or circuit hash byte
        except errors.ZKCoreError:
            pass
    assert accepted < 400
