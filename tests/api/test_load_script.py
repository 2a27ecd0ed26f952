"""benchmarks/load_api.py still runs end to end: a few seconds at depth 4, output shape only."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def _script(name: str):  # type: ignore[no-untyped-def]
    """benchmarks/<name>.py imported as a module (registered: its dataclasses need that)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_queue_model_matches_erlang_c_and_finds_the_budget() -> None:
    model = _script("verify_queue_model")
    # Two servers, 1.5 erlangs: P(wait) = 2 rho^2 / (1 + rho) with rho = 0.75, i.e. 9/14.
    assert model.erlang_c(2, 1.5) == pytest.approx(9 / 14)
    assert model.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    p99s = [model.model_p99_ms(cpu, 2, 400, 7.0) for cpu in (3.0, 3.4, 3.8)]
    assert p99s == sorted(p99s) and p99s[0] > 7.0
    assert model.model_p99_ms(5.0, 2, 400, 7.0) == float("inf")  # 400/s saturates 2 cores
    need = model.budget_ms(2, 400, 7.0, 25.0)
    p99 = lambda cpu: model.model_p99_ms(cpu, 2, 400, 7.0)  # noqa: E731
    assert p99(need) <= 25.0 < p99(need + 0.02)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "verify_queue_model.py"), "--target", "30"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "p99 <= 30 ms needs <= " in done.stdout


def test_gate_device_reads_what_the_server_frames_and_refuses_the_rest() -> None:
    """GateDevice against a scripted server: keep-alive answers, Connection: close, and
    responses it cannot frame (an error, and the next request gets a fresh connection)."""
    load = _script("load_api")
    answers = [
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}",
        b"HTTP/1.1 429 Too Many Requests\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
        b"nonsense\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone",
    ]
    seen: list[tuple[int, bytes]] = []  # (connection number, request head)

    async def scenario() -> list[object]:
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            mine = connections
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while answers:
                    head = await reader.readuntil(b"\r\n\r\n")
                    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                    await reader.readexactly(length)
                    seen.append((mine, head.split(b"\r\n")[0]))
                    writer.write(answers.pop(0))
                    await writer.drain()
            writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        device = load.GateDevice(f"http://127.0.0.1:{port}", None)
        results: list[object] = []
        for _ in range(5):
            try:
                results.append(await device.post("verify", b'{"a":1}', {"X-AffixIO-Key": "k"}))
            except load.CLIENT_ERRORS as exc:
                results.append(type(exc).__name__)
        device.close()
        server.close()
        return results

    results = asyncio.run(scenario())
    assert results == [(200, b"{}"), (429, b"x"), "FramingError", "FramingError", (200, b"done")]
    assert all(head == b"POST /v1/api/ticketking/verify HTTP/1.1" for _, head in seen)
    # closed after the 429's Connection: close and after each response it could not frame
    assert [number for number, _ in seen] == [1, 1, 2, 3, 4]
