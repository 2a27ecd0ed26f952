"""File formats of the ecosystem: iden3's binary containers (`.r1cs`, `.wtns`).

`binfile` holds what the iden3 containers share: a 4-byte magic, a uint32 version, a uint32
section count, then sections of (uint32 type, uint64 size, bytes). Everything is little-endian.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from zkcore import errors
from zkcore.field import Fr

FIELD_SIZE = 32  # bytes per BN254 Fr element in iden3 files
PRIME_BYTES = Fr.modulus.to_bytes(FIELD_SIZE, "little")


@dataclass(frozen=True)
class Section:
    kind: int
    offset: int  # of the section's data in the file
    size: int


def read_container(
    data: bytes, magic: bytes, versions: tuple[int, ...], what: str
) -> tuple[int, list[Section]]:
    """Parse an iden3 binary container; return (version, sections), checking every size."""
    if len(data) < 12:
        raise errors.EncodingError(f"{what}: {len(data)} bytes is too short for a header")
    if data[:4] != magic:
        raise errors.EncodingError(f"{what}: bad magic {data[:4]!r}, expected {magic!r}")
    version, n_sections = struct.unpack_from("<II", data, 4)
    if version not in versions:
        raise errors.EncodingError(f"{what}: unsupported version {version}, expected {versions}")
    sections = []
    pos = 12
    for i in range(n_sections):
        if pos + 12 > len(data):
            raise errors.EncodingError(f"{what}: section {i} header runs past the end of file")
        kind, size = struct.unpack_from("<IQ", data, pos)
        pos += 12
        if size > len(data) - pos:
            raise errors.EncodingError(
                f"{what}: section {i} (type {kind}) declares {size} bytes, "
                f"only {len(data) - pos} remain"
            )
        sections.append(Section(kind, pos, size))
        pos += size
    if pos != len(data):
        raise errors.EncodingError(f"{what}: {len(data) - pos} trailing bytes after the sections")
    return version, sections


def unique_section(sections: list[Section], kind: int, what: str) -> Section:
    """The one section of this type; EncodingError if it is missing or repeated."""
    found = [s for s in sections if s.kind == kind]
    if len(found) != 1:
        raise errors.EncodingError(
            f"{what}: expected exactly one section of type {kind}, found {len(found)}"
        )
    return found[0]


def write_container(magic: bytes, version: int, sections: list[tuple[int, bytes]]) -> bytes:
    """Serialise sections into an iden3 binary container."""
    parts = [magic, struct.pack("<II", version, len(sections))]
    for kind, body in sections:
        parts.append(struct.pack("<IQ", kind, len(body)))
        parts.append(body)
    return b"".join(parts)


def check_prime(field_size: int, prime: bytes, what: str) -> None:
    """The field must be BN254's Fr with 32-byte elements."""
    if field_size != FIELD_SIZE:
        raise errors.EncodingError(f"{what}: field size {field_size}, expected {FIELD_SIZE}")
    if prime != PRIME_BYTES:
        value = int.from_bytes(prime, "little")
        raise errors.EncodingError(f"{what}: prime {value} is not BN254's scalar field r")
