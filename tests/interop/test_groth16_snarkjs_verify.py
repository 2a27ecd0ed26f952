"""Interop (a): our setup and proof for the ticketing circuit (depth 4) verify with
`snarkjs groth16 verify`, and tampered twins fail there."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np

from tests.node_tools import run_tool
from tests.zkcore.groth16.helpers import ticket
from zkcore.curve import G1
from zkcore.formats import snarkjs_json as sj
from zkcore.groth16 import ProvingKey, prove, public_signals


def _snarkjs_verify(tmp: Path, vk, public, proof) -> bool:  # type: ignore[no-untyped-def]
    sj.write_vk(tmp / "vk.json", vk)
    sj.write_public(tmp / "public.json", public)
    sj.write_proof(tmp / "proof.json", proof)
    done = run_tool("snarkjs", "groth16", "verify", "vk.json", "public.json", "proof.json", cwd=tmp)
    out = done.stdout + done.stderr
    assert ("OK" in out) == (done.returncode == 0), out
    return done.returncode == 0


def test_snarkjs_verifies_our_ticket_proof(tmp_path: Path) -> None:
    _, pk, vk, w = ticket()
    pub = public_signals(pk, w)
    proof = prove(pk, w)
    assert _snarkjs_verify(tmp_path, vk, pub, proof)
    tampered = dataclasses.replace(proof, c=G1.add(proof.c, G1.generator))
    assert not _snarkjs_verify(tmp_path, vk, pub, tampered)
    wrong_public = [*pub[:3], pub[3] ^ 1, *pub[4:]]
    assert not _snarkjs_verify(tmp_path, vk, wrong_public, proof)


def _snarkjs(tmp: Path, *args: str) -> None:
    done = run_tool("snarkjs", *args, cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr


def _snarkjs_keys(tmp: Path) -> None:
    """snarkjs's own ceremony for tmp/c.r1cs: 2^4 powers of tau and one contribution per
    phase -> c1.zkey and its vk.json."""
    _snarkjs(tmp, "powersoftau", "new", "bn128", "4", "p0.ptau")
    _snarkjs(tmp, "powersoftau", "contribute", "p0.ptau", "p1.ptau", "-e=tau entropy")
    _snarkjs(tmp, "powersoftau", "prepare", "phase2", "p1.ptau", "pf.ptau")
    _snarkjs(tmp, "groth16", "setup", "c.r1cs", "pf.ptau", "c0.zkey")
    _snarkjs(tmp, "zkey", "contribute", "c0.zkey", "c1.zkey", "-e=delta entropy")
    _snarkjs(tmp, "zkey", "export", "verificationkey", "c1.zkey", "vk.json")


def test_we_verify_a_snarkjs_proof(tmp_path: Path) -> None:
    """snarkjs's own setup (small powers of tau, one contribution each phase) and proof for
    our compiled cube circuit: our JSON readers accept its files and our verifier its proof."""
    from tests.zkcore.groth16.helpers import cube
    from zkcore.formats import r1cs as r1cs_format
    from zkcore.formats import wtns as wtns_format
    from zkcore.groth16 import verify

    c, _, _ = cube()
    r1cs_format.write(tmp_path / "c.r1cs", c.r1cs)
    wtns_format.write(tmp_path / "w.wtns", c.solve({"out": 35, "x": 3}))
    _snarkjs_keys(tmp_path)
    _snarkjs(tmp_path, "groth16", "prove", "c1.zkey", "w.wtns", "proof.json", "public.json")
    vk = sj.read_vk(tmp_path / "vk.json")
    proof = sj.read_proof(tmp_path / "proof.json")
    public = sj.read_public(tmp_path / "public.json")
    assert public == [35]
    assert verify(vk, public, proof)
    assert not verify(vk, [36], proof)
    assert not verify(vk, public, dataclasses.replace(proof, a=G1.add(proof.a, G1.generator)))


def _pk_from_zkey_json(z: dict, vk) -> ProvingKey:  # type: ignore[no-untyped-def]
    """A ProvingKey from `snarkjs zkey export json` (test-only stand-in for the .zkey reader)."""
    from zkcore.curve import G2
    from zkcore.encoding import g1_from_json, g2_from_json
    from zkcore.field import Fr
    from zkcore.groth16 import QAPCoefficients

    k = z["nPublic"] + 1
    co = z["ccoefs"]
    coeffs = QAPCoefficients(
        matrix=np.array([x["matrix"] for x in co], dtype=np.uint8),
        constraint=np.array([x["constraint"] for x in co], dtype=np.uint32),
        signal=np.array([x["signal"] for x in co], dtype=np.uint32),
        value=Fr.array([int(x["value"]) for x in co]),
    )
    return ProvingKey(
        vk=vk,
        beta_g1=g1_from_json(z["vk_beta_1"]),
        delta_g1=g1_from_json(z["vk_delta_1"]),
        n_vars=z["nVars"],
        n_public=z["nPublic"],
        domain_size=z["domainSize"],
        coeffs=coeffs,
        a_query=G1.array([g1_from_json(p) for p in z["A"]]),
        b_g1_query=G1.array([g1_from_json(p) for p in z["B1"]]),
        b_g2_query=G2.array([g2_from_json(p) for p in z["B2"]]),
        c_query=G1.array([g1_from_json(p) for p in z["C"][k:]]),
        h_query=G1.array([g1_from_json(p) for p in z["hExps"]]),
    )


def test_we_prove_with_a_snarkjs_key(tmp_path: Path) -> None:
    """snarkjs's key (exported as JSON) proves here: its coefficient list equals ours, and our
    prover with its H query (odd Lagrange points) gives proofs snarkjs and we accept."""
    from tests.zkcore.groth16.helpers import cube
    from zkcore.formats import r1cs as r1cs_format
    from zkcore.groth16 import qap, verify

    c, _, _ = cube()
    w = c.solve({"out": 35, "x": 3})
    r1cs_format.write(tmp_path / "c.r1cs", c.r1cs)
    _snarkjs_keys(tmp_path)
    _snarkjs(tmp_path, "zkey", "export", "json", "c1.zkey", "zkey.json")
    vk = sj.read_vk(tmp_path / "vk.json")
    theirs = json.loads((tmp_path / "vk.json").read_text())
    mine = sj.vk_to_json(vk)
    for key in mine:
        if key != "vk_alphabeta_12":  # see docs/groth16.md, "Known difference"
            assert mine[key] == theirs[key], key
    pk = _pk_from_zkey_json(json.loads((tmp_path / "zkey.json").read_text()), vk)
    ours = qap.qap_coefficients(c.r1cs)
    assert pk.domain_size == qap.domain_size(c.r1cs)
    assert np.array_equal(pk.coeffs.matrix, ours.matrix)
    assert np.array_equal(pk.coeffs.constraint, ours.constraint)
    assert np.array_equal(pk.coeffs.signal, ours.signal)
    assert pk.coeffs.value.equals(ours.value)
    proof = prove(pk, w)
    assert verify(vk, [35], proof)
    assert _snarkjs_verify(tmp_path, vk, [35], proof)
    assert not _snarkjs_verify(tmp_path, vk, [36], proof)
