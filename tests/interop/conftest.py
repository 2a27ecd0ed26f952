"""Fixtures shared by the interop tests: real circom2/snarkjs artefacts, made once a session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.node_tools import run_tool, snarkjs_ok

# A small circom circuit: one public input (a), one output, two private inputs.
CIRCUIT = """pragma circom 2.0.0;
template T() {
    signal input a;
    signal input b;
    signal input c;
    signal output out;
    signal ab;
    ab <== a * b;
    out <== ab * c + 3 * a + 5;
}
component main {public [a]} = T();
"""


@pytest.fixture(scope="session")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with c.r1cs, c_js/c.wasm, pot.ptau (2^8), fresh.zkey (snarkjs setup),
    contributed.zkey (one phase-2 contribution), their vk JSONs and w.wtns for a=3, b=5, c=7."""
    d = tmp_path_factory.mktemp("snarkjs")
    snarkjs_ok(d, "powersoftau", "new", "bn128", "8", "pot0.ptau")
    snarkjs_ok(d, "powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "--name=t", "-e=tk ptau")
    snarkjs_ok(d, "powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau")
    (d / "c.circom").write_text(CIRCUIT)
    done = run_tool("circom2", "c.circom", "--r1cs", "--wasm", "-o", ".", cwd=d)
    assert done.returncode == 0, done.stdout + done.stderr
    snarkjs_ok(d, "groth16", "setup", "c.r1cs", "pot.ptau", "fresh.zkey")
    snarkjs_ok(d, "zkey", "contribute", "fresh.zkey", "contributed.zkey", "--name=u", "-e=tk zkey")
    for name in ("fresh", "contributed"):
        snarkjs_ok(d, "zkey", "export", "verificationkey", f"{name}.zkey", f"{name}.vk.json")
    (d / "in.json").write_text(json.dumps({"a": "3", "b": "5", "c": "7"}))
    snarkjs_ok(d, "wtns", "calculate", "c_js/c.wasm", "in.json", "w.wtns")
    return d
