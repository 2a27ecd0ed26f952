"""benchmarks/load_api.py still runs end to end: a few seconds at depth 4, output shape only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.api.conftest import SQLITE_ONLY, TEST_DEPTH

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "load_api.py"
FIGURES = {"count", "throughput", "p50_ms", "p90_ms", "p99_ms", "max_ms", "errors", "outcomes"}


def _run(tmp_path: Path, circuits_dir: Path, database_url: str, *extra: str) -> dict:  # type: ignore[type-arg]
    out = tmp_path / "load.json"
    cmd = [sys.executable, str(SCRIPT), "--depth", str(TEST_DEPTH), "--circuits-dir"]
    cmd += [str(circuits_dir), "--database-url", database_url, "--json", str(out)]
    cmd += ["--no-progress", "--prover-workers", "1", *extra]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "medians over rounds" in done.stdout
    return dict(json.loads(out.read_text()))


def test_load_script_reports_every_phase(
    tmp_path: Path, circuits_dir: Path, database_url: str
) -> None:
    report = _run(
        tmp_path, circuits_dir, database_url,
        "--repeat", "1", "--duration", "1", "--verify-tokens", "8", "--concurrency", "4",
        "--plot", str(tmp_path / "load.png"),
    )  # fmt: skip
    assert set(report) == {"config", "machine", "first_start_health_s", "results", "summary"}
    assert [r["phase"] for r in report["results"]] == ["proof-token", "verify", "start"]
    for result in report["results"]:
        assert set(result) >= FIGURES
        assert result["errors"] == 0, result
        assert result["peak_rss_mb"] > 0 and result["processes"] >= 1
        assert len(result["loadavg"]) == 3
    pt, verify, start = report["results"]
    assert pt["count"] >= 1 and pt["outcomes"].get("ok") == pt["count"]
    # Every fresh token is accepted once; the mix adds replays, malformed and forged scans.
    assert verify["outcomes"].get("accepted") == 8
    assert verify["client_lag_p99_ms"] is None  # closed loop: no schedule to be late for
    assert verify["count"] == sum(verify["outcomes"].values()) > 8
    assert set(verify["outcomes"]) <= {"accepted", "already_consumed", "invalid_proof",
                                       "malformed_token"}  # fmt: skip
    assert start["outcomes"] == {"proof_token": 200}
    assert set(start["extra"]) == {"health_s", "first_proof_token_s"}
    assert set(report["summary"]) == {"proof-token", "verify", "start"}
    assert (tmp_path / "load.png").stat().st_size > 0


@SQLITE_ONLY
def test_load_script_open_loop_verify_only(
    tmp_path: Path, circuits_dir: Path, database_url: str
) -> None:
    report = _run(
        tmp_path, circuits_dir, database_url,
        "--phases", "verify", "--repeat", "1", "--verify-tokens", "4", "--rate", "50",
        "--gate-connections", "3",
    )  # fmt: skip
    assert [r["phase"] for r in report["results"]] == ["verify"]
    assert report["results"][0]["outcomes"].get("accepted") == 4
    assert report["results"][0]["errors"] == 0
    assert report["results"][0]["connections_per_process"] == [3]  # 3 devices, 1 server process
    assert report["results"][0]["client_lag_p99_ms"] >= 0  # open loop: how late it sent
    assert report["config"]["rate"] == 50 and report["config"]["gate_connections"] == 3


def test_load_script_refuses_a_mix_without_fresh_tokens() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--replay", "0.6", "--malformed", "0.4"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert "fresh" in done.stderr
