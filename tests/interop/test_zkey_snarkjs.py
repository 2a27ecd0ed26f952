"""Our .zkey reader/writer against snarkjs 0.7: its files read by us, ours proven by it.

The session fixture `work` (tests/interop/conftest.py) holds a small circom2 circuit with
snarkjs's fresh and contributed keys and a witness.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from tests.node_tools import snarkjs_ok as snarkjs
from tests.node_tools import snarkjs_run
from zkcore import errors
from zkcore.field import FieldArray, Fr
from zkcore.formats import r1cs as r1cs_format
from zkcore.formats import zkey


def g1(obj: list[str]) -> tuple[int, int] | None:
    """snarkjs JSON projective G1 -> our tuple (z = 0 is infinity, else z = 1)."""
    if int(obj[2]) == 0:
        return None
    assert int(obj[2]) == 1
    return (int(obj[0]), int(obj[1]))


def g2(obj: list[list[str]]) -> tuple[tuple[int, int], tuple[int, int]] | None:
    if [int(v) for v in obj[2]] == [0, 0]:
        return None
    assert [int(v) for v in obj[2]] == [1, 0]
    return ((int(obj[0][0]), int(obj[0][1])), (int(obj[1][0]), int(obj[1][1])))


def assert_vk_matches_json(pk, path: Path) -> None:  # type: ignore[no-untyped-def]
    js = json.loads(path.read_text())
    assert js["protocol"] == "groth16" and js["curve"] == "bn128"
    assert js["nPublic"] == pk.n_public == pk.vk.n_public
    assert pk.vk.alpha_g1 == g1(js["vk_alpha_1"])
    assert pk.vk.beta_g2 == g2(js["vk_beta_2"])
    assert pk.vk.gamma_g2 == g2(js["vk_gamma_2"])
    assert pk.vk.delta_g2 == g2(js["vk_delta_2"])
    assert pk.vk.ic == [g1(p) for p in js["IC"]]


@pytest.mark.parametrize("name", ["fresh", "contributed"])
def test_snarkjs_zkey_reads_to_its_verification_key(work: Path, name: str) -> None:
    parsed = zkey.read_zkey_file(work / f"{name}.zkey")
    assert_vk_matches_json(parsed.pk, work / f"{name}.vk.json")
    assert parsed.n_contributions == (1 if name == "contributed" else 0)
    expected = zkey.NEW_ZKEY_ORDER if name == "fresh" else zkey.SECTION_ORDER
    assert parsed.section_order == expected


@pytest.mark.parametrize("name", ["fresh", "contributed"])
def test_round_trip_is_byte_identical(work: Path, name: str) -> None:
    raw = (work / f"{name}.zkey").read_bytes()
    parsed = zkey.read_zkey_file(raw)
    assert zkey.dumps_file(parsed) == raw
    again = zkey.loads(zkey.dumps(parsed.pk))
    assert again.vk == parsed.pk.vk
    for field in ("a_query", "b_g1_query", "b_g2_query", "c_query", "h_query"):
        assert getattr(again, field) == getattr(parsed.pk, field)
    assert again.coeffs.value == parsed.pk.coeffs.value


def test_coefficients_are_the_r1cs_a_and_b_plus_public_rows(work: Path) -> None:
    """Section 4 decoded = the circuit's A and B entries, then A[m + i][i] = 1 for i <= n_pub."""
    pk = zkey.read_zkey(work / "fresh.zkey")
    r1cs = r1cs_format.loads((work / "c.r1cs").read_bytes())
    expected = []
    for k, matrix in enumerate(r1cs.matrices()[:2]):
        values = FieldArray(Fr, matrix.coeffs).to_ints()
        for row in range(len(matrix.row_start) - 1):
            for t in range(int(matrix.row_start[row]), int(matrix.row_start[row + 1])):
                expected.append((k, row, int(matrix.cols[t]), values[t]))
    m = r1cs.n_constraints
    expected += [(0, m + i, i, 1) for i in range(pk.n_public + 1)]
    got = list(
        zip(
            pk.coeffs.matrix.tolist(),
            pk.coeffs.constraint.tolist(),
            pk.coeffs.signal.tolist(),
            pk.coeffs.value.to_ints(),
            strict=True,
        )
    )
    assert sorted(got) == sorted(expected)
    assert pk.n_vars == r1cs.n_wires and pk.domain_size == 8


@pytest.mark.parametrize("name", ["fresh", "contributed"])
def test_snarkjs_accepts_our_zkey(work: Path, name: str) -> None:
    """Written by us (empty contributions section): snarkjs exports the same vk, proves, and
    the proof verifies."""
    pk = zkey.read_zkey(work / f"{name}.zkey")
    zkey.write_zkey(pk, work / f"ours-{name}.zkey")
    snarkjs(work, "zkey", "export", "verificationkey", f"ours-{name}.zkey", f"ours-{name}.json")
    ours = json.loads((work / f"ours-{name}.json").read_text())
    assert ours == json.loads((work / f"{name}.vk.json").read_text())
    snarkjs(
        work, "groth16", "prove", f"ours-{name}.zkey", "w.wtns", f"p-{name}.json", f"x-{name}.json"
    )
    public = json.loads((work / f"x-{name}.json").read_text())
    assert public == [str(7 * 15 + 9 + 5), "3"]  # out, then the public input a
    out = snarkjs(work, "groth16", "verify", f"{name}.vk.json", f"x-{name}.json", f"p-{name}.json")
    assert "OK" in out
    # the twin: the same proof against a wrong public input is refused
    (work / f"y-{name}.json").write_text(json.dumps([public[0], "4"]))
    _, text = snarkjs_run(
        work, "groth16", "verify", f"{name}.vk.json", f"y-{name}.json", f"p-{name}.json"
    )
    assert "Invalid proof" in text


def test_tampered_snarkjs_zkey_is_rejected(work: Path) -> None:
    """The twin of the reads above: a real key with one B2 coordinate changed, or cut short."""
    raw = (work / "contributed.zkey").read_bytes()
    parsed = zkey.read_zkey_file(raw)
    with pytest.raises(errors.EncodingError):
        zkey.loads(raw[:-1])
    # find B2 by walking the container, then flip a bit of signal 3's (b's) x coordinate
    pos, kind = 12, 0
    while kind != zkey.POINTS_B2:
        kind, size = struct.unpack_from("<IQ", raw, pos)
        pos += 12 + (size if kind != zkey.POINTS_B2 else 0)
    bumped = bytearray(raw)
    bumped[pos + 128] ^= 1
    with pytest.raises(
        (errors.NotOnCurveError, errors.NotInSubgroupError, errors.NonCanonicalError)
    ):
        zkey.loads(bytes(bumped))
    assert parsed.pk.n_vars == 6
