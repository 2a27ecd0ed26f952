"""[engine-4]'s five interop checks, through the commands a user runs (`zkcore ...` and snarkjs).

a. our setup and proof of the ticketing circuit verify with `snarkjs groth16 verify`;
b. a circom2 circuit, a snarkjs .zkey and circom's witness: `zkcore prove` -> snarkjs accepts;
c. a proof made by `snarkjs groth16 prove` passes `zkcore verify`;
d. a .zkey written by `zkcore setup` proves with `snarkjs groth16 prove`;
e. tampered proofs, swapped inputs, off-curve points, non-canonical inputs: `zkcore verify` fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from circuits.ticket import example_inputs
from tests.node_tools import snarkjs_ok, snarkjs_run
from zkcore.cli import main as zkcore
from zkcore.field import Fr


def _ticket_input(path: Path) -> None:
    inputs = example_inputs(2)
    path.write_text(
        json.dumps({k: v if isinstance(v, list) else str(v) for k, v in inputs.items()})
    )  # circom's decimal strings


def test_a_our_ticket_proof_verifies_in_snarkjs(tmp_path: Path) -> None:
    _ticket_input(tmp_path / "in.json")
    circuit = ["circuits.ticket:TicketCircuit", "--param", "depth=2"]
    f = {
        n: str(tmp_path / n)
        for n in ("in.json", "w.wtns", "k.zkey", "vk.json", "p.json", "pub.json", "bad.json")
    }
    assert zkcore(["witness", circuit[0], f["in.json"], f["w.wtns"], *circuit[1:]]) == 0
    assert zkcore(["setup", *circuit, "-o", f["k.zkey"], "--vk", f["vk.json"]]) == 0
    assert zkcore(["prove", f["k.zkey"], f["w.wtns"], f["p.json"], f["pub.json"]]) == 0
    assert "OK" in snarkjs_ok(tmp_path, "groth16", "verify", "vk.json", "pub.json", "p.json")
    public = json.loads(Path(f["pub.json"]).read_text())
    public[4] = str(int(public[4]) + 1)  # `now`, one second later
    Path(f["bad.json"]).write_text(json.dumps(public))
    code, text = snarkjs_run(tmp_path, "groth16", "verify", "vk.json", "bad.json", "p.json")
    assert "Invalid proof" in text


def test_b_zkcore_proves_with_snarkjs_key_and_circom_witness(work: Path, tmp_path: Path) -> None:
    p, pub = str(tmp_path / "p.json"), str(tmp_path / "pub.json")
    assert zkcore(["prove", str(work / "contributed.zkey"), str(work / "w.wtns"), p, pub]) == 0
    assert json.loads(Path(pub).read_text()) == [str(7 * 15 + 9 + 5), "3"]
    out = snarkjs_ok(work, "groth16", "verify", "contributed.vk.json", pub, p)
    assert "OK" in out


def test_c_snarkjs_proof_passes_zkcore_verify(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p, pub = str(tmp_path / "p.json"), str(tmp_path / "pub.json")
    snarkjs_ok(work, "groth16", "prove", "contributed.zkey", "w.wtns", p, pub)
    assert zkcore(["verify", str(work / "contributed.vk.json"), pub, p]) == 0
    Path(pub).write_text(json.dumps([str(7 * 15 + 9 + 5), "4"]))
    assert zkcore(["verify", str(work / "contributed.vk.json"), pub, p]) == 1


def test_d_zkcore_setup_key_proves_in_snarkjs(work: Path, tmp_path: Path) -> None:
    key, vk = str(tmp_path / "ours.zkey"), str(tmp_path / "ours.vk.json")
    assert zkcore(["setup", str(work / "c.r1cs"), "-o", key, "--vk", vk]) == 0
    snarkjs_ok(tmp_path, "groth16", "prove", key, str(work / "w.wtns"), "p.json", "pub.json")
    assert "OK" in snarkjs_ok(tmp_path, "groth16", "verify", vk, "pub.json", "p.json")
    assert zkcore(["verify", vk, str(tmp_path / "pub.json"), str(tmp_path / "p.json")]) == 0
    assert zkcore(["export", "vk", key, str(tmp_path / "again.json")]) == 0
    assert json.loads((tmp_path / "again.json").read_text()) == json.loads(Path(vk).read_text())


@pytest.fixture
def snarkjs_proof(work: Path, tmp_path: Path) -> tuple[str, Path, Path]:
    """(vk path, proof path, public path) of a valid snarkjs proof, copied to tmp_path."""
    p, pub = tmp_path / "p.json", tmp_path / "pub.json"
    snarkjs_ok(work, "groth16", "prove", "contributed.zkey", "w.wtns", str(p), str(pub))
    return str(work / "contributed.vk.json"), p, pub


def _edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    obj = json.loads(path.read_text())
    change(obj)
    path.write_text(json.dumps(obj))


@pytest.mark.parametrize(
    ("what", "target", "change", "exit_code"),
    [
        (
            "tampered pi_a (another valid point)",
            "proof",
            lambda o: o.__setitem__("pi_a", ["1", "2", "1"]),
            1,
        ),
        ("swapped public inputs", "public", lambda o: o.reverse(), 1),
        ("off-curve pi_c", "proof", lambda o: o["pi_c"].__setitem__(1, "5"), 2),
        ("non-canonical input x + r", "public", lambda o: o.__setitem__(1, str(3 + Fr.modulus)), 2),
        ("missing public input", "public", lambda o: o.pop(), 2),
        ("coordinate >= p", "proof", lambda o: o["pi_a"].__setitem__(0, str(2**256 - 1)), 2),
    ],
)
def test_e_bad_proofs_and_inputs_rejected(
    snarkjs_proof,
    what,
    target,
    change,
    exit_code,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    vk, p, pub = snarkjs_proof
    assert zkcore(["verify", vk, str(pub), str(p)]) == 0
    _edit(p if target == "proof" else pub, change)
    assert zkcore(["verify", vk, str(pub), str(p)]) == exit_code, what
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zkcore verify:"), err
