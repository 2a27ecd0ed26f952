"""`zkcore witness/setup/prove/verify/export` on our own circuits: flow, exit codes, bad input.

The snarkjs side of the same commands is in tests/interop/test_groth16_cli.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zkcore.cli import main as zkcore

CIRCUIT = "tests.circuits.sample_circuits:Window"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    assert zkcore(["setup", CIRCUIT, "-o", str(d / "k.zkey"), "--vk", str(d / "vk.json")]) == 0
    return d


def _window_inputs(now: int) -> dict[str, str]:
    return {"now": str(now), "not_before": "100", "not_after": "200"}


def _prove(keys: Path, tmp: Path, inputs: dict[str, str]) -> int:
    (tmp / "in.json").write_text(json.dumps(inputs))
    code = zkcore(["witness", CIRCUIT, str(tmp / "in.json"), str(tmp / "w.wtns")])
    if code:
        return code
    return zkcore(
        [
            "prove",
            str(keys / "k.zkey"),
            str(tmp / "w.wtns"),
            str(tmp / "p.json"),
            str(tmp / "pub.json"),
        ]
    )


def test_flow_proves_and_verifies(keys: Path, tmp_path: Path) -> None:
    assert _prove(keys, tmp_path, _window_inputs(150)) == 0
    assert (
        zkcore(
            ["verify", str(keys / "vk.json"), str(tmp_path / "pub.json"), str(tmp_path / "p.json")]
        )
        == 0
    )


def test_witness_refuses_unsatisfying_inputs(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _prove(keys, tmp_path, _window_inputs(250)) == 2  # now after not_after
    assert "not satisfied" in capsys.readouterr().err
    assert not (tmp_path / "w.wtns").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"now": "x", "not_before": "1", "not_after": "2"}', "not a number"),
        ('{"now": 1.5, "not_before": "1", "not_after": "2"}', "decimal string"),
        ('{"now": "1"}', ""),
    ],
)
def test_witness_bad_input_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (tmp_path / "in.json").write_text(content)
    assert zkcore(["witness", CIRCUIT, str(tmp_path / "in.json"), str(tmp_path / "w.wtns")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("zkcore witness:") and message in err and "\n" not in err


def test_prove_rejects_a_witness_of_another_circuit(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from zkcore.formats import wtns

    wtns.write(tmp_path / "w.wtns", [1, 2, 3])
    assert (
        zkcore(
            [
                "prove",
                str(keys / "k.zkey"),
                str(tmp_path / "w.wtns"),
                str(tmp_path / "p.json"),
                str(tmp_path / "pub.json"),
            ]
        )
        == 2
    )
    assert "wires" in capsys.readouterr().err


def test_missing_and_malformed_files_exit_2(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "nope.json")
    assert zkcore(["verify", missing, missing, missing]) == 2
    (tmp_path / "junk.zkey").write_bytes(b"not a zkey")
    assert zkcore(["export", "vk", str(tmp_path / "junk.zkey"), str(tmp_path / "vk.json")]) == 2
    assert zkcore(["prove", str(tmp_path / "junk.zkey"), missing, missing, missing]) == 2
    errs = capsys.readouterr().err.strip().splitlines()
    assert len(errs) == 3 and all(e.startswith("zkcore ") for e in errs)


def test_verify_invalid_proof_exits_1(keys: Path, tmp_path: Path) -> None:
    assert _prove(keys, tmp_path, _window_inputs(150)) == 0
    public = json.loads((tmp_path / "pub.json").read_text())
    public[0] = str(int(public[0]) + 1)
    (tmp_path / "pub.json").write_text(json.dumps(public))
    assert (
        zkcore(
            ["verify", str(keys / "vk.json"), str(tmp_path / "pub.json"), str(tmp_path / "p.json")]
        )
        == 1
    )


def test_bench_prove_on_any_key_and_witness(
    keys: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _prove(keys, tmp_path, _window_inputs(150)) == 0
    capsys.readouterr()
    args = [
        "bench",
        "prove",
        "--zkey",
        str(keys / "k.zkey"),
        "--wtns",
        str(tmp_path / "w.wtns"),
        "--repeat",
        "1",
        "--json",
    ]
    assert zkcore(args) == 0
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["name"] == "prove" and line["msm_ms"] >= 0 and line["median_ms"] > 0
    assert zkcore(["bench", "prove", "--repeat", "1"]) == 2  # no files: a clear error
    assert "--zkey" in capsys.readouterr().err
