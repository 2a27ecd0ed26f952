"""snarkjs's Groth16 proving keys (`.zkey`, iden3 binary container), read and written.

Layout (snarkjs 0.7, src/zkey_new.js and src/zkey_utils.js; docs/zkey.md has the details):
  magic "zkey", version 1, then sections (uint32 type, uint64 size, bytes):
   1 header:          uint32 protocol (1 = groth16)
   2 groth16 header:  uint32 n8q (32), q, uint32 n8r (32), r, uint32 n_vars, uint32 n_public,
                      uint32 domain_size, alpha1, beta1, beta2, gamma2, delta1, delta2
   3 IC:              n_public + 1 G1 points
   4 coefficients:    uint32 count, then count x (uint32 matrix, uint32 constraint,
                      uint32 signal, 32-byte value v * R^2 mod r: "doubly Montgomery")
   5 A, 6 B1:         n_vars G1 points each;  7 B2: n_vars G2 points
   8 C:               n_vars - n_public - 1 G1 points;  9 H: domain_size G1 points
  10 contributions:   64-byte circuit hash, uint32 count, the MPC contributions
A point is affine x, y (G2: x.c0, x.c1, y.c0, y.c1), each coordinate in Montgomery form
(x * 2^256 mod p) as 32 little-endian bytes: exactly zkcore.curve's PointArray limbs, so a
section maps onto a numpy array without conversion. Infinity is all zeros.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np

from zkcore import errors
from zkcore._native import field as _field
from zkcore.curve import G1, G2, Group, P, Point, PointArray
from zkcore.field import FieldArray, Fr
from zkcore.formats import FIELD_SIZE, Section, read_container, unique_section, write_container
from zkcore.groth16.keys import ProvingKey, QAPCoefficients, VerifyingKey

MAGIC = b"zkey"
VERSION = 1
GROTH16 = 1
HEADER, GROTH_HEADER, IC, COEFFS, POINTS_A, POINTS_B1, POINTS_B2, POINTS_C, POINTS_H = range(1, 10)
CONTRIBUTIONS = 10
SECTION_ORDER = tuple(range(1, 11))  # what `snarkjs zkey contribute` writes
NEW_ZKEY_ORDER = (1, 2, 4, 3, 9, 8, 5, 6, 7, 10)  # what `snarkjs groth16 setup` writes

G1_SIZE = 2 * FIELD_SIZE
G2_SIZE = 4 * FIELD_SIZE
_Q_BYTES = P.to_bytes(FIELD_SIZE, "little")
_R_BYTES = Fr.modulus.to_bytes(FIELD_SIZE, "little")
_COUNTS = struct.Struct("<III")  # n_vars, n_public, domain_size
GROTH_HEADER_SIZE = 4 + FIELD_SIZE + 4 + FIELD_SIZE + _COUNTS.size + 3 * G1_SIZE + 3 * G2_SIZE
_COEF = np.dtype(
    [("matrix", "<u4"), ("constraint", "<u4"), ("signal", "<u4"), ("value", "<u8", (4,))]
)
_CONTRIBUTION_FIXED = 3 * G1_SIZE + G2_SIZE + 64 + 4 + 4  # points, transcript, type, params len
EMPTY_CONTRIBUTIONS = bytes(64) + struct.pack("<I", 0)  # zero circuit hash, no contributions


@dataclass(frozen=True)
class ZkeyFile:
    """A parsed .zkey: the key plus what only the file holds (kept for byte-exact rewrites)."""

    pk: ProvingKey
    contributions: bytes | None  # section 10's raw body (None if the file has none)
    section_order: tuple[int, ...]  # section types in file order

    @property
    def n_contributions(self) -> int:
        if self.contributions is None:
            return 0
        return int(struct.unpack_from("<I", self.contributions, 64)[0])


# ---- reading ----


def _points(data: bytes, section: Section, group: Group, count: int, what: str) -> PointArray:
    """A section of `count` points, checked in C: canonical, on curve, in the subgroup."""
    size = G1_SIZE if group is G1 else G2_SIZE
    if section.size != count * size:
        raise errors.EncodingError(
            f"zkey: {what} section has {section.size} bytes, expected {count * size} "
            f"for {count} {group.name} points"
        )
    return _point_array(data, section.offset, group, count, what)


def _point_array(data: bytes, offset: int, group: Group, count: int, what: str) -> PointArray:
    width = 2 * group.coord_limbs
    limbs = np.frombuffer(data, dtype="<u8", count=count * width, offset=offset)
    aff = limbs.astype(np.uint64).reshape(count, width)  # a private, writable copy
    try:
        return group.from_affine_limbs(aff, validate=True)
    except (errors.NonCanonicalError, errors.NotOnCurveError, errors.NotInSubgroupError) as exc:
        raise type(exc)(f"zkey: {what}: {exc}") from None


def _coefficients(data: bytes, section: Section, n_vars: int, domain_size: int) -> QAPCoefficients:
    if section.size < 4:
        raise errors.EncodingError("zkey: coefficients section is too short for its count")
    (count,) = struct.unpack_from("<I", data, section.offset)
    if section.size != 4 + count * _COEF.itemsize:
        raise errors.EncodingError(
            f"zkey: coefficients section has {section.size} bytes, expected "
            f"{4 + count * _COEF.itemsize} for the {count} coefficients it declares"
        )
    rec = np.frombuffer(data, dtype=_COEF, count=count, offset=section.offset + 4)
    for name, bound in (("matrix", 2), ("constraint", domain_size), ("signal", n_vars)):
        bad = np.flatnonzero(rec[name] >= bound)
        if len(bad):
            i = int(bad[0])
            raise errors.EncodingError(
                f"zkey: coefficient {i} has {name} {int(rec[name][i])}, expected < {bound}"
            )
    stored = np.ascontiguousarray(rec["value"]).astype(np.uint64)
    if not Fr.is_canonical_limbs(stored):
        r = Fr.modulus
        ints = [int.from_bytes(rec["value"][i].tobytes(), "little") for i in range(count)]
        i = next(k for k, v in enumerate(ints) if v >= r)
        raise errors.NonCanonicalError(f"zkey: coefficient {i}'s value is not canonical (>= r)")
    # stored = v R^2 mod r: one Montgomery reduction gives v R, the FieldArray's form of v
    value = FieldArray(Fr, _field.from_mont(Fr.native_id, stored))
    return QAPCoefficients(
        matrix=rec["matrix"].astype(np.uint8),
        constraint=rec["constraint"].astype(np.uint32),
        signal=rec["signal"].astype(np.uint32),
        value=value,
    )


def _check_contributions(data: bytes, section: Section) -> bytes:
    """Section 10's structure (hash, count, each contribution and its parameters) and points."""
    body = data[section.offset : section.offset + section.size]
    if len(body) < 68:
        raise errors.EncodingError("zkey: contributions section is shorter than its 68-byte head")
    (count,) = struct.unpack_from("<I", body, 64)
    pos = 68
    for i in range(count):
        if pos + _CONTRIBUTION_FIXED > len(body):
            raise errors.EncodingError(f"zkey: contribution {i} runs past its section")
        _point_array(body, pos, G1, 3, f"contribution {i}")
        _point_array(body, pos + 3 * G1_SIZE, G2, 1, f"contribution {i}")
        (n_params,) = struct.unpack_from("<I", body, pos + _CONTRIBUTION_FIXED - 4)
        pos += _CONTRIBUTION_FIXED
        if n_params > len(body) - pos:
            raise errors.EncodingError(f"zkey: contribution {i}'s parameters run past its section")
        pos += n_params
    if pos != len(body):
        raise errors.EncodingError(
            f"zkey: contributions section has {len(body) - pos} bytes after its {count} entries"
        )
    return body


def _single(points: PointArray) -> list[Point]:
    return points.to_points()


def loads_file(data: bytes | bytearray | memoryview) -> ZkeyFile:
    """Parse and validate a .zkey's bytes, keeping its contributions and section order."""
    data = bytes(data)
    _, sections = read_container(data, MAGIC, (VERSION,), "zkey")
    known = set(SECTION_ORDER)
    for s in sections:
        if s.kind not in known:
            raise errors.EncodingError(f"zkey: unexpected section type {s.kind}")
    header = unique_section(sections, HEADER, "zkey")
    if header.size != 4:
        raise errors.EncodingError(f"zkey: header section has {header.size} bytes, expected 4")
    (protocol,) = struct.unpack_from("<I", data, header.offset)
    if protocol != GROTH16:
        raise errors.EncodingError(f"zkey: protocol {protocol} is not groth16 (1)")

    gh = unique_section(sections, GROTH_HEADER, "zkey")
    if gh.size != GROTH_HEADER_SIZE:
        raise errors.EncodingError(
            f"zkey: groth16 header has {gh.size} bytes, expected {GROTH_HEADER_SIZE} (BN254)"
        )
    pos = gh.offset
    for name, expected in (("q", _Q_BYTES), ("r", _R_BYTES)):
        (n8,) = struct.unpack_from("<I", data, pos)
        prime = data[pos + 4 : pos + 4 + FIELD_SIZE]
        if n8 != FIELD_SIZE or prime != expected:
            raise errors.EncodingError(
                f"zkey: {name} = {int.from_bytes(prime, 'little')} ({n8} bytes) is not BN254's"
            )
        pos += 4 + FIELD_SIZE
    n_vars, n_public, domain_size = _COUNTS.unpack_from(data, pos)
    pos += _COUNTS.size
    if n_vars < n_public + 1:
        raise errors.EncodingError(f"zkey: {n_vars} signals cannot hold 1 + {n_public} public")
    if domain_size < n_public + 1 or domain_size & (domain_size - 1):
        raise errors.EncodingError(
            f"zkey: domain size {domain_size} is not a power of two >= n_public + 1"
        )
    g1s = _point_array(data, pos, G1, 2, "header")  # alpha1, beta1
    g2a = _point_array(data, pos + 2 * G1_SIZE, G2, 2, "header")  # beta2, gamma2
    d1 = _point_array(data, pos + 2 * G1_SIZE + 2 * G2_SIZE, G1, 1, "header")
    d2 = _point_array(data, pos + 3 * G1_SIZE + 2 * G2_SIZE, G2, 1, "header")
    alpha1, beta1 = _single(g1s)
    beta2, gamma2 = _single(g2a)
    (delta1,) = _single(d1)
    (delta2,) = _single(d2)

    def sec(kind: int) -> Section:
        return unique_section(sections, kind, "zkey")

    ic = _points(data, sec(IC), G1, n_public + 1, "IC")
    coeffs = _coefficients(data, sec(COEFFS), n_vars, domain_size)
    a = _points(data, sec(POINTS_A), G1, n_vars, "A")
    b1 = _points(data, sec(POINTS_B1), G1, n_vars, "B1")
    b2 = _points(data, sec(POINTS_B2), G2, n_vars, "B2")
    c = _points(data, sec(POINTS_C), G1, n_vars - n_public - 1, "C")
    h = _points(data, sec(POINTS_H), G1, domain_size, "H")
    contrib = [s for s in sections if s.kind == CONTRIBUTIONS]
    if len(contrib) > 1:
        raise errors.EncodingError("zkey: more than one contributions section")
    contributions = _check_contributions(data, contrib[0]) if contrib else None

    vk = VerifyingKey(
        alpha_g1=alpha1,  # type: ignore[arg-type]
        beta_g2=beta2,  # type: ignore[arg-type]
        gamma_g2=gamma2,  # type: ignore[arg-type]
        delta_g2=delta2,  # type: ignore[arg-type]
        ic=ic.to_points(),  # type: ignore[arg-type]
    )
    pk = ProvingKey(
        vk=vk,
        beta_g1=beta1,  # type: ignore[arg-type]
        delta_g1=delta1,  # type: ignore[arg-type]
        n_vars=n_vars,
        n_public=n_public,
        domain_size=domain_size,
        coeffs=coeffs,
        a_query=a,
        b_g1_query=b1,
        b_g2_query=b2,
        c_query=c,
        h_query=h,
    )
    return ZkeyFile(pk, contributions, tuple(s.kind for s in sections))


def loads(data: bytes | bytearray | memoryview) -> ProvingKey:
    """Parse and validate a .zkey's bytes into a ProvingKey."""
    return loads_file(data).pk


def read_zkey_file(source: str | PathLike[str] | bytes | bytearray | memoryview) -> ZkeyFile:
    """Read a .zkey from a path or bytes, with its contributions and section order."""
    if isinstance(source, bytes | bytearray | memoryview):
        return loads_file(source)
    return loads_file(Path(source).read_bytes())


def read_zkey(source: str | PathLike[str] | bytes | bytearray | memoryview) -> ProvingKey:
    """Read and validate a .zkey from a path or bytes."""
    return read_zkey_file(source).pk


# ---- writing ----


def _limbs(group: Group, points: list[Point]) -> bytes:
    return group.array(points, validate=False).aff.astype("<u8").tobytes()


def _array_bytes(arr: PointArray, group: Group, count: int, what: str) -> bytes:
    if not isinstance(arr, PointArray) or arr.group is not group or len(arr) != count:
        raise errors.ArgumentError(f"zkey: {what} must be {count} {group.name} points")
    return arr.aff.astype("<u8").tobytes()


def _coefficients_bytes(coeffs: QAPCoefficients, n_vars: int, domain_size: int) -> bytes:
    n = len(coeffs)
    if not (len(coeffs.constraint) == len(coeffs.signal) == len(coeffs.value) == n):
        raise errors.ArgumentError("zkey: coefficient arrays of different lengths")
    rec = np.empty(n, dtype=_COEF)
    rec["matrix"] = coeffs.matrix
    rec["constraint"] = coeffs.constraint
    rec["signal"] = coeffs.signal
    for name, bound in (("matrix", 2), ("constraint", domain_size), ("signal", n_vars)):
        if n and int(rec[name].max()) >= bound:
            raise errors.ArgumentError(f"zkey: a coefficient's {name} is >= {bound}")
    # v R (the FieldArray's limbs) -> v R^2: Montgomery form of the Montgomery form
    rec["value"] = _field.to_mont(Fr.native_id, np.ascontiguousarray(coeffs.value.mont))
    return struct.pack("<I", n) + rec.tobytes()


def dumps(
    pk: ProvingKey,
    *,
    contributions: bytes | None = EMPTY_CONTRIBUTIONS,
    section_order: tuple[int, ...] = SECTION_ORDER,
) -> bytes:
    """Serialise a ProvingKey as snarkjs's .zkey bytes.

    `contributions` is section 10's body (default: zero circuit hash, no contributions; None
    omits the section); `section_order` lists the section types in file order.
    """
    n_vars, n_public, domain_size = pk.n_vars, pk.n_public, pk.domain_size
    if n_vars < n_public + 1 or domain_size < 1 or domain_size & (domain_size - 1):
        raise errors.ArgumentError("zkey: inconsistent n_vars / n_public / domain_size")
    if len(pk.vk.ic) != n_public + 1:
        raise errors.ArgumentError(f"zkey: {len(pk.vk.ic)} IC points for {n_public} public")
    vk = pk.vk
    header = b"".join(
        [
            struct.pack("<I", FIELD_SIZE),
            _Q_BYTES,
            struct.pack("<I", FIELD_SIZE),
            _R_BYTES,
            _COUNTS.pack(n_vars, n_public, domain_size),
            _limbs(G1, [vk.alpha_g1, pk.beta_g1]),
            _limbs(G2, [vk.beta_g2, vk.gamma_g2]),
            _limbs(G1, [pk.delta_g1]),
            _limbs(G2, [vk.delta_g2]),
        ]
    )
    bodies = {
        HEADER: struct.pack("<I", GROTH16),
        GROTH_HEADER: header,
        IC: _limbs(G1, list(vk.ic)),
        COEFFS: _coefficients_bytes(pk.coeffs, n_vars, domain_size),
        POINTS_A: _array_bytes(pk.a_query, G1, n_vars, "a_query"),
        POINTS_B1: _array_bytes(pk.b_g1_query, G1, n_vars, "b_g1_query"),
        POINTS_B2: _array_bytes(pk.b_g2_query, G2, n_vars, "b_g2_query"),
        POINTS_C: _array_bytes(pk.c_query, G1, n_vars - n_public - 1, "c_query"),
        POINTS_H: _array_bytes(pk.h_query, G1, domain_size, "h_query"),
    }
    if contributions is not None:
        bodies[CONTRIBUTIONS] = bytes(contributions)
    order = [k for k in section_order if k in bodies]
    if sorted(order) != sorted(bodies):
        raise errors.ArgumentError(f"zkey: section order {section_order} misses sections")
    return write_container(MAGIC, VERSION, [(k, bodies[k]) for k in order])


def dumps_file(zkey: ZkeyFile) -> bytes:
    """Serialise a ZkeyFile, reproducing the file it was read from byte for byte."""
    return dumps(zkey.pk, contributions=zkey.contributions, section_order=zkey.section_order)


def write_zkey(
    pk: ProvingKey,
    path: str | PathLike[str],
    *,
    contributions: bytes | None = EMPTY_CONTRIBUTIONS,
    section_order: tuple[int, ...] = SECTION_ORDER,
) -> None:
    """Write a ProvingKey as a snarkjs-compatible .zkey file."""
    Path(path).write_bytes(dumps(pk, contributions=contributions, section_order=section_order))
