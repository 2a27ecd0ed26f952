"""`zkcore info` and `zkcore compile` on Python circuits and .r1cs files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.circuits.sample_circuits import Member, Window
from zkcore.cli import main
from zkcore.formats import r1cs as r1cs_format

ROOT = Path(__file__).resolve().parents[2]


def test_info_json_of_a_python_circuit(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["info", "tests.circuits.sample_circuits:Member", "--param", "depth=2", "--json"]) == 0
    )
    info = json.loads(capsys.readouterr().out)
    r1cs = Member(depth=2).compile().r1cs
    assert info["constraints"] == r1cs.n_constraints
    assert info["wires"] == r1cs.n_wires
    assert (info["public_inputs"], info["private_inputs"], info["outputs"]) == (1, 5, 1)
    # depth 2: merkle_root's 2 * (bool + swap + 3 hash) = 10; the root equality and the
    # output's squaring and equality are the circuit's own
    assert info["gadgets"] == {"merkle_root": 10, "(circuit)": 3}


def test_compile_then_info_of_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "window.r1cs"
    assert (
        main(
            [
                "compile",
                "tests.circuits.sample_circuits:Window",
                "--param",
                "bits=8",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert r1cs_format.read(out) == Window(bits=8).compile().r1cs
    capsys.readouterr()
    assert main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"constraints     {Window(bits=8).compile().n_constraints}" in text


@pytest.mark.parametrize(
    "argv,message",
    [
        (["info", "no/such.r1cs"], "cannot read"),
        (["info", "nonsense"], "neither a .r1cs file nor module:Class"),
        (["info", "no_such_module_xyz:C"], "cannot import"),
        (["info", "tests.circuits.sample_circuits:Nope"], "has no 'Nope'"),
        (["info", "tests.circuits.sample_circuits:Window", "--param", "wrong=1"], "cannot build"),
        (["info", "tests.circuits.helpers:R"], "cannot build"),
    ],
)
def test_errors_are_reported(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_info_of_a_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.r1cs"
    bad.write_bytes(b"r1cs\x01\x00\x00\x00")
    assert main(["info", str(bad)]) == 2
    assert "too short" in capsys.readouterr().err


def test_subprocess(tmp_path: Path) -> None:
    out = tmp_path / "m.r1cs"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "zkcore.cli"]
    done = subprocess.run(
        [
            *cmd,
            "compile",
            "tests.circuits.sample_circuits:Member",
            "--param",
            "depth=3",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*cmd, "info", str(out), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["constraints"] == Member(depth=3).compile().n_constraints
    assert {"constraints", "wires", "public_inputs", "private_inputs", "outputs"} <= set(info)
