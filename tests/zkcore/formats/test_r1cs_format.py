"""The iden3 .r1cs format: a hand-built known answer, round trips, and malformed files."""

from __future__ import annotations

import contextlib
import struct

import numpy as np
import pytest

from tests.circuits.sample_circuits import Member, Window
from zkcore import errors
from zkcore.field import Fr
from zkcore.formats import r1cs as fmt
from zkcore.r1cs import R1CS

R = Fr.modulus
PRIME = R.to_bytes(32, "little")


def section(kind: int, body: bytes) -> bytes:
    return struct.pack("<IQ", kind, len(body)) + body


def header(
    n_wires: int = 4,
    pub_out: int = 1,
    pub_in: int = 1,
    prv_in: int = 1,
    labels: int = 5,
    m: int = 1,
    field_size: int = 32,
    prime: bytes = PRIME,
) -> bytes:
    return (
        struct.pack("<I", field_size)
        + prime
        + struct.pack("<IIIIQI", n_wires, pub_out, pub_in, prv_in, labels, m)
    )


def term(wire: int, coeff: int) -> bytes:
    return struct.pack("<I", wire) + coeff.to_bytes(32, "little")


# out = a * b as one constraint, wires: 0 one, 1 out, 2 a (public), 3 b (private)
CONSTRAINT = (
    struct.pack("<I", 1)
    + term(2, 1)
    + struct.pack("<I", 1)
    + term(3, R - 1)
    + struct.pack("<I", 2)
    + term(1, R - 1)
    + term(0, 5)
)
LABELS = struct.pack("<4Q", 0, 1, 2, 4)


def container(*sections: bytes, version: int = 1, magic: bytes = b"r1cs") -> bytes:
    return magic + struct.pack("<II", version, len(sections)) + b"".join(sections)


KNOWN = container(section(2, CONSTRAINT), section(1, header()), section(3, LABELS))
KNOWN_R1CS = R1CS(
    n_wires=4,
    n_pub_out=1,
    n_pub_in=1,
    n_prv_in=1,
    n_labels=5,
    wire_to_label=[0, 1, 2, 4],
    constraints=[(((2, 1),), ((3, R - 1),), ((1, R - 1), (0, 5)))],
)


def test_known_answer_reads_and_writes() -> None:
    assert fmt.loads(KNOWN) == KNOWN_R1CS
    assert fmt.dumps(KNOWN_R1CS) == KNOWN


def test_header_first_is_read_too() -> None:
    data = container(section(1, header()), section(2, CONSTRAINT), section(3, LABELS))
    assert fmt.loads(data) == KNOWN_R1CS


def test_unknown_sections_are_skipped() -> None:
    data = container(
        section(2, CONSTRAINT), section(9, b"future"), section(1, header()), section(3, LABELS)
    )
    assert fmt.loads(data) == KNOWN_R1CS


@pytest.mark.parametrize("circuit", [Window(bits=16), Member(depth=3)])
def test_compiled_circuits_round_trip(circuit, tmp_path) -> None:  # type: ignore[no-untyped-def]
    r1cs = circuit.compile().r1cs
    path = tmp_path / "c.r1cs"
    fmt.write(path, r1cs)
    back = fmt.read(path)
    assert back == r1cs
    assert fmt.dumps(back) == path.read_bytes()


BAD = [
    (
        "magic",
        container(section(2, CONSTRAINT), section(1, header()), section(3, LABELS), magic=b"wtns"),
        "bad magic",
    ),
    (
        "version",
        container(section(2, CONSTRAINT), section(1, header()), section(3, LABELS), version=2),
        "version",
    ),
    ("no header", container(section(2, CONSTRAINT), section(3, LABELS)), "type 1"),
    (
        "two headers",
        container(
            section(1, header()), section(2, CONSTRAINT), section(1, header()), section(3, LABELS)
        ),
        "type 1",
    ),
    ("no map", container(section(2, CONSTRAINT), section(1, header())), "type 3"),
    (
        "field size",
        container(section(2, CONSTRAINT), section(1, header(field_size=48)), section(3, LABELS)),
        "field size",
    ),
    (
        "prime",
        container(
            section(2, CONSTRAINT),
            section(1, header(prime=(R + 2).to_bytes(32, "little"))),
            section(3, LABELS),
        ),
        "not BN254",
    ),
    (
        "short header",
        container(section(2, CONSTRAINT), section(1, header()[:-4]), section(3, LABELS)),
        "header section",
    ),
    (
        "counts",
        container(section(2, CONSTRAINT), section(1, header(n_wires=2)), section(3, LABELS[:16])),
        "inconsistent",
    ),
    (
        "labels < wires",
        container(section(2, CONSTRAINT), section(1, header(labels=3)), section(3, LABELS)),
        "labels",
    ),
    (
        "label too big",
        container(
            section(2, CONSTRAINT), section(1, header()), section(3, struct.pack("<4Q", 0, 1, 2, 5))
        ),
        "label",
    ),
    (
        "map size",
        container(section(2, CONSTRAINT), section(1, header()), section(3, LABELS[:-8])),
        "wire2label",
    ),
    (
        "more constraints",
        container(section(2, CONSTRAINT), section(1, header(m=2)), section(3, LABELS)),
        "constraint 1",
    ),
    (
        "fewer constraints",
        container(section(2, CONSTRAINT * 2), section(1, header(m=1)), section(3, LABELS)),
        "after the 1 constraints",
    ),
    (
        "wire range",
        container(
            section(2, CONSTRAINT.replace(term(3, R - 1), term(4, R - 1))),
            section(1, header()),
            section(3, LABELS),
        ),
        "wire 4",
    ),
    (
        "term count",
        container(
            section(2, struct.pack("<I", 10**6) + CONSTRAINT[4:]),
            section(1, header()),
            section(3, LABELS),
        ),
        "terms",
    ),
    ("section size", KNOWN[:12] + struct.pack("<IQ", 2, 10**9) + KNOWN[24:], "declares"),
    ("trailing", KNOWN + b"\x00", "trailing"),
    (
        "custom gates",
        container(
            section(2, CONSTRAINT), section(1, header()), section(3, LABELS), section(4, b"")
        ),
        "custom gates",
    ),
    ("empty", b"", "too short"),
]


@pytest.mark.parametrize("name,data,message", BAD, ids=[b[0] for b in BAD])
def test_malformed_files_raise_encoding_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(errors.EncodingError, match=message):
        fmt.loads(data)


def test_non_canonical_coefficient() -> None:
    data = container(
        section(2, CONSTRAINT.replace(term(2, 1), term(2, R))),
        section(1, header()),
        section(3, LABELS),
    )
    with pytest.raises(errors.NonCanonicalError, match="constraint 0"):
        fmt.loads(data)


def test_every_truncation_is_a_typed_error() -> None:
    for cut in range(len(KNOWN)):
        with pytest.raises((errors.EncodingError, errors.NonCanonicalError)):
            fmt.loads(KNOWN[:cut])


def test_random_corruption_never_crashes(rng: np.random.Generator) -> None:
    data = fmt.dumps(Window(bits=4).compile().r1cs)
    for _ in range(400):
        corrupt = bytearray(data)
        for pos in rng.integers(0, len(data), size=int(rng.integers(1, 4))):
            corrupt[int(pos)] = int(rng.integers(0, 256))
        with contextlib.suppress(errors.EncodingError, errors.NonCanonicalError):
            fmt.loads(bytes(corrupt))


def test_random_systems_round_trip() -> None:
    from zkcore.bench.r1cs import random_satisfied

    r1cs, witness = random_satisfied(200, 50, 3, seed=7)
    r1cs = R1CS(
        r1cs.n_wires,
        2,
        3,
        4,
        r1cs.constraints,
        n_labels=100,
        wire_to_label=[2 * i for i in range(50)],
    )
    back = fmt.loads(fmt.dumps(r1cs))
    assert back == r1cs
    assert back.is_satisfied(witness)
