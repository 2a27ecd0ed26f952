"""The iden3 .wtns format: known answer, round trips, and malformed files."""

from __future__ import annotations

import contextlib
import struct

import numpy as np
import pytest

from tests.circuits.sample_circuits import Member
from zkcore import errors
from zkcore.field import Fr
from zkcore.formats import wtns

R = Fr.modulus
PRIME = R.to_bytes(32, "little")


def build(
    values: list[int],
    n8: int = 32,
    prime: bytes = PRIME,
    count: int | None = None,
    version: int = 2,
    magic: bytes = b"wtns",
) -> bytes:
    head = (
        struct.pack("<I", n8) + prime + struct.pack("<I", len(values) if count is None else count)
    )
    body = b"".join(v.to_bytes(32, "little") for v in values)
    return (
        magic
        + struct.pack("<II", version, 2)
        + struct.pack("<IQ", 1, len(head))
        + head
        + struct.pack("<IQ", 2, len(body))
        + body
    )


def test_known_answer() -> None:
    values = [1, 0, R - 1, 2**200 + 7]
    assert wtns.dumps(values) == build(values)
    assert wtns.loads(build(values)) == values
    assert wtns.loads_array(build(values)).to_ints() == values


def test_version_1_reads() -> None:
    assert wtns.loads(build([1, 2], version=1)) == [1, 2]


def test_solved_witness_round_trips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    compiled = Member(depth=2).compile()
    witness = compiled.witness({"root": 0, "leaf": 3, "path": [4, 5], "bits": [0, 1]})
    path = tmp_path / "w.wtns"
    wtns.write(path, witness)
    assert wtns.read(path) == witness
    assert wtns.dumps(Fr.array(witness)) == path.read_bytes()


@pytest.mark.parametrize(
    "data,error,message",
    [
        (build([1], magic=b"r1cs"), errors.EncodingError, "magic"),
        (build([1], version=3), errors.EncodingError, "version"),
        (build([1], n8=8), errors.EncodingError, "field size"),
        (build([1], prime=(R - 2).to_bytes(32, "little")), errors.EncodingError, "not BN254"),
        (build([1, 2], count=3), errors.EncodingError, "header says 3"),
        (build([1, 2], count=1), errors.EncodingError, "header says 1"),
        (build([1, R]), errors.NonCanonicalError, "not canonical"),
        (build([1, 2**256 - 1]), errors.NonCanonicalError, "not canonical"),
        (build([1])[:-1], errors.EncodingError, "declares"),
        (b"wtns", errors.EncodingError, "too short"),
    ],
)
def test_malformed(data: bytes, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        wtns.loads(data)


def test_every_truncation_and_corruption_is_typed(rng: np.random.Generator) -> None:
    data = build([1, 5, R - 1])
    for cut in range(len(data)):
        with pytest.raises((errors.EncodingError, errors.NonCanonicalError)):
            wtns.loads(data[:cut])
    for _ in range(300):
        corrupt = bytearray(data)
        corrupt[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        with contextlib.suppress(errors.EncodingError, errors.NonCanonicalError):
            wtns.loads(bytes(corrupt))


def test_writer_rejects_non_canonical() -> None:
    with pytest.raises(errors.NonCanonicalError):
        wtns.dumps([1, R])
