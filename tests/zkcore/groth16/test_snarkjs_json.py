"""snarkjs's verification_key.json / proof.json / public.json: round trips and rejections."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.zkcore.groth16.helpers import cube
from zkcore import errors
from zkcore.curve import P
from zkcore.field import Fr
from zkcore.formats import snarkjs_json as sj
from zkcore.groth16 import prove, verify

R = Fr.modulus


def _proof():  # type: ignore[no-untyped-def]
    c, pk, vk = cube()
    return vk, prove(pk, c.solve({"out": 35, "x": 3}))


def test_files_round_trip(tmp_path: Path) -> None:
    vk, proof = _proof()
    sj.write_vk(tmp_path / "vk.json", vk)
    sj.write_proof(tmp_path / "proof.json", proof)
    sj.write_public(tmp_path / "public.json", [35])
    vk2 = sj.read_vk(tmp_path / "vk.json")
    proof2 = sj.read_proof(tmp_path / "proof.json")
    pub2 = sj.read_public(tmp_path / "public.json")
    assert (vk2, proof2, pub2) == (vk, proof, [35])
    assert verify(vk2, pub2, proof2)
    obj = json.loads((tmp_path / "vk.json").read_text())
    assert obj["protocol"] == "groth16" and obj["curve"] == "bn128" and obj["nPublic"] == 1
    assert len(obj["IC"]) == 2 and len(obj["vk_alphabeta_12"]) == 2
    assert json.loads((tmp_path / "public.json").read_text()) == ["35"]


def test_vk_rejections() -> None:
    vk, _ = _proof()
    good = sj.vk_to_json(vk)

    def bad(change, exc):  # type: ignore[no-untyped-def]
        obj = copy.deepcopy(good)
        change(obj)
        with pytest.raises(exc):
            sj.vk_from_json(obj)

    bad(lambda o: o.update(protocol="plonk"), errors.EncodingError)
    bad(lambda o: o.update(curve="bls12381"), errors.EncodingError)
    bad(lambda o: o.update(nPublic=2), errors.EncodingError)
    bad(lambda o: o.pop("vk_delta_2"), errors.EncodingError)
    bad(
        lambda o: o["IC"][0].__setitem__(1, str((int(o["IC"][0][1]) + 1) % P)),
        errors.NotOnCurveError,
    )
    bad(lambda o: o["IC"][0].__setitem__(0, str(int(o["IC"][0][0]) + P)), errors.NonCanonicalError)
    bad(lambda o: o["vk_alpha_1"].__setitem__(0, "0x1"), errors.EncodingError)
    bad(lambda o: o["vk_alphabeta_12"][0].pop(), errors.EncodingError)
    bad(lambda o: o["vk_alphabeta_12"][0][0].__setitem__(0, str(P)), errors.NonCanonicalError)
    with pytest.raises(errors.EncodingError):
        sj.vk_from_json([good])


def test_proof_rejections() -> None:
    _, proof = _proof()
    good = sj.proof_to_json(proof)
    for key, mutate, exc in [
        ("pi_a", lambda v: [v[0], str((int(v[1]) + 1) % P), "1"], errors.NotOnCurveError),
        ("pi_c", lambda v: [v[0], v[1], "2"], errors.EncodingError),
        ("pi_b", lambda v: v[:2], errors.EncodingError),
        ("protocol", lambda v: "fflonk", errors.EncodingError),
    ]:
        obj = copy.deepcopy(good)
        obj[key] = mutate(obj[key])
        with pytest.raises(exc):
            sj.proof_from_json(obj)


def test_public_rejections() -> None:
    assert sj.public_from_json(["0", str(R - 1)]) == [0, R - 1]
    with pytest.raises(errors.NonCanonicalError):
        sj.public_from_json([str(R)])  # x + r is not the same statement
    for bad in (["01"], [35], ["-1"], ["1.0"], "35", [" 1"]):
        with pytest.raises(errors.EncodingError):
            sj.public_from_json(bad)
    with pytest.raises(errors.NonCanonicalError):
        sj.public_to_json([R])


def test_read_rejects_non_json(tmp_path: Path) -> None:
    path = tmp_path / "vk.json"
    path.write_bytes(b"\xff not json")
    with pytest.raises(errors.EncodingError):
        sj.read_vk(path)
