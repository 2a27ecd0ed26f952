"""iden3's `.wtns` witness files (what circom's witness calculator and snarkjs write).

Container magic "wtns", version 2, two sections:
  1 header:  uint32 n8 (32), n8-byte prime (little-endian), uint32 n_witness
  2 values:  n_witness field elements, n8 bytes each, little-endian standard (not Montgomery)
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from os import PathLike

from zkcore import errors
from zkcore.field import FieldArray, Fr
from zkcore.formats import (
    FIELD_SIZE,
    PRIME_BYTES,
    check_prime,
    read_container,
    unique_section,
    write_container,
)

MAGIC = b"wtns"
VERSION = 2


def loads_array(data: bytes) -> FieldArray:
    """Parse a .wtns file's bytes into a FieldArray; EncodingError/NonCanonicalError if bad."""
    _, sections = read_container(bytes(data), MAGIC, (1, 2), "wtns")
    header = unique_section(sections, 1, "wtns")
    n8 = struct.unpack_from("<I", data, header.offset)[0] if header.size >= 4 else None
    if n8 is not None and n8 != FIELD_SIZE:
        raise errors.EncodingError(f"wtns: field size {n8}, expected {FIELD_SIZE}")
    if header.size != 4 + FIELD_SIZE + 4:
        raise errors.EncodingError(f"wtns: header section has {header.size} bytes, expected 40")
    check_prime(FIELD_SIZE, bytes(data[header.offset + 4 : header.offset + 36]), "wtns")
    (n_witness,) = struct.unpack_from("<I", data, header.offset + 36)
    values = unique_section(sections, 2, "wtns")
    if values.size != n_witness * FIELD_SIZE:
        raise errors.EncodingError(
            f"wtns: values section has {values.size} bytes, header says {n_witness} values "
            f"({n_witness * FIELD_SIZE} bytes)"
        )
    body = bytes(data[values.offset : values.offset + values.size])
    try:
        return Fr.from_bytes(body, byteorder="little", strict=True)
    except errors.NonCanonicalError:
        raise errors.NonCanonicalError("wtns: a witness value is not canonical (>= r)") from None


def loads(data: bytes) -> list[int]:
    """Parse a .wtns file's bytes into the witness as Python ints."""
    return loads_array(data).to_ints()


def dumps(witness: Sequence[int] | FieldArray) -> bytes:
    """Serialise a witness (canonical Fr values) exactly as snarkjs's wtns writer does."""
    array = witness if isinstance(witness, FieldArray) else Fr.array(witness)
    if array.field is not Fr:
        raise errors.ArgumentError("a witness is a vector over Fr")
    header = struct.pack("<I", FIELD_SIZE) + PRIME_BYTES + struct.pack("<I", len(array))
    return write_container(MAGIC, VERSION, [(1, header), (2, array.to_bytes("little"))])


def read(path: str | PathLike[str]) -> list[int]:
    """Read a .wtns file."""
    with open(path, "rb") as fh:
        return loads(fh.read())


def write(path: str | PathLike[str], witness: Sequence[int] | FieldArray) -> None:
    """Write a .wtns file."""
    with open(path, "wb") as fh:
        fh.write(dumps(witness))
