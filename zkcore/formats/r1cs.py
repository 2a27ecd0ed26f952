"""iden3's `.r1cs` files (what circom writes and snarkjs reads), spec: iden3/r1csfile
doc/r1cs_bin_format.md.

Container magic "r1cs", version 1, sections (little-endian throughout):
  1 header:      uint32 field size (32), prime (32 bytes), uint32 n_wires, uint32 n_pub_out,
                 uint32 n_pub_in, uint32 n_prv_in, uint64 n_labels, uint32 n_constraints
  2 constraints: per constraint, A then B then C, each uint32 n_terms then n_terms times
                 (uint32 wire, 32-byte coefficient, standard form, not Montgomery)
  3 wire2label:  n_wires uint64 label ids
Sections 4 and 5 (PLONK custom gates) are refused: an R1CS prover cannot honour them. Other
unknown section types are skipped, as the spec asks of readers.
"""

from __future__ import annotations

import struct
from os import PathLike

import numpy as np

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
from zkcore.r1cs import R1CS, SparseMatrix

MAGIC = b"r1cs"
VERSION = 1
HEADER, CONSTRAINTS, WIRE2LABEL, CUSTOM_GATES_LIST, CUSTOM_GATES_USES = 1, 2, 3, 4, 5
_HEADER = struct.Struct("<IIIIQI")  # n_wires, n_pub_out, n_pub_in, n_prv_in, n_labels, m
_HEADER_SIZE = 4 + FIELD_SIZE + _HEADER.size
_TERM = 4 + FIELD_SIZE


_RECORD = np.dtype([("wire", "<u4"), ("coeff", "V32")])  # one term: uint32 wire, 32 bytes


def _read_matrices(
    data: bytes, start: int, size: int, n_constraints: int, n_wires: int
) -> tuple[SparseMatrix, SparseMatrix, SparseMatrix]:
    """The constraints section as CSR A, B, C: one Python step per linear combination, then
    numpy and C over all terms at once (no Python object per term)."""
    end = start + size
    pos = start
    unpack = struct.Struct("<I").unpack_from
    # per matrix: the byte slices of its rows' term records, and the rows' term counts
    blocks: tuple[list[bytes], list[bytes], list[bytes]] = ([], [], [])
    counts: tuple[list[int], list[int], list[int]] = ([], [], [])
    for i in range(n_constraints):
        for k in range(3):
            if pos + 4 > end:
                raise errors.EncodingError(f"r1cs: constraint {i} runs past its section")
            (n_terms,) = unpack(data, pos)
            pos += 4
            if n_terms * _TERM > end - pos:
                raise errors.EncodingError(
                    f"r1cs: constraint {i} declares {n_terms} terms, past its section's end"
                )
            blocks[k].append(data[pos : pos + n_terms * _TERM])
            counts[k].append(n_terms)
            pos += n_terms * _TERM
    if pos != end:
        raise errors.EncodingError(
            f"r1cs: constraints section has {end - pos} bytes after the {n_constraints} "
            "constraints the header declares"
        )
    return tuple(  # type: ignore[return-value]
        _matrix(b"".join(blocks[k]), counts[k], n_wires) for k in range(3)
    )


def _matrix(records: bytes, counts: list[int], n_wires: int) -> SparseMatrix:
    terms = np.frombuffer(records, dtype=_RECORD)
    row_start = np.zeros(len(counts) + 1, dtype=np.uint64)
    np.cumsum(np.asarray(counts, dtype=np.uint64), out=row_start[1:])
    cols = terms["wire"].astype(np.uint64)
    bad = np.flatnonzero(cols >= n_wires)
    if len(bad):
        row = int(np.searchsorted(row_start, bad[0], side="right")) - 1
        raise errors.EncodingError(
            f"r1cs: constraint {row} uses wire {int(cols[bad[0]])}, but there are {n_wires} wires"
        )
    try:
        coeffs = Fr.from_bytes(terms["coeff"].tobytes(), byteorder="little", strict=True)
    except errors.NonCanonicalError:
        r = Fr.modulus
        raw = terms["coeff"].tobytes()
        first = next(
            t for t in range(len(terms)) if int.from_bytes(raw[32 * t : 32 * t + 32], "little") >= r
        )
        row = int(np.searchsorted(row_start, first, side="right")) - 1
        raise errors.NonCanonicalError(
            f"r1cs: constraint {row} has a coefficient that is not canonical (>= r)"
        ) from None
    return SparseMatrix(row_start, cols, coeffs.mont)


def loads(data: bytes) -> R1CS:
    """Parse a .r1cs file's bytes; EncodingError/NonCanonicalError on any malformation."""
    data = bytes(data)
    _, sections = read_container(data, MAGIC, (VERSION,), "r1cs")
    if any(s.kind in (CUSTOM_GATES_LIST, CUSTOM_GATES_USES) for s in sections):
        raise errors.EncodingError("r1cs: custom gates (PLONK) are not supported")
    header = unique_section(sections, HEADER, "r1cs")
    if header.size >= 4:
        (field_size,) = struct.unpack_from("<I", data, header.offset)
        if field_size != FIELD_SIZE:
            raise errors.EncodingError(f"r1cs: field size {field_size}, expected {FIELD_SIZE}")
    if header.size != _HEADER_SIZE:
        raise errors.EncodingError(
            f"r1cs: header section has {header.size} bytes, expected {_HEADER_SIZE}"
        )
    check_prime(FIELD_SIZE, data[header.offset + 4 : header.offset + 36], "r1cs")
    n_wires, n_pub_out, n_pub_in, n_prv_in, n_labels, m = _HEADER.unpack_from(
        data, header.offset + 36
    )
    if n_wires < 1 or 1 + n_pub_out + n_pub_in + n_prv_in > n_wires:
        raise errors.EncodingError(
            f"r1cs: counts are inconsistent: {n_wires} wires cannot hold the constant, "
            f"{n_pub_out} outputs, {n_pub_in} public and {n_prv_in} private inputs"
        )
    if n_labels < n_wires:
        raise errors.EncodingError(f"r1cs: {n_labels} labels for {n_wires} wires")

    body = unique_section(sections, CONSTRAINTS, "r1cs")
    matrices = _read_matrices(data, body.offset, body.size, m, n_wires)

    labels_section = unique_section(sections, WIRE2LABEL, "r1cs")
    if labels_section.size != 8 * n_wires:
        raise errors.EncodingError(
            f"r1cs: wire2label section has {labels_section.size} bytes, expected "
            f"{8 * n_wires} for {n_wires} wires"
        )
    labels = list(struct.unpack_from(f"<{n_wires}Q", data, labels_section.offset))
    if labels and max(labels) >= n_labels:
        raise errors.EncodingError(f"r1cs: a wire's label is >= the {n_labels} labels declared")
    return R1CS(
        n_wires=n_wires,
        n_pub_out=n_pub_out,
        n_pub_in=n_pub_in,
        n_prv_in=n_prv_in,
        n_labels=n_labels,
        wire_to_label=labels,
        matrices=matrices,
    )


def _row_bytes(matrix: SparseMatrix) -> tuple[bytes, list[int]]:
    """A matrix's term records in row order as one bytes object, and its row starts."""
    terms = np.empty(len(matrix.cols), dtype=_RECORD)
    terms["wire"] = matrix.cols.astype(np.uint32)
    coeff_bytes = FieldArray(Fr, matrix.coeffs).to_bytes("little")
    terms["coeff"] = np.frombuffer(coeff_bytes, dtype="V32")
    return terms.tobytes(), matrix.row_start.tolist()


def dumps(r1cs: R1CS) -> bytes:
    """Serialise an R1CS byte for byte as circom 2 does (sections: constraints, header, map)."""
    r1cs.validate()
    header = (
        struct.pack("<I", FIELD_SIZE)
        + PRIME_BYTES
        + _HEADER.pack(
            r1cs.n_wires,
            r1cs.n_pub_out,
            r1cs.n_pub_in,
            r1cs.n_prv_in,
            r1cs.n_labels,
            r1cs.n_constraints,
        )
    )
    # One Python step per linear combination; the terms themselves are laid out by numpy.
    rows = [_row_bytes(m) for m in r1cs.matrices()]
    parts: list[bytes] = []
    count = struct.Struct("<I").pack
    for i in range(r1cs.n_constraints):
        for records, starts in rows:
            begin, end = starts[i], starts[i + 1]
            parts.append(count(end - begin))
            parts.append(records[_TERM * begin : _TERM * end])
    labels = struct.pack(f"<{r1cs.n_wires}Q", *r1cs.wire_to_label)
    # circom 2 writes the constraints first (it streams them, then the header's count).
    return write_container(
        MAGIC, VERSION, [(CONSTRAINTS, b"".join(parts)), (HEADER, header), (WIRE2LABEL, labels)]
    )


def read(path: str | PathLike[str]) -> R1CS:
    """Read a .r1cs file."""
    with open(path, "rb") as fh:
        return loads(fh.read())


def write(path: str | PathLike[str], r1cs: R1CS) -> None:
    """Write a .r1cs file."""
    with open(path, "wb") as fh:
        fh.write(dumps(r1cs))
