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
