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

from zkcore import errors
from zkcore.field import Fr
from zkcore.formats import (
    FIELD_SIZE,
    PRIME_BYTES,
    check_prime,
    read_container,
    unique_section,
    write_container,
)
from zkcore.r1cs import R1CS, Constraint, LinearCombination

MAGIC = b"r1cs"
VERSION = 1
HEADER, CONSTRAINTS, WIRE2LABEL, CUSTOM_GATES_LIST, CUSTOM_GATES_USES = 1, 2, 3, 4, 5
_HEADER = struct.Struct("<IIIIQI")  # n_wires, n_pub_out, n_pub_in, n_prv_in, n_labels, m
_HEADER_SIZE = 4 + FIELD_SIZE + _HEADER.size
_TERM = 4 + FIELD_SIZE


def _read_constraints(
    data: bytes, start: int, size: int, n_constraints: int, n_wires: int
) -> list[Constraint]:
    r = Fr.modulus
    end = start + size
    pos = start
    view = memoryview(data)
    from_bytes = int.from_bytes
    constraints: list[Constraint] = []
    for i in range(n_constraints):
        lcs: list[LinearCombination] = []
        for _ in range(3):
            if pos + 4 > end:
                raise errors.EncodingError(f"r1cs: constraint {i} runs past its section")
            (n_terms,) = struct.unpack_from("<I", data, pos)
            pos += 4
            if n_terms * _TERM > end - pos:
                raise errors.EncodingError(
                    f"r1cs: constraint {i} declares {n_terms} terms, past its section's end"
                )
            terms = []
            for _ in range(n_terms):
                wire = from_bytes(view[pos : pos + 4], "little")
                coeff = from_bytes(view[pos + 4 : pos + _TERM], "little")
                pos += _TERM
                if wire >= n_wires:
                    raise errors.EncodingError(
                        f"r1cs: constraint {i} uses wire {wire}, but there are {n_wires} wires"
                    )
                if coeff >= r:
                    raise errors.NonCanonicalError(
                        f"r1cs: constraint {i} has a coefficient that is not canonical (>= r)"
                    )
                terms.append((wire, coeff))
            lcs.append(tuple(terms))
        constraints.append((lcs[0], lcs[1], lcs[2]))
    if pos != end:
        raise errors.EncodingError(
            f"r1cs: constraints section has {end - pos} bytes after the {n_constraints} "
            "constraints the header declares"
        )
    return constraints


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
    constraints = _read_constraints(data, body.offset, body.size, m, n_wires)

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
        constraints=constraints,
        n_labels=n_labels,
        wire_to_label=labels,
    )


def _lc_bytes(lc: LinearCombination, out: list[bytes]) -> None:
    out.append(struct.pack("<I", len(lc)))
    for wire, coeff in lc:
        out.append(struct.pack("<I", wire))
        out.append(coeff.to_bytes(FIELD_SIZE, "little"))


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
    parts: list[bytes] = []
    for a, b, c in r1cs.constraints:
        _lc_bytes(a, parts)
        _lc_bytes(b, parts)
        _lc_bytes(c, parts)
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
