"""Interop (a): our setup and proof for the ticketing circuit (depth 4) verify with
`snarkjs groth16 verify`, and tampered twins fail there."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.node_tools import run_tool
from tests.zkcore.groth16.helpers import ticket
from zkcore.curve import G1
from zkcore.formats import snarkjs_json as sj
from zkcore.groth16 import prove, public_signals


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
    _snarkjs(tmp_path, "powersoftau", "new", "bn128", "4", "p0.ptau")
    _snarkjs(tmp_path, "powersoftau", "contribute", "p0.ptau", "p1.ptau", "-e=tau entropy")
    _snarkjs(tmp_path, "powersoftau", "prepare", "phase2", "p1.ptau", "pf.ptau")
    _snarkjs(tmp_path, "groth16", "setup", "c.r1cs", "pf.ptau", "c0.zkey")
    _snarkjs(tmp_path, "zkey", "contribute", "c0.zkey", "c1.zkey", "-e=delta entropy")
    _snarkjs(tmp_path, "zkey", "export", "verificationkey", "c1.zkey", "vk.json")
    _snarkjs(tmp_path, "groth16", "prove", "c1.zkey", "w.wtns", "proof.json", "public.json")
    vk = sj.read_vk(tmp_path / "vk.json")
    proof = sj.read_proof(tmp_path / "proof.json")
    public = sj.read_public(tmp_path / "public.json")
    assert public == [35]
    assert verify(vk, public, proof)
    assert not verify(vk, [36], proof)
    assert not verify(vk, public, dataclasses.replace(proof, a=G1.add(proof.a, G1.generator)))
